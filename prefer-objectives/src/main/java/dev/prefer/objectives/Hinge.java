package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * Hinge (SLiC-HF's rank calibration loss on reference-normalised log-probs, as in RSO and TRL
 * {@code loss_type="hinge"}). Zhao et al. 2023, "SLiC-HF: Sequence Likelihood Calibration with Human Feedback",
 * arXiv 2305.10425; Liu et al. 2023, "Statistical Rejection Sampling Improves Preference Optimization",
 * arXiv 2309.06657 (equation numbers not re-checked here):
 * <pre>  L = max(0, 1 − β h)</pre>
 * i.e. SLiC's margin δ = 1/β on h. SLiC-HF's original form uses policy log-probs without a reference plus a
 * cross-entropy term on SFT targets; that exact regulariser is not implemented (compose {@link ChosenNll} with
 * {@link WeightedSum} for the cross-entropy part).
 */
public final class Hinge extends PairObjective {
    private final double beta;

    public Hinge(double beta) {
        requirePositive("beta", beta);
        this.beta = beta;
    }

    @Override public String name() { return "hinge"; }
    @Override public Requirements requirements() { return Requirements.pairs(true); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    @Override
    protected double pairLoss(Batch b, int g) {
        return Math.max(0, 1 - beta * logit(b, g));
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        NDArray z = logit(t).mul(Num.scalar(t.policy(), -beta)).add(1);
        return z.maximum(Num.scalar(z, 0));
    }
}
