package dev.prefer.objectives.online;

/**
 * Rewards from a pairwise judge. For each prompt the judge fills a K × K matrix P with P[i][j] = P(y_i ≻ y_j | x)
 * (row-major, prompt-major: {@code probabilities[(g·K + i)·K + j]}); a Bradley-Terry reward model gives
 * P[i][j] = σ(r_i − r_j), a pairwise preference model or an LLM judge gives it directly (it may be intransitive).
 * Returns one number per completion, group-major.
 */
public final class WinRates {
    private WinRates() {}

    /**
     * Average win probability against the other samples of the same prompt:
     * <pre>  r_i = 1/(K−1) Σ_{j≠i} P[i][j]</pre>
     * The self-play reward of SPO (Swamy et al. 2024, "A Minimaximalist Approach to Reinforcement Learning from Human
     * Feedback", arXiv 2401.04056: the proportion of wins against the policy's own samples) and Pref-GRPO's group
     * reward (Wang et al. 2025, arXiv 2508.20751: pairwise win rates inside a GRPO group instead of pointwise scores;
     * feed the result to {@link Advantages#grpo(double[], int, Advantages.ScaleRewards)}).
     */
    public static double[] againstOthers(double[] probabilities, int k) {
        return rates(probabilities, k, false, false);
    }

    /**
     * The hard-judgement variant: r_i = 1/(K−1) Σ_{j≠i} 1[P[i][j] &gt; ½] (a judge that returns only a winner;
     * Pref-GRPO's counting of wins).
     */
    public static double[] hardAgainstOthers(double[] probabilities, int k) {
        return rates(probabilities, k, true, false);
    }

    /**
     * SPPO's win-rate estimate P̂(y_i ≻ π_t | x) = (1/K) Σ_j P[i][j] over all K samples, the diagonal included
     * (P[i][i] = ½ for a judge of scores), as the authors' code does (uclaml/SPPO @5e61c4e
     * scripts/compute_prob.py L41-46 and L84, L96-97: the row sum divided by K).
     */
    public static double[] sppo(double[] probabilities, int k) {
        return rates(probabilities, k, false, true);
    }

    private static double[] rates(double[] p, int k, boolean hard, boolean withSelf) {
        if (k < 2) throw new IllegalArgumentException("win rates need at least 2 samples per prompt, got " + k);
        if (p.length % (k * k) != 0) throw new IllegalArgumentException(p.length + " probabilities are not whole " + k + "x" + k + " matrices");
        for (int i = 0; i < p.length; i++)
            if (!(p[i] >= 0 && p[i] <= 1)) throw new IllegalArgumentException("probabilities[" + i + "] must be in [0, 1], got " + p[i]);
        int groups = p.length / (k * k);
        double[] out = new double[groups * k];
        for (int g = 0; g < groups; g++) {
            for (int i = 0; i < k; i++) {
                double s = 0;
                for (int j = 0; j < k; j++) {
                    if (j == i && !withSelf) continue;
                    double v = p[(g * k + i) * k + j];
                    s += hard ? (v > 0.5 ? 1 : 0) : v;
                }
                out[g * k + i] = s / (withSelf ? k : k - 1);
            }
        }
        return out;
    }
}
