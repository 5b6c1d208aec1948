package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * APO-zero. D'Oosterlinck et al. 2024, "Anchored Preference Optimization and Contrastive Revisions",
 * arXiv 2408.06266, Eq. 7 (as cited in TRL's {@code apo_zero}): for chosen outputs better than the model's own,
 * <pre>  L = [1 − σ(β ρ_w)] + σ(β ρ_l)</pre>
 * raises the chosen likelihood and lowers the rejected one, each anchored to the reference.
 */
public final class ApoZero extends PairObjective {
    private final double beta;

    public ApoZero(double beta) {
        requirePositive("beta", beta);
        this.beta = beta;
    }

    @Override public String name() { return "apo-zero"; }
    @Override public Requirements requirements() { return Requirements.pairs(true); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    @Override
    protected double pairLoss(Batch b, int g) {
        return 1 - Num.sigmoid(beta * b.logRatio(g, 0)) + Num.sigmoid(beta * b.logRatio(g, 1));
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        NDArray r = t.logRatio().mul(Num.scalar(t.policy(), beta));
        return Num.sigmoid(TensorBatch.col(r, 0)).neg().add(1).add(Num.sigmoid(TensorBatch.col(r, 1)));
    }
}
