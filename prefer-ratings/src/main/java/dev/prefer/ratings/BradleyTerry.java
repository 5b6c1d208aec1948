package dev.prefer.ratings;

import dev.prefer.core.Scalars;
import dev.prefer.data.votes.Vote;
import java.util.List;

/**
 * Bradley-Terry maximum-likelihood ratings from pairwise votes — the entry point for Java callers.
 * P(a beats b) = σ(θ_a − θ_b); ties count as half a win for each side; vote weights multiply each vote's
 * log-likelihood; an optional L2 penalty (λ/2)‖θ‖² ({@link FitOptions#l2()}). Votes are collapsed to unique
 * (a, b, outcome) rows ({@link Comparisons}) and fitted by Newton's method ({@link PairwiseFitter}); disconnected
 * comparison graphs are rated per component.
 *
 * <pre>{@code
 * List<Vote> votes = List.of(Vote.of("x", "y", Outcome.A_WINS), Vote.of("y", "x", Outcome.TIE), ...);
 * Fit fit = BradleyTerry.fit(votes);                                  // log-strengths, SEs, convergence
 * Leaderboard lb = Ratings.leaderboard(votes, RatingOptions.DEFAULT   // Elo-like scale, mean 1000
 *         .withBootstrap(1000, 42));                                   // 95% bootstrap intervals, seed 42
 * System.out.print(lb.toTable());
 * }</pre>
 */
public final class BradleyTerry {
    private BradleyTerry() {}

    /** The model (likelihood) itself. */
    public static final PairwiseModel MODEL = BradleyTerryModel.INSTANCE;

    /** Unregularised fit with default options. */
    public static Fit fit(List<Vote> votes) {
        return fit(Comparisons.of(votes), FitOptions.DEFAULT);
    }

    public static Fit fit(List<Vote> votes, FitOptions options) {
        return fit(Comparisons.of(votes), options);
    }

    public static Fit fit(Comparisons comparisons, FitOptions options) {
        return PairwiseFitter.fit(MODEL, comparisons, options);
    }

    /** P(i beats j) = σ(θ_i − θ_j) for every pair: row i, column j; the diagonal is 1/2. */
    public static double[][] winProbabilities(Fit fit) {
        double[] th = fit.theta();
        int n = th.length;
        double[][] p = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) p[i][j] = Scalars.sigmoid(th[i] - th[j]);
        return p;
    }
}
