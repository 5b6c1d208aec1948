package dev.prefer.ratings;

import dev.prefer.data.votes.Vote;
import java.util.List;
import java.util.Locale;

/**
 * One call from votes in memory to a leaderboard: collapse, fit a pairwise model, optionally bootstrap, put on a
 * scale. This is what a service (e.g. the collection app's live leaderboard) and the {@code prefer rate} command
 * call.
 *
 * <pre>{@code
 * Leaderboard lb = Ratings.leaderboard(votes, RatingOptions.DEFAULT.withBootstrap(200, 7));
 * for (Leaderboard.Entry e : lb.entries()) System.out.println(e.rank() + " " + e.item() + " " + e.rating());
 * }</pre>
 */
public final class Ratings {
    private Ratings() {}

    /** The pairwise model of a name: bt, thurstone, davidson, rao-kupper. */
    public static PairwiseModel pairwiseModel(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "bt", "bradley-terry" -> BradleyTerryModel.INSTANCE;
            case "thurstone", "probit" -> ThurstoneModel.INSTANCE;
            case "davidson" -> DavidsonModel.INSTANCE;
            case "rao-kupper", "raokupper" -> RaoKupperModel.INSTANCE;
            default -> throw new IllegalArgumentException("unknown pairwise model '" + name + "' (bt, thurstone, davidson, rao-kupper)");
        };
    }

    /** Leaderboard of votes in memory. */
    public static Leaderboard leaderboard(List<Vote> votes, RatingOptions o) {
        if (votes.isEmpty()) throw new IllegalArgumentException("no votes to rate");
        return leaderboard(Comparisons.of(votes), o);
    }

    /** Leaderboard of already collapsed votes. */
    public static Leaderboard leaderboard(Comparisons c, RatingOptions o) {
        PairwiseModel model = pairwiseModel(o.model());
        Fit fit = PairwiseFitter.fit(model, c, o.fit());
        Bootstrap.Result boot = o.bootstrapRounds() > 0
                ? Bootstrap.run(model, c, o.fit(), fit, Bootstrap.Options.of(o.bootstrapRounds(), o.seed())) : null;
        return Leaderboard.of(fit, c.votesPerItem(), o.scale(), boot, o.level());
    }
}
