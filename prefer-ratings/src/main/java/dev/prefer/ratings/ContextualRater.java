package dev.prefer.ratings;

import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@link Rater} of contextual Bradley-Terry ({@link ContextualBradleyTerry}): per-vote features named by
 * {@link RatingOptions#features()}; Fisher intervals; the feature coefficients go into the notes.
 */
final class ContextualRater implements Rater {
    @Override public String name() { return "contextual"; }

    @Override
    public Result rate(List<Vote> votes, RatingOptions o) {
        if (votes.isEmpty()) throw new IllegalArgumentException("no votes to rate");
        if (o.features().isEmpty()) throw new IllegalArgumentException("model contextual needs feature columns (--features)");
        if (o.bootstrapRounds() > 0) throw new IllegalArgumentException("model contextual has no bootstrap; its intervals are Fisher intervals (drop --bootstrap)");
        if (o.intervals().equals("sandwich") || o.reweight() > 0) throw new IllegalArgumentException("model contextual has Fisher intervals and no reweighting; for the Arena's recipe (sandwich, reweighting) use --model style");
        ContextualBradleyTerry.Result r = ContextualBradleyTerry.fit(votes, o.features(), o.fit());
        Fit fit = r.fit();
        Comparisons c = Comparisons.of(votes);
        Leaderboard base = Leaderboard.of(fit, MixtureRater.votesPer(c, fit.items()), o.scale(), null, o.level());
        List<String> notes = new ArrayList<>();
        for (int k = 0; k < r.beta().length; k++) {
            notes.add(String.format(Locale.ROOT, "feature %s: beta %.4f (se %.4f) log-odds per unit", r.featureNames().get(k), r.beta()[k], r.betaSe()[k]));
        }
        Leaderboard lb = base.withModel("contextual-bt", Leaderboard.LOG_ODDS).withNotes(notes);
        return new Result(lb, fit.items(), Rater.winProbabilities(BradleyTerryModel.INSTANCE, fit.theta(), 0, fit.component()), Map.of());
    }
}
