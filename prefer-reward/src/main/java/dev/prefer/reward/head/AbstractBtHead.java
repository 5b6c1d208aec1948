package dev.prefer.reward.head;

import java.util.List;

/**
 * Shared training for heads with a scalar reward r(c, y, u): logit = r(a) − r(b), loss = {@link dev.prefer.train.RewardLoss} per pair,
 * weighted mean over the batch. Subclasses give the forward pass and its backward pass.
 */
abstract class AbstractBtHead implements ScalarRewardHead {
    protected final HeadConfig config;
    protected final double[] theta;

    AbstractBtHead(HeadConfig config, int parameterCount) {
        this.config = config;
        this.theta = new double[parameterCount];
    }

    @Override
    public HeadConfig config() {
        return config;
    }

    @Override
    public double[] parameters() {
        return theta;
    }

    @Override
    public double logit(double[] context, double[] a, double[] b, String annotator) {
        return reward(context, a, annotator) - reward(context, b, annotator);
    }

    /** Adds {@code dr · ∂r(c, y, u)/∂θ} into grad. */
    protected abstract void backward(double[] context, double[] y, String annotator, double dr, double[] grad);

    @Override
    public double loss(List<EncodedPair> batch, double[] grad) {
        double wsum = 0;
        for (EncodedPair p : batch) wsum += p.weight();
        if (wsum == 0) return 0;
        double total = 0;
        double[] d = new double[2];
        for (EncodedPair p : batch) {
            if (p.weight() == 0) continue;
            double rw = reward(p.context(), p.chosen(), p.annotator());
            double rl = reward(p.context(), p.rejected(), p.annotator());
            total += p.weight() * config.loss().pairLoss(rw, rl, config.loss().marginOf(p.margin()), grad == null ? null : d);
            if (grad != null) {
                double s = p.weight() / wsum;
                backward(p.context(), p.chosen(), p.annotator(), s * d[0], grad);
                backward(p.context(), p.rejected(), p.annotator(), s * d[1], grad);
            }
        }
        return total / wsum;
    }

    /** The reward's input: y, or [y, c⊙y] for a context-conditioned head. */
    static double[] phi(double[] c, double[] y, boolean contextual) {
        if (!contextual) return y;
        if (c.length != y.length) throw new IllegalArgumentException("a context-conditioned head needs a context vector of length " + y.length + ", got " + c.length);
        double[] f = new double[2 * y.length];
        System.arraycopy(y, 0, f, 0, y.length);
        for (int i = 0; i < y.length; i++) f[y.length + i] = c[i] * y[i];
        return f;
    }

    static int phiDim(int d, boolean contextual) {
        return contextual ? 2 * d : d;
    }
}
