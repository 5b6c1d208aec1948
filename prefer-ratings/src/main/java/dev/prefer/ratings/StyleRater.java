package dev.prefer.ratings;

import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@link Rater} of the Arena's style control ({@link StyleControl}): votes whose features are the raw
 * per-vote style features named by {@link RatingOptions#features()}; sandwich intervals, or with a bootstrap
 * ({@link StyleControl#bootstrap}) percentile intervals for ratings and coefficients; the coefficients with
 * their intervals in the notes and in {@code style.json} (arena-rank's output layout: competitors, ratings,
 * rating_lower, rating_upper, variances, coeffs, plus coefficient intervals).
 */
final class StyleRater implements Rater {
    @Override public String name() { return "style"; }

    @Override
    public Result rate(List<Vote> votes, RatingOptions o) {
        if (votes.isEmpty()) throw new IllegalArgumentException("no votes to rate");
        if (o.features().isEmpty()) throw new IllegalArgumentException("model style needs style features (--style-texts A,B on JSONL, or --style-columns, or --features)");
        StyleControl.Options so = new StyleControl.Options(o.styleL2(), o.reweight(), true, o.fit());
        StyleControl.Prepared pr = StyleControl.prepare(votes, o.features(), so);
        StyleControl.Result r = StyleControl.fit(pr, o.features(), so);
        return result(r, MixtureRater.votesPer(Comparisons.of(votes), r.fit().items()),
                o.bootstrapRounds() > 0 ? StyleControl.bootstrap(pr, r, so, o.bootstrapRounds(), o.seed()) : null, o);
    }

    /**
     * The leaderboard, win probabilities and style.json of a style-control fit.
     *
     * @param votesPerItem votes per item, in the fit's item order
     * @param replicates   bootstrap rounds (θ then β; null entries failed), or null for sandwich intervals
     */
    static Result result(StyleControl.Result r, long[] votesPerItem, List<double[]> replicates, RatingOptions o) {
        Fit fit = r.fit();
        int n = fit.items().size(), p = r.beta().length;
        double z = org.apache.commons.math3.special.Erf.erfInv(o.level()) * Math.sqrt(2);
        Bootstrap.Result boot = null;
        double[][] betaCi = new double[p][];
        for (int k = 0; k < p; k++) betaCi[k] = new double[] {r.beta()[k] - z * r.betaSe()[k], r.beta()[k] + z * r.betaSe()[k]};
        if (replicates != null) {
            List<double[]> ok = replicates.stream().filter(java.util.Objects::nonNull).toList();
            double[][] th = new double[ok.size()][];
            for (int k = 0; k < th.length; k++) th[k] = java.util.Arrays.copyOf(ok.get(k), n);
            boot = new Bootstrap.Result(th, new int[th.length][n], replicates.size() - ok.size(), o.seed());
            double[] col = new double[ok.size()];
            for (int j = 0; j < p; j++) {
                for (int k = 0; k < col.length; k++) col[k] = ok.get(k)[n + j];
                java.util.Arrays.sort(col);
                betaCi[j] = col.length == 0 ? new double[] {Double.NaN, Double.NaN}
                        : new double[] {dev.prefer.core.stats.Bootstrap.quantile(col, (1 - o.level()) / 2), dev.prefer.core.stats.Bootstrap.quantile(col, (1 + o.level()) / 2)};
            }
        }
        List<String> notes = new ArrayList<>();
        notes.add("style control (arena-rank recipe): ties as half wins, features z-normalised, style L2 " + o.styleL2()
                + (o.reweight() > 0 ? ", reweighted 1/max(pair votes, " + o.reweight() + ")" : ", not reweighted"));
        List<Map<String, Object>> coeffs = new ArrayList<>();
        for (int k = 0; k < r.beta().length; k++) {
            double lo = betaCi[k][0], hi = betaCi[k][1];
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
        Leaderboard lb = Leaderboard.of(fit, votesPerItem, o.scale(), boot, o.level(), "sandwich")
                .withModel("style-bt", Leaderboard.LOG_ODDS).withNotes(notes);
        Map<String, Object> arena = lb.toArenaMap();
        arena.put("coeffs", coeffs);
        return new Result(lb, fit.items(), Rater.winProbabilities(BradleyTerryModel.INSTANCE, fit.theta(), 0, fit.component()), Map.of("style.json", arena));
    }
}
