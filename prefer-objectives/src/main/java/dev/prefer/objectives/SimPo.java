package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * SimPO, reference-free. Meng, Xia and Chen 2024, "SimPO: Simple Preference Optimization with a Reference-Free
 * Reward", arXiv 2405.14734, Eq. 6 (equation number not re-checked here; formula as TRL's CPO {@code simpo}):
 * <pre>  L = −log σ( (β/|y_w|) ℓ_θ(y_w) − (β/|y_l|) ℓ_θ(y_l) − γ )</pre>
 * The implicit reward is the length-normalised log-likelihood β ℓ_θ(y)/|y|; γ is the target reward margin.
 */
public final class SimPo extends PairObjective {
    private final double beta;
    private final double gamma;

    /** @param beta reward scale (paper: 2.0 to 2.5); @param gamma target margin (paper: about 0.5 to 1.6) */
    public SimPo(double beta, double gamma) {
        requirePositive("beta", beta);
        if (!Double.isFinite(gamma)) throw new IllegalArgumentException("gamma must be finite");
        this.beta = beta;
        this.gamma = gamma;
    }

    @Override public String name() { return "simpo"; }
    @Override public Requirements requirements() { return Requirements.pairs(false); }
    @Override public RewardForm rewardForm() { return new RewardForm(beta, false, true); }

    @Override
    protected double pairLoss(Batch b, int g) {
        double z = beta * (b.policy(g, 0) / b.tokens(g, 0) - b.policy(g, 1) / b.tokens(g, 1)) - gamma;
        return -Num.logSigmoid(z);
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        NDArray mean = t.policy().div(t.tokens()); // (B, 2)
        NDArray z = TensorBatch.col(mean, 0).sub(TensorBatch.col(mean, 1)).mul(Num.scalar(mean, beta)).sub(gamma);
        return Num.logSigmoid(z).neg();
    }
}
