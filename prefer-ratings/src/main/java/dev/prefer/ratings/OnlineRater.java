package dev.prefer.ratings;

import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The {@link Rater} of the online models, online Elo ({@link OnlineElo}, the Arena's k 4) and TrueSkill
 * ({@link TrueSkillLadder}): votes are applied in the given order, or in timestamp order with
 * {@link RatingOptions#byTimestamp()}. Intervals: with a bootstrap, percentiles of the ratings refitted on votes
 * drawn with replacement, in the order drawn (FastChat's {@code get_bootstrap_result}: {@code
 * battles.sample(frac=1.0, replace=True)} then online Elo); without one, none for Elo and μ ± 2σ for TrueSkill.
 */
final class OnlineRater implements Rater {
    static final OnlineRater ELO = new OnlineRater("elo");
    static final OnlineRater TRUESKILL = new OnlineRater("trueskill");

    private final String name;

    private OnlineRater(String name) {
        this.name = name;
    }

    @Override public String name() { return name; }

    @Override
    public Result rate(List<Vote> votes, RatingOptions o) {
        if (votes.isEmpty()) throw new IllegalArgumentException("no votes to rate");
        if (o.reweight() > 0) throw new IllegalArgumentException("model " + name + " applies votes one by one and takes no reweighting (drop --reweight)");
        if (o.intervals().equals("sandwich")) throw new IllegalArgumentException("model " + name + " has no sandwich intervals (use --bootstrap N)");
        List<Vote> ordered = o.byTimestamp() ? Raters.inTimeOrder(votes) : votes;
        Comparisons c = Comparisons.of(votes);
        List<String> items = c.items();
        int n = items.size();
        double[][] run = run(ordered, items);
        double[] rating = run[0], sd = run[1];
        String order = o.byTimestamp() ? "in timestamp order" : "in the given (file) order";
        double[] lo = null, hi = null;
        String intervals = "none";
        List<String> notes = new ArrayList<>();
        if (o.bootstrapRounds() > 0) {
            double[][] iv = bootstrap(votes, items, o);
            lo = iv[0];
            hi = iv[1];
            intervals = "bootstrap";
            notes.add("bootstrap: " + o.bootstrapRounds() + " resamples of the votes with replacement, each applied in the order drawn");
        } else if (name.equals("trueskill")) {
            lo = new double[n];
            hi = new double[n];
            for (int i = 0; i < n; i++) { lo[i] = rating[i] - 2 * sd[i]; hi[i] = rating[i] + 2 * sd[i]; }
            intervals = "mu +- 2 sigma";
        }
        notes.add(0, name.equals("elo") ? "online Elo " + order + ": k 4, base 10, scale 400, initial 1000"
                : "TrueSkill " + order + " (mu, sigma; default environment)");
        double level = intervals.equals("mu +- 2 sigma") ? 0.9545 : o.level();
        Leaderboard lb = Leaderboard.ofRatings(name, name.equals("elo") ? Scale.elo() : Scale.log(), items, rating, lo, hi,
                c.votesPerItem(), intervals, level, o.bootstrapRounds(), notes);
        double[][] p = new double[n][n];
        double beta = TrueSkill.Options.DEFAULT.beta();
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {
            if (i == j) p[i][j] = Double.NaN;
            else if (name.equals("elo")) p[i][j] = 1 / (1 + Math.pow(10, (rating[j] - rating[i]) / 400));
            else p[i][j] = TrueSkill.cdf((rating[i] - rating[j]) / Math.sqrt(2 * beta * beta + sd[i] * sd[i] + sd[j] * sd[j]));
        }
        return new Result(lb, items, p, Map.of());
    }

    /** [ratings (or μ), σ (TrueSkill; NaN for Elo)] in the order of {@code items}; items absent from the votes NaN. */
    private double[][] run(List<Vote> votes, List<String> items) {
        List<String> got;
        double[] r, s;
        if (name.equals("elo")) {
            OnlineElo.Result e = OnlineElo.run(votes, OnlineElo.Options.ARENA);
            got = e.items();
            r = e.ratings();
            s = new double[r.length];
            Arrays.fill(s, Double.NaN);
        } else {
            TrueSkillLadder.Result t = TrueSkillLadder.run(votes, TrueSkill.Options.DEFAULT);
            got = t.items();
            r = t.mu();
            s = t.sigma();
        }
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < got.size(); i++) at.put(got.get(i), i);
        double[] ro = new double[items.size()], so = new double[items.size()];
        for (int i = 0; i < items.size(); i++) {
            Integer k = at.get(items.get(i));
            ro[i] = k == null ? Double.NaN : r[k];
            so[i] = k == null ? Double.NaN : s[k];
        }
        return new double[][] {ro, so};
    }

    /** Percentile intervals [lower[], upper[]] over resamples; an item missing from a resample is left out of it. */
    private double[][] bootstrap(List<Vote> votes, List<String> items, RatingOptions o) {
        int rounds = o.bootstrapRounds(), n = items.size(), nv = votes.size();
        SplittableRandom root = new SplittableRandom(o.seed());
        double[][] reps = new double[rounds][];
        List<Vote> sample = new ArrayList<>(nv);
        for (int k = 0; k < rounds; k++) {
            SplittableRandom rnd = root.split();
            sample.clear();
            for (int d = 0; d < nv; d++) sample.add(votes.get(rnd.nextInt(nv)));
            reps[k] = run(sample, items)[0];
        }
        double[] lo = new double[n], hi = new double[n];
        double[] col = new double[rounds];
        for (int i = 0; i < n; i++) {
            int m = 0;
            for (int k = 0; k < rounds; k++) if (!Double.isNaN(reps[k][i])) col[m++] = reps[k][i];
            if (m == 0) { lo[i] = hi[i] = Double.NaN; continue; }
            double[] s = Arrays.copyOf(col, m);
            Arrays.sort(s);
            lo[i] = dev.prefer.core.stats.Bootstrap.quantile(s, (1 - o.level()) / 2);
            hi[i] = dev.prefer.core.stats.Bootstrap.quantile(s, (1 + o.level()) / 2);
        }
        return new double[][] {lo, hi};
    }
}
