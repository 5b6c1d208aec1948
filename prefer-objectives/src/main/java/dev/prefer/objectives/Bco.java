package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * BCO (binary classifier optimization). Jung et al. 2024, "Binary Classifier Optimization for Large Language
 * Model Alignment", arXiv 2404.04656 (formula as TRL's {@code bco_pair}; equation number not re-checked): the
 * implicit reward r = β ρ(y) is the logit of a desirable-vs-undesirable classifier, shifted by δ,
 * <pre>  desirable:   −log σ(r − δ)      undesirable:   −log σ(−(r − δ))</pre>
 * summed over the responses of a group (pairs: chosen desirable, rejected undesirable; unpaired: by label).
 * δ carries no gradient and is either fixed, the mean reward of the batch, or ({@link #running}) TRL's running
 * mean: the mean of every reward of every training batch observed so far, this one included (TRL's
 * {@code RunningMoments}; on the first batch it is that batch's mean). Evaluation batches are not observed.
 */
public final class Bco implements Objective, RunningState {
    private final double beta;
    private final Double delta;
    private final Layout layout;
    private final boolean running;
    private double rewardSum;   // running mode: Σ of observed rewards
    private double rewardCount; // and their number

    /** @param delta fixed reward shift, or null for the batch mean; @param layout PAIRS or UNPAIRED */
    public Bco(double beta, Double delta, Layout layout) {
        this(beta, delta, layout, false);
    }

    /** δ = the running mean of the rewards of the training batches observed (TRL's BCO trainer). */
    public static Bco running(double beta, Layout layout) {
        return new Bco(beta, null, layout, true);
    }

    private Bco(double beta, Double delta, Layout layout, boolean running) {
        PairObjective.requirePositive("beta", beta);
        if (layout == Layout.LISTS) throw new IllegalArgumentException("bco works on pairs or unpaired rows");
        if (delta != null && !Double.isFinite(delta)) throw new IllegalArgumentException("delta must be finite");
        this.beta = beta;
        this.delta = delta;
        this.layout = layout;
        this.running = running;
    }

    @Override
    public synchronized void observe(Batch b) {
        if (!running) return;
        for (int g = 0; g < b.groups(); g++) for (int j = 0; j < b.k(); j++) rewardSum += beta * b.logRatio(g, j);
        rewardCount += b.size();
    }

    @Override
    public synchronized double[] state() {
        return running ? new double[] {rewardSum, rewardCount} : new double[0];
    }

    @Override
    public synchronized void restore(double[] s) {
        if (!running) return;
        rewardSum = s[0];
        rewardCount = s[1];
    }

    /** The shift for a batch: fixed, the running mean once something was observed, else the batch's mean. */
    private synchronized Double fixedShift() {
        if (delta != null) return delta;
        return running && rewardCount > 0 ? rewardSum / rewardCount : null;
    }

    @Override public String name() { return "bco"; }
    @Override public Requirements requirements() { return new Requirements(true, layout, false, false, java.util.List.of()); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    @Override
    public double[] groupLosses(Batch b) {
        b.require(name(), layout, true);
        double d;
        Double fixed = fixedShift();
        if (fixed != null) {
            d = fixed;
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
        Double fixed = fixedShift();
        NDArray x = fixed != null ? r.sub(fixed) : r.sub(r.stopGradient().mean());
        NDArray pos = t.labels(); // (B, K), 1 desirable
        NDArray l = Num.logSigmoid(x).neg().mul(pos).add(Num.logSigmoid(x.neg()).neg().mul(pos.neg().add(1)));
        return l.sum(new int[] {1});
    }
}
