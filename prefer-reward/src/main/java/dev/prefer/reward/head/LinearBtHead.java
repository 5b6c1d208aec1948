package dev.prefer.reward.head;

import java.util.Random;

/**
 * Bradley-Terry reward model with a linear head: {@code r(y) = wᵀφ(y) + b}, P(a≻b) = σ(r(a) − r(b)) (Bradley &amp;
 * Terry 1952; the reward model of Ouyang et al. 2022 Eq. 1 with a frozen encoder). φ is the backbone vector, or
 * [y, c⊙y] when context-conditioned. Over named features this is the interpretable linear head: each weight is
 * the log-odds change per unit of its feature.
 */
public final class LinearBtHead extends AbstractBtHead {
    private final int dim;

    public LinearBtHead(HeadConfig config, int dim, Random rnd) {
        super(config, phiDim(dim, config.contextual()) + 1);
        this.dim = dim;
        double s = 0.01 / Math.sqrt(phiDim(dim, config.contextual()));
        for (int i = 0; i < theta.length - 1; i++) theta[i] = s * rnd.nextGaussian();
    }

    @Override
    public double reward(double[] c, double[] y, String annotator) {
        double[] f = phi(c, y, config.contextual());
        int n = f.length;
        double r = theta[n];
        for (int i = 0; i < n; i++) r += theta[i] * f[i];
        return r;
    }

    @Override
    protected void backward(double[] c, double[] y, String annotator, double dr, double[] grad) {
        double[] f = phi(c, y, config.contextual());
        int n = f.length;
        for (int i = 0; i < n; i++) grad[i] += dr * f[i];
        grad[n] += dr;
    }

    public int inputDimension() {
        return dim;
    }
}
