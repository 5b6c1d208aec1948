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
 * log(1 − e^c) is computed stably near c = 0 in the twin; the tensor form caps c at −1e-6 (a mean token
 * probability of 0.999999) there, where float32 cannot represent 1 − e^c.
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

    /** log(1 − e^x) for x &lt; 0, stable near 0 as well (Mächler's log1mexp). */
    static double log1mExp(double x) {
        return x > -Math.log(2) ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
    }

    /** Mean log-probs are capped here in the tensor form, where 1 − e^c would round to 0 (P = 1 exactly). */
    static final double MAX_MEAN_LOGP = -1e-6;

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
        // log(1 − e^c) as TRL writes it; c is capped at −1e-6 so that a response of probability 1 stays finite.
        NDArray l1c = c.minimum(Num.scalar(c, MAX_MEAN_LOGP)).exp().neg().add(1).log();
        NDArray l1r = r.minimum(Num.scalar(r, MAX_MEAN_LOGP)).exp().neg().add(1).log();
        NDArray logOdds = c.sub(r).sub(l1c.sub(l1r));
        return c.neg().sub(Num.logSigmoid(logOdds).mul(Num.scalar(logOdds, lambda)));
    }
}
