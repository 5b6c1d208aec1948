package dev.prefer.reward.head;

import dev.prefer.core.Scalars;

import java.util.List;
import java.util.Random;

/**
 * A plain pairwise classifier (the PairRM/PairPM idea with a frozen encoder): an MLP reads both responses,
 * {@code h = tanh(W₁[φ(a); φ(b)] + b₁)}, {@code logit = w₂ᵀh + b₂}, trained with binary cross-entropy on both
 * orders of every pair (label 1 for (chosen, rejected), 0 for (rejected, chosen)). Nothing forces
 * logit(a,b) = −logit(b,a); it is the baseline that GPM makes consistent. Best-of-n costs O(n²) calls.
 */
public final class PairClassifierHead implements PreferenceHead {
    private final HeadConfig config;
    private final int dim;
    private final int hidden;
    private final double[] theta;

    public PairClassifierHead(HeadConfig config, int dim, Random rnd) {
        this.config = config;
        this.dim = dim;
        this.hidden = config.hidden();
        this.theta = new double[hidden * 2 * dim + 2 * hidden + 1];
        double s1 = 1.0 / Math.sqrt(2.0 * dim);
        for (int i = 0; i < hidden * 2 * dim; i++) theta[i] = s1 * rnd.nextGaussian();
        double s2 = 0.1 / Math.sqrt(hidden);
        for (int i = 0; i < hidden; i++) theta[hidden * 2 * dim + hidden + i] = s2 * rnd.nextGaussian();
    }

    @Override
    public HeadConfig config() {
        return config;
    }

    @Override
    public double[] parameters() {
        return theta;
    }

    private double[] concat(double[] a, double[] b) {
        double[] x = new double[2 * dim];
        System.arraycopy(a, 0, x, 0, dim);
        System.arraycopy(b, 0, x, dim, dim);
        return x;
    }

    private double[] hiddenLayer(double[] x) {
        double[] h = new double[hidden];
        int b1 = hidden * 2 * dim;
        for (int j = 0; j < hidden; j++) h[j] = Math.tanh(Nums.dotRow(theta, 0, j, 2 * dim, x) + theta[b1 + j]);
        return h;
    }

    @Override
    public double logit(double[] c, double[] a, double[] b, String annotator) {
        double[] h = hiddenLayer(concat(a, b));
        int w2 = hidden * 2 * dim + hidden;
        double z = theta[w2 + hidden];
        for (int j = 0; j < hidden; j++) z += theta[w2 + j] * h[j];
        return z;
    }

    @Override
    public double loss(List<EncodedPair> batch, double[] grad) {
        double wsum = 0;
        for (EncodedPair p : batch) wsum += 2 * p.weight();
        if (wsum == 0) return 0;
        double total = 0;
        for (EncodedPair p : batch) {
            if (p.weight() == 0) continue;
            total += p.weight() * side(p.chosen(), p.rejected(), 1, p.weight() / wsum, grad);
            total += p.weight() * side(p.rejected(), p.chosen(), 0, p.weight() / wsum, grad);
        }
        return total / wsum;
    }

    /** BCE of one ordered input with label y; adds scale·∂/∂θ into grad. */
    private double side(double[] a, double[] b, int y, double scale, double[] grad) {
        double[] x = concat(a, b);
        double[] h = hiddenLayer(x);
        int b1 = hidden * 2 * dim;
        int w2 = b1 + hidden;
        double z = theta[w2 + hidden];
        for (int j = 0; j < hidden; j++) z += theta[w2 + j] * h[j];
        double l = y == 1 ? -Scalars.logSigmoid(z) : -Scalars.logSigmoid(-z);
        if (grad != null) {
            double dz = scale * (Scalars.sigmoid(z) - y);
            grad[w2 + hidden] += dz;
            for (int j = 0; j < hidden; j++) {
                grad[w2 + j] += dz * h[j];
                double dh = dz * theta[w2 + j] * (1 - h[j] * h[j]);
                grad[b1 + j] += dh;
                Nums.addOuterRow(grad, 0, j, 2 * dim, dh, x);
            }
        }
        return l;
    }
}
