package dev.prefer.objectives;

/**
 * How an objective's implicit reward of a response is read off the log-probs, for the TRL metrics:
 * {@code r = scale · (ℓ_θ − ℓ_ref) / |y|}, where the reference term is dropped when {@code useReference} is false
 * and the division when {@code lengthNormalized} is false. DPO: scale β, reference, summed. SimPO: β, no
 * reference, normalized.
 */
public record RewardForm(double scale, boolean useReference, boolean lengthNormalized) {
    public static RewardForm implicit(double beta) {
        return new RewardForm(beta, true, false);
    }

    /** Rewards of every response of a batch, (B*K). */
    public double[] rewards(Batch b) {
        double[] r = new double[b.size()];
        for (int g = 0; g < b.groups(); g++) {
            for (int j = 0; j < b.k(); j++) {
                double v = useReference ? b.logRatio(g, j) : b.policy(g, j);
                if (lengthNormalized) v /= b.tokens(g, j);
                r[g * b.k() + j] = scale * v;
            }
        }
        return r;
    }
}
