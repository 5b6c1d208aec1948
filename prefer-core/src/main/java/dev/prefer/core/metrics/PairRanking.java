package dev.prefer.core.metrics;

/**
 * Ranking accuracy, idealized ranking accuracy (R*) and the alignment gap of a policy on N preference pairs, from
 * sequence log-probs in memory (Chen et al. 2024, "Preference Learning Algorithms Do Not Learn Preference
 * Rankings", arXiv 2405.19534): what the trainer reports on its evaluation split and what prefer-eval's
 * {@code PairLogpsEval} computes from log-prob files.
 */
public final class PairRanking {
    private PairRanking() {}

    /** Sequence log-probs of N pairs. */
    public record PairLogps(double[] chosen, double[] rejected, int[] chosenTokens, int[] rejectedTokens) {
        public int size() {
            return chosen.length;
        }
    }

    /**
     * @param policy  R and R_norm of the policy
     * @param rStar   R* of the reference at beta (null without a reference file)
     * @param gap     R* − R, summed log-probs (null without a reference file)
     * @param gapNormalized R*_norm − R_norm with length-normalised log-probs (null without a reference file)
     */
    public record Summary(int n, RankingAccuracy.Result policy, Double rStar, Double rStarNormalized, Double gap, Double gapNormalized,
                          double beta, double tieBand) {}

    /**
     * @param policy    the policy's log-probs
     * @param reference the reference's log-probs on the same pairs, or null (then no R*)
     * @param alpha     α per pair, or null for all ones
     */
    public static Summary evaluate(PairLogps policy, PairLogps reference, double[] alpha, double beta, double tieBand) {
        RankingAccuracy.Result r = RankingAccuracy.of(policy.chosen(), policy.rejected(), policy.chosenTokens(), policy.rejectedTokens());
        if (reference == null) return new Summary(r.n(), r, null, null, null, null, beta, tieBand);
        if (reference.size() != policy.size()) {
            throw new IllegalArgumentException("policy and reference log-probs cover different numbers of pairs: " + policy.size() + " vs " + reference.size());
        }
        double[] a = alpha;
        if (a == null) {
            a = new double[policy.size()];
            java.util.Arrays.fill(a, 1.0);
        }
        if (a.length != policy.size()) throw new IllegalArgumentException("alpha has " + a.length + " values for " + policy.size() + " pairs");
        IdealizedRankingAccuracy.Result star = new IdealizedRankingAccuracy(beta, tieBand, false)
                .of(reference.chosen(), reference.rejected(), reference.chosenTokens(), reference.rejectedTokens(), a);
        IdealizedRankingAccuracy.Result starN = new IdealizedRankingAccuracy(beta, tieBand, true)
                .of(reference.chosen(), reference.rejected(), reference.chosenTokens(), reference.rejectedTokens(), a);
        return new Summary(r.n(), r, star.rStar(), starN.rStar(), IdealizedRankingAccuracy.alignmentGap(star, r, false),
                IdealizedRankingAccuracy.alignmentGap(starN, r, true), beta, tieBand);
    }
}
