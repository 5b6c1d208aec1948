package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * APO-down. D'Oosterlinck et al. 2024, "Anchored Preference Optimization and Contrastive Revisions",
 * arXiv 2408.06266, Eq. 8 (as cited in TRL's {@code apo_down}): for chosen outputs worse than the model's own,
 * <pre>  L = σ(β ρ_w) + [1 − σ(β (ρ_w − ρ_l))]</pre>
 * lowers the chosen likelihood and the rejected one more.
 */
public final class ApoDown extends PairObjective {
    private final double beta;

    public ApoDown(double beta) {
        requirePositive("beta", beta);
        this.beta = beta;
    }

    @Override public String name() { return "apo-down"; }
    @Override public Requirements requirements() { return Requirements.pairs(true); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    @Override
    protected double pairLoss(Batch b, int g) {
        return Num.sigmoid(beta * b.logRatio(g, 0)) + 1 - Num.sigmoid(beta * logit(b, g));
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        NDArray rw = TensorBatch.col(t.logRatio(), 0).mul(Num.scalar(t.policy(), beta));
        return Num.sigmoid(rw).add(1).sub(Num.sigmoid(logit(t).mul(Num.scalar(t.policy(), beta))));
    }
}
