package dev.prefer.objectives.online;

import ai.djl.ndarray.NDArray;
import dev.prefer.objectives.Num;

/**
 * The geometric mixture Nash-MD samples from. Munos et al. 2024, "Nash Learning from Human Feedback",
 * arXiv 2312.00886 (Nash-MD, the regularised policy π^α ∝ π_θ^{1−α} π_ref^α); TRL's {@code GeometricMixtureWrapper}
 * (trl/experimental/nash_md/nash_md_trainer.py @f2cd577 L80-89) applies it per next-token distribution:
 * <pre>
 *   log π_mix(·|x, y_&lt;t) = log_softmax( α · logits_ref + (1 − α) · logits_θ )
 * </pre>
 * (softmax of the mixed logits is invariant to adding a constant per model, so logits and log-probs give the same
 * mixture). α = 0 is the policy, α = 1 the reference. A generator samples the next token from these log-probs.
 */
public final class GeometricMixture {
    private GeometricMixture() {}

    private static void checkAlpha(double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("mixture coefficient alpha must be in [0, 1], got " + alpha);
    }

    /** Mixture log-probs of rows of {@code v} logits (row-major, any number of rows), with a max shift. */
    public static double[] logProbs(double[] policyLogits, double[] referenceLogits, int v, double alpha) {
        checkAlpha(alpha);
        if (v < 1 || policyLogits.length % v != 0 || referenceLogits.length != policyLogits.length)
            throw new IllegalArgumentException("logits must be rows of " + v + " values, the same shape for policy and reference");
        double[] out = new double[policyLogits.length];
        double[] row = new double[v];
        for (int r = 0; r < policyLogits.length / v; r++) {
            for (int j = 0; j < v; j++) row[j] = alpha * referenceLogits[r * v + j] + (1 - alpha) * policyLogits[r * v + j];
            double lse = Num.logSumExp(row);
            for (int j = 0; j < v; j++) out[r * v + j] = row[j] - lse;
        }
        return out;
    }

    /** Mixture log-probs over the last axis, (..., V), of two logits arrays of one shape. */
    public static NDArray logProbs(NDArray policyLogits, NDArray referenceLogits, double alpha) {
        checkAlpha(alpha);
        if (!policyLogits.getShape().equals(referenceLogits.getShape()))
            throw new IllegalArgumentException("policy logits " + policyLogits.getShape() + " and reference logits " + referenceLogits.getShape() + " differ");
        NDArray mixed = referenceLogits.mul(Num.scalar(policyLogits, alpha)).add(policyLogits.mul(Num.scalar(policyLogits, 1 - alpha)));
        return mixed.logSoftmax(-1);
    }
}
