package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * ORPO, reference-free. Hong, Lee and Thorne 2024, "ORPO: Monolithic Preference Optimization without Reference
 * Model", arXiv 2403.07691, Eqs. 6–7 (equation numbers not re-checked here; formula as TRL's ORPO trainer):
 * <pre>  c = ℓ_θ(y_w)/|y_w|,  r = ℓ_θ(y_l)/|y_l|   (mean token log-probs, so P = e^c)
 *   log odds(y) = log P − log(1 − P)
 *   L = −c − λ log σ( log odds(y_w) − log odds(y_l) )</pre>
 * The first term is the SFT loss on the chosen response. TRL averages that NLL over all chosen tokens of the
 * batch; here it is the per-sequence mean, weighted like every other group loss. Reward for metrics: λ·c.
 */
public final class Orpo extends PairObjective {
    private final double lambda;

    /** @param lambda weight of the odds-ratio term (TRL {@code beta}, default 0.1) */
    public Orpo(double lambda) {
        requirePositive("lambda", lambda);
        this.lambda = lambda;
    }

    @Override public String name() { return "orpo"; }
    @Override public Requirements requirements() { return Requirements.pairs(false); }
    @Override public RewardForm rewardForm() { return new RewardForm(lambda, false, true); }

    /** log(1 − e^x) for x &lt; 0, as TRL writes it: log1p(−exp(x)). */
    static double log1mExp(double x) {
        return Math.log1p(-Math.exp(x));
    }

    @Override
    protected double pairLoss(Batch b, int g) {
        double c = b.policy(g, 0) / b.tokens(g, 0);
        double r = b.policy(g, 1) / b.tokens(g, 1);
        double logOdds = (c - r) - (log1mExp(c) - log1mExp(r));
        return -c - lambda * Num.logSigmoid(logOdds);
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        NDArray mean = t.policy().div(t.tokens()); // (B, 2)
        NDArray c = TensorBatch.col(mean, 0);
        NDArray r = TensorBatch.col(mean, 1);
        NDArray l1c = c.exp().neg().add(1).log();
        NDArray l1r = r.exp().neg().add(1).log();
        NDArray logOdds = c.sub(r).sub(l1c.sub(l1r));
        return c.neg().sub(Num.logSigmoid(logOdds).mul(lambda));
    }
}
