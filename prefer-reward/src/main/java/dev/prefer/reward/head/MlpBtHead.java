package dev.prefer.reward.head;

import java.util.Random;

/**
 * Bradley-Terry reward model with a one-hidden-layer MLP head: {@code h = tanh(W₁φ + b₁)}, {@code r = w₂ᵀh + b₂}
 * (H hidden units), trained with {@link dev.prefer.train.RewardLoss}.
 */
public final class MlpBtHead extends AbstractBtHead {
    private final int in;
    private final int hidden;

    public MlpBtHead(HeadConfig config, int dim, Random rnd) {
        super(config, config.hidden() * phiDim(dim, config.contextual()) + 2 * config.hidden() + 1);
        this.in = phiDim(dim, config.contextual());
        this.hidden = config.hidden();
        double s1 = 1.0 / Math.sqrt(in);
        for (int i = 0; i < hidden * in; i++) theta[i] = s1 * rnd.nextGaussian();
        double s2 = 0.1 / Math.sqrt(hidden);
        for (int i = 0; i < hidden; i++) theta[hidden * in + hidden + i] = s2 * rnd.nextGaussian();
    }

    private double[] hiddenLayer(double[] f) {
        double[] h = new double[hidden];
        int b1 = hidden * in;
        for (int k = 0; k < hidden; k++) h[k] = Math.tanh(Nums.dotRow(theta, 0, k, in, f) + theta[b1 + k]);
        return h;
    }

    @Override
    public double reward(double[] c, double[] y, String annotator) {
        double[] h = hiddenLayer(phi(c, y, config.contextual()));
        int w2 = hidden * in + hidden;
        double r = theta[w2 + hidden];
        for (int k = 0; k < hidden; k++) r += theta[w2 + k] * h[k];
        return r;
    }

    @Override
    protected void backward(double[] c, double[] y, String annotator, double dr, double[] grad) {
        double[] f = phi(c, y, config.contextual());
        double[] h = hiddenLayer(f);
        int b1 = hidden * in;
        int w2 = b1 + hidden;
        grad[w2 + hidden] += dr;
        for (int k = 0; k < hidden; k++) {
            grad[w2 + k] += dr * h[k];
            double dz = dr * theta[w2 + k] * (1 - h[k] * h[k]);   // tanh' = 1 − tanh²
            grad[b1 + k] += dz;
            Nums.addOuterRow(grad, 0, k, in, dz, f);
        }
    }
}
