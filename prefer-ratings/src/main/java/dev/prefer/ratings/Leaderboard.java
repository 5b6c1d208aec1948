package dev.prefer.ratings;

import dev.prefer.data.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.special.Erf;

/**
 * A ranked table of items with ratings on a {@link Scale} and confidence intervals. Intervals come from a
 * bootstrap when one was run, else from the Fisher-information standard errors (rating ± z·se), else they are
 * the rating itself. Ranks come from the intervals, as on the Chatbot Arena: rank = 1 + the number of items (in
 * the same component) whose lower bound is above this item's upper bound. Entries are sorted by rating, best
 * first. Immutable.
 *
 * @param model     the model's name
 * @param scale     the scale of every number here
 * @param entries   best first
 * @param intervals "bootstrap", "fisher" or "none"
 * @param level     the confidence level of the intervals, e.g. 0.95
 * @param bootstrapRounds successful bootstrap rounds (0 when none)
 * @param failedRounds    bootstrap rounds without an estimate
 * @param notes     messages from the fit
 * @param unit      what a difference of one natural unit of θ means: {@link #LOG_ODDS} (Bradley-Terry family,
 *                  on the Elo scale 400·log10 odds), {@link #PROBIT} (Thurstone: the Elo-like scale is then
 *                  173.7 points per probit unit, not odds), {@link #ONLINE} (online Elo points, TrueSkill μ)
 */
public record Leaderboard(String model, Scale scale, List<Entry> entries, String intervals, double level,
                          int bootstrapRounds, int failedRounds, List<String> notes, String unit) {
    /** θ is a natural-log strength: P(i beats j) = σ(θ_i − θ_j). */
    public static final String LOG_ODDS = "log-odds";
    /** θ is in probit units: P(i beats j) = Φ(θ_i − θ_j). */
    public static final String PROBIT = "probit";
    /** Ratings come on their own scale (online Elo points, TrueSkill μ). */
    public static final String ONLINE = "online";

    /**
     * One item.
     *
     * @param rank          rank from the intervals (ties share a rank)
     * @param item          name
     * @param rating        on the scale
     * @param lower         lower end of the interval
     * @param upper         upper end of the interval
     * @param standardError Fisher-information standard error on the scale (NaN when not computed)
     * @param votes         votes the item took part in
     * @param component     comparison-graph component (0 when connected)
     */
    public record Entry(int rank, String item, double rating, double lower, double upper, double standardError,
                        long votes, int component) {}

    public Leaderboard {
        entries = List.copyOf(entries);
        notes = List.copyOf(notes);
        unit = unit == null ? LOG_ODDS : unit;
    }

    /** Same, with more notes. */
    public Leaderboard withNotes(List<String> more) {
        List<String> all = new ArrayList<>(notes);
        all.addAll(more);
        return new Leaderboard(model, scale, entries, intervals, level, bootstrapRounds, failedRounds, all, unit);
    }

    /** Same, under another model name and unit. */
    public Leaderboard withModel(String name, String unit) {
        return new Leaderboard(name, scale, entries, intervals, level, bootstrapRounds, failedRounds, notes, unit);
    }

    /** What the scale means for this model's numbers, e.g. "elo: 400*log10 odds, mean 1000". */
    public String describeScale() {
        if (unit.equals(PROBIT)) {
            String k = scale.kind() == Scale.Kind.ELO ? "elo-like: 173.7 points per probit unit (Phi of the difference, not odds)" : "probit units";
            return scale.anchorItem() != null ? k + ", '" + scale.anchorItem() + "' = " + scale.anchorRating() : k + ", mean " + scale.center();
        }
        if (unit.equals(ONLINE)) return model.equals("elo") ? "online Elo points (initial 1000)" : "TrueSkill mu";
        return scale.describe();
    }

    /** Whether the entries carry intervals (false: lower and upper are NaN). */
    public boolean hasIntervals() {
        return !intervals.equals("none");
    }

    /** Builds a leaderboard from a fit, optional bootstrap (may be null) and per-item vote counts. */
    public static Leaderboard of(Fit fit, long[] votesPerItem, Scale scale, Bootstrap.Result boot, double level) {
        return of(fit, votesPerItem, scale, boot, level, "fisher");
    }

    /**
     * Same, naming where the fit's standard errors come from when there is no bootstrap ("fisher" or "sandwich":
     * intervals are then rating ± z·se).
     */
    public static Leaderboard of(Fit fit, long[] votesPerItem, Scale scale, Bootstrap.Result boot, double level, String seMethod) {
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("level must be in (0, 1): " + level);
        List<String> items = fit.items();
        int n = items.size();
        int[] comp = fit.component();
        double[] rating = scale.apply(fit.theta(), items, comp);
        double[] se = fit.standardError();
        double[] lo = new double[n], hi = new double[n];
        String how;
        if (boot != null && boot.rounds() > 0) {
            double[][] iv = boot.intervals(scale, items, level);
            for (int i = 0; i < n; i++) { lo[i] = iv[i][0]; hi[i] = iv[i][1]; }
            how = "bootstrap";
        } else if (n > 0 && java.util.Arrays.stream(se).allMatch(Double::isFinite)) {
            double z = Math.sqrt(2) * Erf.erfInv(level);
            for (int i = 0; i < n; i++) { lo[i] = rating[i] - z * se[i] * scale.unit(); hi[i] = rating[i] + z * se[i] * scale.unit(); }
            how = seMethod;
        } else {
            java.util.Arrays.fill(lo, Double.NaN);
            java.util.Arrays.fill(hi, Double.NaN);
            how = "none";
        }
        List<Entry> es = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            es.add(new Entry(rank(i, rating, lo, hi, comp), items.get(i), rating[i], lo[i], hi[i], se[i] * scale.unit(),
                    votesPerItem == null ? 0 : votesPerItem[i], comp[i]));
        }
        es.sort(Comparator.comparingInt(Entry::component).thenComparing(Comparator.comparingDouble(Entry::rating).reversed())
                .thenComparing(Entry::item));
        return new Leaderboard(fit.model(), scale, es, how, level, boot == null ? 0 : boot.rounds(),
                boot == null ? 0 : boot.failed(), fit.notes(), LOG_ODDS);
    }

    /**
     * Arena rank: 1 + the items of the same component whose lower bound is above this item's upper bound; without
     * intervals (NaN bounds), 1 + the items of the component rated strictly higher.
     */
    static int rank(int i, double[] rating, double[] lo, double[] hi, int[] comp) {
        int rank = 1;
        boolean none = Double.isNaN(lo[i]) || Double.isNaN(hi[i]);
        for (int j = 0; j < rating.length; j++) {
            if (j == i || comp[j] != comp[i]) continue;
            if (none ? rating[j] > rating[i] : lo[j] > hi[i]) rank++;
        }
        return rank;
    }

    /**
     * A leaderboard of ratings that are already on their final scale (online Elo, TrueSkill): intervals as given
     * (null, or NaN bounds, for none; {@code intervals} then must be "none"), ranks from them, one component.
     */
    public static Leaderboard ofRatings(String model, Scale scale, List<String> items, double[] rating, double[] lower,
                                        double[] upper, long[] votes, String intervals, double level, int rounds,
                                        List<String> notes) {
        int n = items.size();
        double[] lo = lower == null || intervals.equals("none") ? nanArray(n) : lower;
        double[] hi = upper == null || intervals.equals("none") ? nanArray(n) : upper;
        int[] comp = new int[n];
        List<Entry> es = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            es.add(new Entry(rank(i, rating, lo, hi, comp), items.get(i), rating[i], lo[i], hi[i], Double.NaN, votes == null ? 0 : votes[i], 0));
        }
        es.sort(Comparator.comparingDouble(Entry::rating).reversed().thenComparing(Entry::item));
        return new Leaderboard(model, scale, es, intervals, level, rounds, 0, notes, ONLINE);
    }

    private static double[] nanArray(int n) {
        double[] x = new double[n];
        java.util.Arrays.fill(x, Double.NaN);
        return x;
    }

    /** The entry of an item. */
    public Entry entry(String item) {
        return entries.stream().filter(e -> e.item().equals(item)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown item '" + item + "'"));
    }

    /** A console table. */
    public String toTable() {
        int w = Math.max(4, entries.stream().mapToInt(e -> e.item().length()).max().orElse(4));
        boolean multi = entries.stream().anyMatch(e -> e.component() != 0);
        String fmt = scale.kind() == Scale.Kind.ELO || unit.equals(ONLINE) ? "%9.1f" : "%9.4f";
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-4s  %-" + w + "s  %9s  %21s  %8s%s%n", "rank", "item", "rating",
                Math.round(level * 100) + "% interval", "votes", multi ? "  comp" : ""));
        for (Entry e : entries) {
            String f1 = scale.kind() == Scale.Kind.ELO || unit.equals(ONLINE) ? "%.1f" : "%.4f";
            String iv = Double.isNaN(e.lower()) ? "-" : String.format(Locale.ROOT, "[" + f1 + ", " + f1 + "]", e.lower(), e.upper());
            b.append(String.format(Locale.ROOT, "%4d  %-" + w + "s  " + fmt + "  %21s  %8d%s%n", e.rank(), e.item(), e.rating(),
                    iv, e.votes(), multi ? String.format(Locale.ROOT, "  %4d", e.component()) : ""));
        }
        b.append(String.format(Locale.ROOT, "model %s; scale %s; intervals %s%s%n", model, describeScale(), intervals,
                bootstrapRounds > 0 ? " (" + bootstrapRounds + " rounds" + (failedRounds > 0 ? ", " + failedRounds + " failed" : "") + ")" : ""));
        for (String note : notes) b.append("note: ").append(note).append('\n');
        return b.toString();
    }

    /** CSV with a header: rank,item,rating,lower,upper,se,votes,component. */
    public String toCsv() {
        StringBuilder b = new StringBuilder("rank,item,rating,lower,upper,se,votes,component\n");
        for (Entry e : entries) {
            b.append(e.rank()).append(',').append(csv(e.item())).append(',').append(num(e.rating())).append(',')
                    .append(num(e.lower())).append(',').append(num(e.upper())).append(',').append(num(e.standardError()))
                    .append(',').append(e.votes()).append(',').append(e.component()).append('\n');
        }
        return b.toString();
    }

    /** Pretty JSON: model, scale, interval method, level, entries. */
    public String toJson() {
        return Json.pretty(toMap());
    }

    /** The leaderboard as plain JSON-able values. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        Map<String, Object> sc = new LinkedHashMap<>();
        sc.put("kind", scale.kind().name().toLowerCase(Locale.ROOT));
        sc.put("center", scale.center());
        if (scale.anchorItem() != null) { sc.put("anchor", scale.anchorItem()); sc.put("anchorRating", scale.anchorRating()); }
        sc.put("unit", unit);
        sc.put("describe", describeScale());
        m.put("scale", sc);
        m.put("intervals", intervals);
        m.put("level", level);
        m.put("bootstrapRounds", bootstrapRounds);
        m.put("failedRounds", failedRounds);
        m.put("notes", notes);
        List<Map<String, Object>> es = new ArrayList<>();
        for (Entry e : entries) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("rank", e.rank());
            x.put("item", e.item());
            x.put("rating", e.rating());
            x.put("lower", Double.isFinite(e.lower()) ? e.lower() : null);
            x.put("upper", Double.isFinite(e.upper()) ? e.upper() : null);
            x.put("se", Double.isFinite(e.standardError()) ? e.standardError() : null);
            x.put("votes", e.votes());
            x.put("component", e.component());
            es.add(x);
        }
        m.put("entries", es);
        return m;
    }

    /**
     * arena-rank's result layout ({@code compute_ratings_and_cis}: competitors, ratings, rating_lower,
     * rating_upper, variances), in leaderboard order; variances are se² on the scale (null without se).
     */
    public Map<String, Object> toArenaMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> c = new ArrayList<>(), r = new ArrayList<>(), lo = new ArrayList<>(), hi = new ArrayList<>(), v = new ArrayList<>();
        for (Entry e : entries) {
            c.add(e.item());
            r.add(e.rating());
            lo.add(Double.isFinite(e.lower()) ? e.lower() : null);
            hi.add(Double.isFinite(e.upper()) ? e.upper() : null);
            v.add(Double.isFinite(e.standardError()) ? e.standardError() * e.standardError() : null);
        }
        m.put("competitors", c);
        m.put("ratings", r);
        m.put("rating_lower", lo);
        m.put("rating_upper", hi);
        m.put("variances", v);
        return m;
    }

    static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    static String num(double x) {
        return Double.isFinite(x) ? Double.toString(x) : "";
    }
}
