package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * cDPO, DPO with label smoothing. Mitchell 2023, "A note on DPO with noisy preferences and relationship to IPO"
 * (cdpo.pdf, Eq. 3; cited so in the DPO reference code):
 * <pre>  L = −(1 − ε) log σ(β h) − ε log σ(−β h)</pre>
 * ε is the assumed probability that a label is flipped. ε = 0 is DPO. Biased but conservative: the loss is
 * minimised at a finite h, σ(βh) = 1 − ε.
 */
public final class ConservativeDpo extends PairObjective {
    private final double beta;
    private final double epsilon;

    /** @param epsilon label-flip probability in [0, 0.5) (TRL's {@code label_smoothing}, e.g. 0.1) */
    public ConservativeDpo(double beta, double epsilon) {
        requirePositive("beta", beta);
        requireProbability("epsilon", epsilon, 0.5);
        this.beta = beta;
        this.epsilon = epsilon;
    }

    @Override public String name() { return "cdpo"; }
    @Override public Requirements requirements() { return Requirements.pairs(true); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    @Override
    protected double pairLoss(Batch b, int g) {
        double z = beta * logit(b, g);
        return -(1 - epsilon) * Num.logSigmoid(z) - epsilon * Num.logSigmoid(-z);
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        NDArray z = logit(t).mul(Num.scalar(t.policy(), beta));
        return Num.logSigmoid(z).mul(Num.scalar(z, -(1 - epsilon))).sub(Num.logSigmoid(z.neg()).mul(Num.scalar(z, epsilon)));
    }
}
