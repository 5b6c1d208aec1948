package dev.prefer.serve;

import dev.prefer.data.votes.Outcome;
import dev.prefer.ratings.Leaderboard;
import dev.prefer.ratings.RatingOptions;
import dev.prefer.ratings.Ratings;
import dev.prefer.serve.Records.Vote;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The live leaderboard of a campaign, computed by the ratings engine (prefer-ratings): a Bradley-Terry fit over
 * the included votes, each weighted by the inverse of the sampling probability of its pair (inverse-propensity
 * weighting, so an active policy that asks some pairs more often does not bias the ratings; weights normalised to
 * mean 1 so the total weight equals the vote count), 95% intervals from a seeded bootstrap, and ranks from the
 * intervals. Ties and both-bad count as ties.
 *
 * @param bootstrapRounds bootstrap resamples (default 200)
 * @param seed            bootstrap seed (fixed, so the page is stable between reloads of the same votes)
 */
public record Leaderboards(int bootstrapRounds, long seed) {

    public Leaderboards {
        if (bootstrapRounds < 0) throw new IllegalArgumentException("bootstrap rounds must be >= 0");
    }

    public Leaderboards() {
        this(200, 1);
    }

    /** Converts stored votes to the ratings engine's votes, with inverse-probability weights (mean 1). */
    public static List<dev.prefer.data.votes.Vote> ratingVotes(List<Vote> votes) {
        double sum = 0;
        for (Vote v : votes) sum += 1 / v.probability();
        double norm = votes.isEmpty() ? 1 : votes.size() / sum;
        List<dev.prefer.data.votes.Vote> out = new ArrayList<>(votes.size());
        for (Vote v : votes) {
            Outcome o = v.outcome();
            out.add(dev.prefer.data.votes.Vote.of(v.leftSystem(), v.rightSystem(), o, norm / v.probability(), v.username()));
        }
        return out;
    }

    /**
     * L2 penalty of the fit when the maximum-likelihood ratings do not exist yet (a system that has never lost, or
     * never won, within its comparison component: common in a campaign's first votes), as {@code prefer rate --l2}.
     */
    public static final double FALLBACK_L2 = 0.01;

    /**
     * The ratings engine's leaderboard of these votes: the maximum-likelihood fit, or, when it does not exist, the
     * fit with the {@link #FALLBACK_L2} penalty (the page says so).
     */
    public Leaderboard leaderboard(List<Vote> votes) {
        return fit(votes).lb();
    }

    private record Fitted(Leaderboard lb, String note) {}

    private Fitted fit(List<Vote> votes) {
        List<dev.prefer.data.votes.Vote> rv = ratingVotes(votes);
        RatingOptions o = RatingOptions.DEFAULT.withBootstrap(bootstrapRounds, seed);
        try {
            return new Fitted(Ratings.leaderboard(rv, o), "");
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || !e.getMessage().contains("maximum-likelihood ratings do not exist")) throw e;
            return new Fitted(Ratings.leaderboard(rv, o.withL2(FALLBACK_L2)), "Fitted with an L2 penalty of " + FALLBACK_L2
                    + " because " + e.getMessage().replaceFirst("; add a small L2 penalty.*$", "") + " (too few votes yet).");
        }
    }

    public LeaderboardView compute(List<String> systems, List<Vote> votes) {
        if (votes.isEmpty()) return new LeaderboardView(List.of(), "No votes yet.", bootstrapRounds, seed);
        Fitted f = fit(votes);
        Leaderboard lb = f.lb();
        List<LeaderboardView.Row> rows = new ArrayList<>();
        for (Leaderboard.Entry e : lb.entries()) {
            rows.add(new LeaderboardView.Row(e.rank(), e.item(), e.rating(), e.lower(), e.upper(), e.votes()));
        }
        String method = String.format(Locale.ROOT,
                "Bradley-Terry (%s), votes weighted by 1/sampling probability; %.0f%% %s intervals (%d resamples, seed %d); "
                        + "rank = 1 + systems whose interval lies wholly above. %s %s",
                lb.model(), 100 * lb.level(), lb.intervals(), lb.bootstrapRounds(), seed, f.note(), String.join(" ", lb.notes()));
        return new LeaderboardView(rows, method.strip(), lb.bootstrapRounds(), seed);
    }
}
