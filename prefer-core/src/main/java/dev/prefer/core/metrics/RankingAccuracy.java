package dev.prefer.core.metrics;

/**
 * Ranking accuracy (Chen et al. 2024, "Preference Learning Algorithms Do Not Learn Preference Rankings",
 * arXiv 2405.19534; ../shared/METHODS.md): the share of preference pairs on which the model gives the chosen response the
 * higher likelihood,
 * <pre>
 *   R(π)     = (1/N) Σ_i 1[ log π(y_w|x) &gt; log π(y_l|x) ]                      (summed log-probs)
 *   R_norm(π) = (1/N) Σ_i 1[ log π(y_w|x)/|y_w| &gt; log π(y_l|x)/|y_l| ]        (length-normalised, per-token mean)
 * </pre>
 * Ties count as wrong (the comparison is strict) and are reported separately. This is a property of the model
 * alone; TRL's {@code rewards/accuracies} (implicit-reward accuracy, which subtracts the reference) is a different
 * quantity.
 *
 * <p>Inputs are sequence log-probs as the trainer computes them: the SUM over response tokens of
 * {@code log π(token | prefix)}, and each response's token count (eos included, as in the fixtures' convention).
 */
public final class RankingAccuracy {
    private RankingAccuracy() {}

    /**
     * @param summed           R, with summed log-probs
     * @param lengthNormalized R_norm, with per-token mean log-probs
     * @param n                pairs
     * @param tiesSummed       pairs with equal summed log-probs (counted wrong)
     * @param tiesNormalized   pairs with equal mean log-probs (counted wrong)
     * @param correctSummed    per pair, 1 if ranked right by summed log-probs, else 0 (for paired bootstraps)
     * @param correctNormalized per pair, the same for mean log-probs
     */
    public record Result(double summed, double lengthNormalized, int n, int tiesSummed, int tiesNormalized,
                         double[] correctSummed, double[] correctNormalized) {}

    /**
     * @param chosenLogp     (N) summed log-prob of each chosen response
     * @param rejectedLogp   (N) summed log-prob of each rejected response
     * @param chosenTokens   (N) token count of each chosen response, >= 1
     * @param rejectedTokens (N) token count of each rejected response, >= 1
     */
    public static Result of(double[] chosenLogp, double[] rejectedLogp, int[] chosenTokens, int[] rejectedTokens) {
        int n = chosenLogp.length;
        requireSameLength(n, rejectedLogp.length, chosenTokens.length, rejectedTokens.length);
        if (n == 0) throw new IllegalArgumentException("no pairs");
        double[] cs = new double[n], cn = new double[n];
        int ts = 0, tn = 0;
        double sumS = 0, sumN = 0;
        for (int i = 0; i < n; i++) {
            requireLogp(chosenLogp[i], "chosenLogp", i);
            requireLogp(rejectedLogp[i], "rejectedLogp", i);
            if (chosenTokens[i] < 1 || rejectedTokens[i] < 1) throw new IllegalArgumentException("token counts must be >= 1 at pair " + i);
            if (chosenLogp[i] == rejectedLogp[i]) ts++;
            cs[i] = chosenLogp[i] > rejectedLogp[i] ? 1 : 0;
            double mc = chosenLogp[i] / chosenTokens[i], mr = rejectedLogp[i] / rejectedTokens[i];
            if (mc == mr) tn++;
            cn[i] = mc > mr ? 1 : 0;
            sumS += cs[i];
            sumN += cn[i];
        }
        return new Result(sumS / n, sumN / n, n, ts, tn, cs, cn);
    }

    static void requireSameLength(int n, int... others) {
        for (int m : others) if (m != n) throw new IllegalArgumentException("input arrays differ in length: " + n + " vs " + m);
    }

    public static void requireLogp(double v, String name, int i) {
        if (Double.isNaN(v) || v > 0 || v == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + "[" + i + "] must be a log-probability (<= 0, not NaN): " + v);
        }
    }
}
