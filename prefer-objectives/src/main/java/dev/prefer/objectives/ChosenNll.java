package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * The SFT term on the chosen response, as a preference objective: the mean token negative log-likelihood
 * <pre>  L = −ℓ_θ(y_w|x) / |y_w|</pre>
 * Reference-free. Used inside {@link Rpo} and composable with anything through {@link WeightedSum}
 * (TRL: {@code loss_type=[..., "sft"]}). Rewards for metrics are 0.
 */
public final class ChosenNll extends PairObjective {
    @Override public String name() { return "sft"; }
    @Override public Requirements requirements() { return Requirements.pairs(false); }
    @Override public RewardForm rewardForm() { return new RewardForm(0, false, false); }

    @Override
    protected double pairLoss(Batch b, int g) {
        return -b.policy(g, 0) / b.tokens(g, 0);
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        return TensorBatch.col(t.policy(), 0).div(TensorBatch.col(t.tokens(), 0)).neg();
    }
}
