package dev.prefer.ratings;

import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@link Rater} of the Arena's style control ({@link StyleControl}): votes whose features are the raw
 * per-vote style features named by {@link RatingOptions#features()}; sandwich intervals; the coefficients with
 * their intervals in the notes and in {@code style.json} (arena-rank's output layout: competitors, ratings,
 * rating_lower, rating_upper, variances, coeffs, plus coefficient intervals).
 */
final class StyleRater implements Rater {
    @Override public String name() { return "style"; }

    @Override
    public Result rate(List<Vote> votes, RatingOptions o) {
        if (votes.isEmpty()) throw new IllegalArgumentException("no votes to rate");
        if (o.features().isEmpty()) throw new IllegalArgumentException("model style needs style features (--style-texts A,B on JSONL, or --style-columns, or --features)");
        if (o.bootstrapRounds() > 0) throw new IllegalArgumentException("model style has sandwich intervals only (drop --bootstrap)");
        StyleControl.Result r = StyleControl.fit(votes, o.features(), new StyleControl.Options(o.styleL2(), o.reweight(), true, o.fit()));
        Fit fit = r.fit();
        Comparisons c = Comparisons.of(votes);
        double z = org.apache.commons.math3.special.Erf.erfInv(o.level()) * Math.sqrt(2);
        List<String> notes = new ArrayList<>();
        notes.add("style control (arena-rank recipe): ties as half wins, features z-normalised, style L2 " + o.styleL2()
                + (o.reweight() > 0 ? ", reweighted 1/max(pair votes, " + o.reweight() + ")" : ", not reweighted"));
        List<Map<String, Object>> coeffs = new ArrayList<>();
        for (int k = 0; k < r.beta().length; k++) {
            double lo = r.beta()[k] - z * r.betaSe()[k], hi = r.beta()[k] + z * r.betaSe()[k];
            notes.add(String.format(Locale.ROOT, "style %s: beta %.4f [%.4f, %.4f] log-odds per standard deviation", r.featureNames().get(k), r.beta()[k], lo, hi));
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("feature", r.featureNames().get(k));
            cm.put("coeff", r.beta()[k]);
            cm.put("se", r.betaSe()[k]);
            cm.put("lower", lo);
            cm.put("upper", hi);
            cm.put("featureMean", r.featureMean()[k]);
            cm.put("featureStd", r.featureStd()[k]);
            coeffs.add(cm);
        }
        Leaderboard lb = Leaderboard.of(fit, MixtureRater.votesPer(c, fit.items()), o.scale(), null, o.level(), "sandwich")
                .withModel("style-bt", Leaderboard.LOG_ODDS).withNotes(notes);
        Map<String, Object> arena = lb.toArenaMap();
        arena.put("coeffs", coeffs);
        return new Result(lb, fit.items(), Rater.winProbabilities(BradleyTerryModel.INSTANCE, fit.theta(), 0, fit.component()), Map.of("style.json", arena));
    }
}
