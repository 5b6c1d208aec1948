package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * BCO (binary classifier optimization). Jung et al. 2024, "Binary Classifier Optimization for Large Language
 * Model Alignment", arXiv 2404.04656 (formula as TRL's {@code bco_pair}; equation number not re-checked): the
 * implicit reward r = β ρ(y) is the logit of a desirable-vs-undesirable classifier, shifted by δ,
 * <pre>  desirable:   −log σ(r − δ)      undesirable:   −log σ(−(r − δ))</pre>
 * summed over the responses of a group (pairs: chosen desirable, rejected undesirable; unpaired: by label).
 * δ is the mean reward of the batch, without gradient (TRL keeps a running mean across steps, which after its
 * first step is this batch mean), or a fixed value when given.
 */
public final class Bco implements Objective {
    private final double beta;
    private final Double delta;
    private final Layout layout;

    /** @param delta fixed reward shift, or null for the batch mean; @param layout PAIRS or UNPAIRED */
    public Bco(double beta, Double delta, Layout layout) {
        PairObjective.requirePositive("beta", beta);
        if (layout == Layout.LISTS) throw new IllegalArgumentException("bco works on pairs or unpaired rows");
        if (delta != null && !Double.isFinite(delta)) throw new IllegalArgumentException("delta must be finite");
        this.beta = beta;
        this.delta = delta;
        this.layout = layout;
    }

    @Override public String name() { return "bco"; }
    @Override public Requirements requirements() { return new Requirements(true, layout, false, false, java.util.List.of()); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    @Override
    public double[] groupLosses(Batch b) {
        b.require(name(), layout, true);
        double d;
        if (delta != null) {
            d = delta;
        } else {
            double s = 0;
            for (int g = 0; g < b.groups(); g++) for (int j = 0; j < b.k(); j++) s += beta * b.logRatio(g, j);
            d = s / b.size();
        }
        double[] out = new double[b.groups()];
        for (int g = 0; g < out.length; g++) {
            for (int j = 0; j < b.k(); j++) {
                double x = beta * b.logRatio(g, j) - d;
                out[g] += b.label(g, j) > 0.5 ? -Num.logSigmoid(x) : -Num.logSigmoid(-x);
            }
        }
        return out;
    }

    @Override
    public NDArray groupLosses(TensorBatch t) {
        t.host().require(name(), layout, true);
        NDArray r = t.logRatio().mul(Num.scalar(t.policy(), beta)); // (B, K)
        NDArray x = delta != null ? r.sub(delta) : r.sub(r.stopGradient().mean());
        NDArray pos = t.labels(); // (B, K), 1 desirable
        NDArray l = Num.logSigmoid(x).neg().mul(pos).add(Num.logSigmoid(x.neg()).neg().mul(pos.neg().add(1)));
        return l.sum(new int[] {1});
    }
}
