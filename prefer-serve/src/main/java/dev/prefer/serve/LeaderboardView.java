package dev.prefer.serve;

import java.util.List;

/**
 * The leaderboard as the page shows it.
 *
 * @param rows        one per system, best first
 * @param method      how it was computed, in words
 * @param bootstrap   bootstrap resamples behind the intervals
 * @param seed        seed of the bootstrap
 */
public record LeaderboardView(List<Row> rows, String method, int bootstrap, long seed) {

    /**
     * @param rank   rank from the intervals: 1 + the number of systems whose interval lies wholly above this one's
     * @param rating Elo-scale rating (400 log10 odds, anchored at 1000 for the mean)
     * @param lo     lower end of the 95% bootstrap interval
     * @param hi     upper end
     * @param votes  votes involving this system
     */
    public record Row(int rank, String system, double rating, double lo, double hi, long votes) {}
}
