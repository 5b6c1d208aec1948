package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * DPO, sigmoid loss. Rafailov et al. 2023, "Direct Preference Optimization: Your Language Model is Secretly a
 * Reward Model", arXiv 2305.18290, Eq. 7:
 * <pre>  L = −log σ(β h − m),   h = [ℓ_θ(y_w) − ℓ_ref(y_w)] − [ℓ_θ(y_l) − ℓ_ref(y_l)]</pre>
 * with the batch's per-row margin m (0 when absent; a positive offset as in ODPO, Amini et al. 2024,
 * arXiv 2402.10571). Gradient weight per pair σ(m − βh): pairs already ranked right learn little.
 * With policy = reference (and m = 0) the loss is ln 2.
 */
public final class Dpo extends PairObjective {
    private final double beta;

    /** @param beta KL strength β > 0 (TRL default 0.1) */
    public Dpo(double beta) {
        requirePositive("beta", beta);
        this.beta = beta;
    }

    public double beta() { return beta; }

    @Override public String name() { return "dpo"; }
    @Override public Requirements requirements() { return Requirements.pairs(true); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    @Override
    protected double pairLoss(Batch b, int g) {
        return -Num.logSigmoid(beta * logit(b, g) - b.margin(g));
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        NDArray z = logit(t).mul(Num.scalar(t.policy(), beta)); // (B)
        if (t.margins() != null) z = z.sub(t.margins());
        return Num.logSigmoid(z).neg();
    }
}
