package dev.prefer.ratings;

import dev.prefer.data.votes.Vote;
import java.util.List;
import java.util.Locale;

/**
 * One call from votes in memory to a leaderboard, for every model {@code prefer rate} knows (Bradley-Terry and
 * its tie models, Thurstone, online Elo, TrueSkill, contextual Bradley-Terry, mixtures): the rater of
 * {@link RatingOptions#model()} ({@link Raters#of}) fits, bootstraps and puts the result on a scale. This is what
 * a service (e.g. the collection app's live leaderboard), the {@code prefer rate} command and the Spark module
 * call.
 *
 * <pre>{@code
 * Leaderboard lb = Ratings.leaderboard(votes, RatingOptions.DEFAULT.withBootstrap(200, 7));
 * Leaderboard elo = Ratings.leaderboard(votes, RatingOptions.DEFAULT.withModel("elo").withTimestampOrder(true));
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

    /** Leaderboard of votes in memory, any model. */
    public static Leaderboard leaderboard(List<Vote> votes, RatingOptions o) {
        return rate(votes, o).leaderboard();
    }

    /** Leaderboard, win probabilities and extras of votes in memory, any model. */
    public static Rater.Result rate(List<Vote> votes, RatingOptions o) {
        if (votes.isEmpty()) throw new IllegalArgumentException("no votes to rate");
        return Raters.of(o.model()).rate(votes, o);
    }

    /** Leaderboard of already collapsed votes (pairwise models: bt, pl, thurstone, davidson, rao-kupper). */
    public static Leaderboard leaderboard(Comparisons c, RatingOptions o) {
        return rate(c, o).leaderboard();
    }

    /**
     * Draws a pairwise model's bootstrap elsewhere (e.g. Poisson weights drawn in Spark) for
     * {@link #rate(Comparisons, RatingOptions, Resampler)}.
     */
    @FunctionalInterface
    public interface Resampler {
        /**
         * The bootstrap of {@code o.bootstrapRounds()} rounds.
         *
         * @param c       the rows the point fit used (reweighted when the options reweight)
         * @param point   the point fit (warm starts)
         * @param byCount votes are the sampling units and carry importance weights ({@link Bootstrap.Options#byCount()})
         */
        Bootstrap.Result bootstrap(PairwiseModel model, Comparisons c, Fit point, boolean byCount, RatingOptions o);
    }

    /** Like {@link #rate(Comparisons, RatingOptions)}, the bootstrap drawn by {@code resampler}. */
    public static Rater.Result rate(Comparisons c, RatingOptions o, Resampler resampler) {
        if (!(Raters.of(o.model()) instanceof PairwiseRater r)) {
            throw new IllegalArgumentException("model " + o.model() + " needs the votes themselves, not collapsed counts");
        }
        return r.rate(c, o, resampler);
    }

    /** Full result of already collapsed votes (pairwise models only; online and per-vote models need the votes). */
    public static Rater.Result rate(Comparisons c, RatingOptions o) {
        if (!(Raters.of(o.model()) instanceof PairwiseRater r)) {
            throw new IllegalArgumentException("model " + o.model() + " needs the votes themselves, not collapsed counts");
        }
        return r.rate(c, o);
    }

    /**
     * The full result of a style-control fit made elsewhere (e.g. with the sums aggregated in Spark): leaderboard,
     * win probabilities and style.json, exactly as {@code prefer rate --model style} reports them.
     *
     * @param votesPerItem votes per item, in the fit's item order
     * @param replicates   bootstrap rounds (θ then β per round, null for failed rounds), or null for sandwich intervals
     */
    public static Rater.Result style(StyleControl.Result fit, long[] votesPerItem, List<double[]> replicates, RatingOptions o) {
        return StyleRater.result(fit, votesPerItem, replicates, o);
    }
}
