package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * NCA, pairwise form. Chen et al. 2024, "Noise Contrastive Alignment of Language Models with Explicit Rewards",
 * arXiv 2402.05369 (pairwise preference version as in TRL {@code nca_pair}; equation number not re-checked):
 * <pre>  L = −log σ(β ρ_w) − ½ log σ(−β ρ_w) − ½ log σ(−β ρ_l)</pre>
 * Unlike DPO it acts on each response's own reward β ρ, so it pushes the chosen likelihood up in absolute terms.
 */
public final class Nca extends PairObjective {
    private final double beta;

    public Nca(double beta) {
        requirePositive("beta", beta);
        this.beta = beta;
    }

    @Override public String name() { return "nca"; }
    @Override public Requirements requirements() { return Requirements.pairs(true); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    @Override
    protected double pairLoss(Batch b, int g) {
        double rw = beta * b.logRatio(g, 0);
        double rl = beta * b.logRatio(g, 1);
        return -Num.logSigmoid(rw) - 0.5 * Num.logSigmoid(-rw) - 0.5 * Num.logSigmoid(-rl);
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        NDArray r = t.logRatio().mul(Num.scalar(t.policy(), beta)); // (B, 2)
        NDArray rw = TensorBatch.col(r, 0);
        NDArray rl = TensorBatch.col(r, 1);
        return Num.logSigmoid(rw).neg().sub(Num.logSigmoid(rw.neg()).mul(Num.scalar(rw, 0.5))).sub(Num.logSigmoid(rl.neg()).mul(Num.scalar(rw, 0.5)));
    }
}
