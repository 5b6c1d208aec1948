package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;

/**
 * Robust DPO (rDPO). Chowdhury, Kini and Natarajan 2024, "Provably Robust DPO: Aligning Language Models with
 * Noisy Feedback", arXiv 2403.00409 (the de-biased loss of its Section 3; TRL {@code loss_type="robust"}):
 * <pre>  L = [ −(1 − ε) log σ(β h) + ε log σ(−β h) ] / (1 − 2ε)</pre>
 * An unbiased estimate of the clean DPO loss when each label is flipped with probability ε &lt; 1/2.
 */
public final class RobustDpo extends PairObjective {
    private final double beta;
    private final double epsilon;

    public RobustDpo(double beta, double epsilon) {
        requirePositive("beta", beta);
        requireProbability("epsilon", epsilon, 0.5);
        this.beta = beta;
        this.epsilon = epsilon;
    }

    @Override public String name() { return "robust-dpo"; }
    @Override public Requirements requirements() { return Requirements.pairs(true); }
    @Override public RewardForm rewardForm() { return RewardForm.implicit(beta); }

    @Override
    protected double pairLoss(Batch b, int g) {
        double z = beta * logit(b, g);
        return (-(1 - epsilon) * Num.logSigmoid(z) + epsilon * Num.logSigmoid(-z)) / (1 - 2 * epsilon);
    }

    @Override
    protected NDArray pairLosses(TensorBatch t) {
        NDArray z = logit(t).mul(Num.scalar(t.policy(), beta));
        return Num.logSigmoid(z).mul(Num.scalar(z, -(1 - epsilon))).add(Num.logSigmoid(z.neg()).mul(Num.scalar(z, epsilon)))
                .div(Num.scalar(z, 1 - 2 * epsilon));
    }
}
