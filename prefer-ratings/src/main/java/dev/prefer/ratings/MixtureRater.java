package dev.prefer.ratings;

import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@link Rater} of the EM mixture of Bradley-Terry models over annotators ({@link BradleyTerryMixture}): the
 * leaderboard is the largest component's, without intervals; every component goes to {@code mixture.json}.
 * Needs annotators (a mixture over one unknown annotator is plain Bradley-Terry) and has no bootstrap.
 */
final class MixtureRater implements Rater {
    @Override public String name() { return "mixture"; }

    @Override
    public Result rate(List<Vote> votes, RatingOptions o) {
        if (votes.isEmpty()) throw new IllegalArgumentException("no votes to rate");
        if (votes.stream().allMatch(v -> v.annotator() == null)) {
            throw new IllegalArgumentException("model mixture needs annotators (--annotator COLUMN): it groups votes by who cast them");
        }
        if (o.bootstrapRounds() > 0 || o.intervals().equals("sandwich")) throw new IllegalArgumentException("model mixture has no intervals (drop --bootstrap / --intervals)");
        if (o.reweight() > 0) throw new IllegalArgumentException("model mixture takes no reweighting (drop --reweight)");
        Comparisons c = Comparisons.of(votes);
        int k = o.components();
        List<String> notes = new ArrayList<>();
        if (k == 0) {
            double bestLl = Double.NEGATIVE_INFINITY;
            for (int kk = 1; kk <= 4; kk++) {
                double h = BradleyTerryMixture.heldOut(votes, BradleyTerryMixture.Options.of(kk, o.seed()), 0.2);
                notes.add(String.format(Locale.ROOT, "held-out log-likelihood with K=%d: %.2f", kk, h));
                if (h > bestLl) { bestLl = h; k = kk; }
            }
            notes.add("chose K=" + k);
        }
        BradleyTerryMixture.Result r = BradleyTerryMixture.fit(votes, BradleyTerryMixture.Options.of(k, o.seed()));
        int n = r.items().size();
        int top = 0;
        for (int q = 1; q < k; q++) if (r.weights()[q] > r.weights()[top]) top = q;
        List<Map<String, Object>> comps = new ArrayList<>();
        for (int q = 0; q < k; q++) {
            Leaderboard lq = Leaderboard.of(fit(r, q), votesPer(c, r.items()), o.scale(), null, o.level());
            notes.add(String.format(Locale.ROOT, "component %d: weight %.3f, top: %s", q, r.weights()[q],
                    String.join(", ", lq.entries().stream().limit(5).map(Leaderboard.Entry::item).toList())));
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("weight", r.weights()[q]);
            cm.put("leaderboard", lq.toMap());
            comps.add(cm);
        }
        Map<String, Object> resp = new LinkedHashMap<>();
        for (int u = 0; u < r.annotators().size(); u++) resp.put(r.annotators().get(u), r.responsibility()[u]);
        Map<String, Object> mix = new LinkedHashMap<>();
        mix.put("components", comps);
        mix.put("responsibilities", resp);
        mix.put("logLikelihood", r.logLikelihood());
        Fit fTop = fit(r, top);
        notes.add(0, "leaderboard of the largest component (" + top + "); all components in mixture.json; no intervals");
        Leaderboard lb = Leaderboard.of(fTop, votesPer(c, r.items()), o.scale(), null, o.level()).withModel("mixture", Leaderboard.LOG_ODDS).withNotes(notes);
        return new Result(lb, r.items(), Rater.winProbabilities(BradleyTerryModel.INSTANCE, fTop.theta(), 0, new int[n]), Map.of("mixture.json", mix));
    }

    private static Fit fit(BradleyTerryMixture.Result r, int q) {
        int n = r.items().size();
        double[] se = new double[n];
        Arrays.fill(se, Double.NaN);
        return new Fit("mixture", r.items(), r.theta()[q], se, new int[n], 1, new double[0], Double.NaN, r.iterations(), true, List.of());
    }

    static long[] votesPer(Comparisons c, List<String> items) {
        long[] all = c.votesPerItem();
        long[] out = new long[items.size()];
        for (int i = 0; i < items.size(); i++) out[i] = all[c.indexOf(items.get(i))];
        return out;
    }
}
