package dev.prefer.ratings;

import dev.prefer.data.votes.Vote;
import java.util.List;
import java.util.Map;

/**
 * One rating model behind one small type: votes in memory in, a leaderboard and its win probabilities out. Every
 * model {@code prefer rate} knows has one ({@link Raters#of}); {@link Ratings#leaderboard(List, RatingOptions)},
 * {@link Rate} and the Spark module all call this, so they give the same numbers. A rater refuses options it
 * cannot honour (e.g. a bootstrap for the mixture) with an {@link IllegalArgumentException} instead of ignoring
 * them.
 */
public interface Rater {
    /** The model name, e.g. "bt". */
    String name();

    /** Rates votes (non-empty) under the options. */
    Result rate(List<Vote> votes, RatingOptions o);

    /**
     * What a rater produced.
     *
     * @param leaderboard      the leaderboard
     * @param items            the order of the rows and columns of {@code winProbabilities}
     * @param winProbabilities P(row item beats column item), ties split evenly; NaN on the diagonal and where the
     *                         probability is not identified (items in different components of the comparison graph)
     * @param extras           further JSON-able results by file name (e.g. "mixture.json"), may be empty
     */
    record Result(Leaderboard leaderboard, List<String> items, double[][] winProbabilities, Map<String, Object> extras) {
        public Result {
            items = List.copyOf(items);
            extras = Map.copyOf(extras);
        }

        /** Whether any pair's win probability is not identified. */
        public boolean hasUnidentifiedPairs() {
            for (int i = 0; i < winProbabilities.length; i++) for (int j = 0; j < winProbabilities.length; j++) {
                if (i != j && Double.isNaN(winProbabilities[i][j])) return true;
            }
            return false;
        }
    }

    /** Win probabilities from a fit's θ under a pairwise model, NaN across components. */
    static double[][] winProbabilities(PairwiseModel model, double[] theta, double eta, int[] component) {
        int n = theta.length;
        double[][] p = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {
            p[i][j] = i == j || component[i] != component[j] ? Double.NaN : model.winProbability(theta[i] - theta[j], eta);
        }
        return p;
    }
}
