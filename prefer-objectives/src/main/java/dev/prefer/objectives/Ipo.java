package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * IPO. Azar et al. 2023, "A General Theoretical Paradigm to Understand Learning from Human Preferences",
 * arXiv 2310.12036, Eq. 17 (the empirical IPO loss; equation number as cited in TRL's source):
 * <pre>  L = (h − 1/(2τ))²</pre>
 * τ plays the role of β. The paper and the DPO reference code use summed log-probs; TRL divides each log-prob by
 * its token count first: that is {@code new LengthNormalized(new Ipo(tau))} (catalog name {@code ipo-mean}).
 */
public final class Ipo extends PairObjective {
    private final double tau;

    public Ipo(double tau) {
        requirePositive("tau", tau);
        this.tau = tau;
    }

    @Override public String name() { return "ipo"; }
    @Override public Requirements requirements() { return Requirements.pairs(true); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(tau); }

    @Override
    protected double pairLoss(Batch b, int g) {
        double d = logit(b, g) - 1 / (2 * tau);
        return d * d;
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        return logit(t).sub(1 / (2 * tau)).square();
    }
}
