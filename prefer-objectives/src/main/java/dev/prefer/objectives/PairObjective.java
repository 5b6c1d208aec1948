package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * Base of objectives over pairs (K = 2, chosen first) whose loss is a function of one pair at a time.
 * Subclasses write the formula twice: {@link #pairLoss(Batch, int)} in double precision and
 * {@link #pairLosses(TensorBatch)} on NDArrays.
 */
public abstract class PairObjective implements Objective {

    /** Loss of pair {@code g}. */
    protected abstract double pairLoss(Batch b, int g);

    /** Losses of all pairs, shape (B). */
    protected abstract NDArray pairLosses(TensorBatch t);

    @Override
    public final double[] groupLosses(Batch b) {
        b.require(name(), Layout.PAIRS, requirements().reference());
        double[] out = new double[b.groups()];
        for (int g = 0; g < out.length; g++) out[g] = pairLoss(b, g);
        return out;
    }

    @Override
    public final NDArray groupLosses(TensorBatch t) {
        t.host().require(name(), Layout.PAIRS, requirements().reference());
        return pairLosses(t);
    }

    /** h = ρ(y_w) − ρ(y_l), the DPO logit, (B). */
    protected static NDArray logit(TensorBatch t) {
        NDArray rho = t.logRatio(); // (B, 2)
        return TensorBatch.col(rho, 0).sub(TensorBatch.col(rho, 1));
    }

    protected static double logit(Batch b, int g) {
        return b.logRatio(g, 0) - b.logRatio(g, 1);
    }

    static void requirePositive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(name + " must be finite and > 0, got " + v);
    }

    static void requireProbability(String name, double v, double below) {
        if (!(v >= 0 && v < below)) throw new IllegalArgumentException(name + " must be in [0, " + below + "), got " + v);
    }
}
