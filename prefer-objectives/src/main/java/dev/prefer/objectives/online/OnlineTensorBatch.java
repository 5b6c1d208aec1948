package dev.prefer.objectives.online;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The inputs of an online loss on NDArrays, the tensor twin of {@link OnlineBatch}. {@code logps} (B, T) carries
 * the gradient; {@code oldLogps} and {@code refLogps} (B, T) are constants (null: absent); {@code mask} (B, T) is 0/1
 * in the float type of {@code logps}; {@code advantages} is (B) or (B, T); {@code scores} (B). A trainer builds it
 * from its own arrays with the constructor; tests build it from a host batch with {@link #of}.
 *
 * @param tokensInBatch DAPO's normaliser (active tokens of the accumulated batch), NaN for this mask's sum
 */
public record OnlineTensorBatch(NDArray logps, NDArray oldLogps, NDArray refLogps, NDArray mask, NDArray advantages,
                                NDArray entropies, NDArray scores, double tokensInBatch) {

    public OnlineTensorBatch {
        if (logps == null || mask == null) throw new IllegalArgumentException("logps and mask are required");
        if (logps.getShape().dimension() != 2) throw new IllegalArgumentException("logps must be (B, T), got " + logps.getShape());
        if (!mask.getShape().equals(logps.getShape())) throw new IllegalArgumentException("mask " + mask.getShape() + " must match logps " + logps.getShape());
        for (NDArray a : new NDArray[] {oldLogps, refLogps, entropies})
            if (a != null && !a.getShape().equals(logps.getShape()))
                throw new IllegalArgumentException("per-token inputs must be " + logps.getShape() + ", got " + a.getShape());
        long b = logps.getShape().get(0);
        if (advantages != null && !advantages.getShape().equals(new Shape(b)) && !advantages.getShape().equals(logps.getShape()))
            throw new IllegalArgumentException("advantages must be (B) or (B, T), got " + advantages.getShape());
        if (scores != null && !scores.getShape().equals(new Shape(b))) throw new IllegalArgumentException("scores must be (B), got " + scores.getShape());
    }

    /** The host batch on {@code manager}, in {@code type}. */
    public static OnlineTensorBatch of(NDManager manager, OnlineBatch h, DataType type) {
        Shape bt = new Shape(h.b(), h.t());
        NDArray adv = null;
        if (h.hasAdvantages()) adv = make(manager, h.advantages(), h.tokenAdvantages() ? bt : new Shape(h.b()), type);
        return new OnlineTensorBatch(make(manager, h.logps(), bt, type), make(manager, h.oldLogps(), bt, type),
                make(manager, h.refLogps(), bt, type), make(manager, h.mask(), bt, type), adv,
                make(manager, h.entropies(), bt, type), make(manager, h.scores(), new Shape(h.b()), type),
                h.tokensInBatchOrNaN());
    }

    private static NDArray make(NDManager m, double[] v, Shape s, DataType type) {
        return v == null ? null : m.create(v, s).toType(type, false);
    }

    /** The same batch with other policy log-probs (e.g. one that requires a gradient). */
    public OnlineTensorBatch withLogps(NDArray l) {
        return new OnlineTensorBatch(l, oldLogps, refLogps, mask, advantages, entropies, scores, tokensInBatch);
    }

    public long b() { return logps.getShape().get(0); }
    public long t() { return logps.getShape().get(1); }

    /** log π_θold, or sg(log π_θ) on the first iteration. */
    NDArray oldOrDetached() { return oldLogps == null ? logps.stopGradient() : oldLogps; }

    NDArray requireRef() {
        if (refLogps == null) throw new IllegalArgumentException("this loss needs refLogps (the reference model's per-token log-probs)");
        return refLogps;
    }

    /** Advantages broadcastable against (B, T): (B, 1) or (B, T). */
    NDArray advantagesBt() {
        if (advantages == null) throw new IllegalArgumentException("this loss needs advantages");
        return advantages.getShape().dimension() == 1 ? advantages.expandDims(1) : advantages;
    }

    NDArray requireScores() {
        if (scores == null) throw new IllegalArgumentException("this loss needs per-completion scores (win rates or probabilities)");
        return scores;
    }

    /** The detached host copy, for metrics (copies everything to the host). */
    OnlineBatch host() {
        int b = (int) b(), t = (int) t();
        double[] lp = doubles(logps.stopGradient());
        OnlineBatch h = OnlineBatch.of(b, t, lp, doubles(mask));
        if (oldLogps != null) h = h.withOldLogps(doubles(oldLogps));
        if (refLogps != null) h = h.withRefLogps(doubles(refLogps));
        if (advantages != null) h = h.withAdvantages(doubles(advantages));
        if (entropies != null) h = h.withEntropies(doubles(entropies));
        if (scores != null) h = h.withScores(doubles(scores));
        if (!Double.isNaN(tokensInBatch)) h = h.withTokensInBatch(tokensInBatch);
        return h;
    }

    private static double[] doubles(NDArray a) {
        return a.toType(DataType.FLOAT64, true).toDoubleArray();
    }
}
