package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * SPPO with hard probabilities. Wu et al. 2024, "Self-Play Preference Optimization for Language Model
 * Alignment", arXiv 2405.00675, Eq. 4.7 with P̂(y_w ≻ π) = 1 and P̂(y_l ≻ π) = 0 (TRL {@code sppo_hard}):
 * <pre>  L = (ρ_w − 1/(2β))² + (ρ_l + 1/(2β))²</pre>
 * (η = 1/β). Each response's log-ratio is regressed to its own target, not only their difference.
 */
public final class SppoHard extends PairObjective {
    private final double beta;

    public SppoHard(double beta) {
        requirePositive("beta", beta);
        this.beta = beta;
    }

    @Override public String name() { return "sppo-hard"; }
    @Override public Requirements requirements() { return Requirements.pairs(true); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    @Override
    protected double pairLoss(Batch b, int g) {
        double a = b.logRatio(g, 0) - 0.5 / beta;
        double c = b.logRatio(g, 1) + 0.5 / beta;
        return a * a + c * c;
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        NDArray rho = t.logRatio();
        return TensorBatch.col(rho, 0).sub(0.5 / beta).square().add(TensorBatch.col(rho, 1).add(0.5 / beta).square());
    }
}
