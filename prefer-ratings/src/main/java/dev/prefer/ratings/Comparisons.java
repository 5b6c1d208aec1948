package dev.prefer.ratings;

import dev.prefer.data.votes.Outcome;
import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairwise votes collapsed to unique {@code (a, b, outcome)} rows with their vote counts and summed weights: the
 * sufficient statistics of every pairwise model here, and the unit the bootstrap resamples. Two million Arena
 * votes over 150 items collapse to at most 150·149·3 rows, so fits and bootstrap rounds cost nothing like a pass
 * over the votes. Ties and "both bad" are one tie outcome. Items are numbered in order of first appearance
 * (a before b within a vote). Immutable.
 */
public final class Comparisons {
    /** Outcome codes of {@link #outcome(int)}. */
    public static final byte A_WINS = 0, B_WINS = 1, TIE = 2;

    private final List<String> items;
    private final Map<String, Integer> index;
    private final int[] a;
    private final int[] b;
    private final byte[] outcome;
    private final double[] weight;
    private final double[] weightSq;
    private final long[] count;
    private final long votes;

    private Comparisons(List<String> items, int[] a, int[] b, byte[] outcome, double[] weight, double[] weightSq, long[] count) {
        this.items = List.copyOf(items);
        this.index = new HashMap<>();
        for (int i = 0; i < items.size(); i++) index.put(items.get(i), i);
        this.a = a;
        this.b = b;
        this.outcome = outcome;
        this.weight = weight;
        this.weightSq = weightSq;
        this.count = count;
        this.votes = Arrays.stream(count).sum();
    }

    /** Collapses votes (in any order; the result does not depend on it beyond item numbering). */
    public static Comparisons of(List<Vote> votes) {
        Map<String, Integer> idx = new HashMap<>();
        List<String> names = new ArrayList<>();
        int n = votes.size();
        int[] ia = new int[n];
        int[] ib = new int[n];
        byte[] oc = new byte[n];
        double[] w = new double[n];
        for (int k = 0; k < n; k++) {
            Vote v = votes.get(k);
            ia[k] = idx.computeIfAbsent(v.a(), s -> { names.add(s); return names.size() - 1; });
            ib[k] = idx.computeIfAbsent(v.b(), s -> { names.add(s); return names.size() - 1; });
            oc[k] = code(v.outcome());
            w[k] = v.weight();
        }
        return collapse(names, ia, ib, oc, w);
    }

    /**
     * Collapses votes given as item indices (0..items-1) and outcome codes; {@code weights} may be null (all 1).
     * The fastest way in for callers that already hold integer ids.
     */
    public static Comparisons ofIndexed(List<String> items, int[] a, int[] b, byte[] outcome, double[] weights) {
        int n = a.length;
        if (b.length != n || outcome.length != n || (weights != null && weights.length != n)) throw new IllegalArgumentException("arrays differ in length");
        for (int k = 0; k < n; k++) {
            if (a[k] < 0 || a[k] >= items.size() || b[k] < 0 || b[k] >= items.size()) throw new IllegalArgumentException("vote " + k + ": item index out of range");
            if (a[k] == b[k]) throw new IllegalArgumentException("vote " + k + ": a and b are the same item");
            if (outcome[k] < 0 || outcome[k] > 2) throw new IllegalArgumentException("vote " + k + ": outcome code must be 0, 1 or 2");
            if (weights != null && !(weights[k] > 0 && Double.isFinite(weights[k]))) throw new IllegalArgumentException("vote " + k + ": weight must be finite and > 0");
        }
        return collapse(items, a, b, outcome, weights);
    }

    /**
     * Comparisons from rows that are already collapsed elsewhere (e.g. a group-by in Spark): per row the item
     * indices, the outcome code, the summed weight, the summed squared weight and the vote count. Rows must be
     * unique per (a, b, outcome); their order is kept (it numbers bootstrap draws, so the same order gives the
     * same bootstrap as {@link #of}, which orders rows and items by first appearance).
     */
    public static Comparisons ofRows(List<String> items, int[] a, int[] b, byte[] outcome, double[] weight, double[] weightSq, long[] count) {
        int n = a.length;
        if (b.length != n || outcome.length != n || weight.length != n || weightSq.length != n || count.length != n) throw new IllegalArgumentException("arrays differ in length");
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int r = 0; r < n; r++) {
            if (a[r] < 0 || a[r] >= items.size() || b[r] < 0 || b[r] >= items.size() || a[r] == b[r]) throw new IllegalArgumentException("row " + r + ": bad item indices");
            if (outcome[r] < 0 || outcome[r] > 2) throw new IllegalArgumentException("row " + r + ": outcome code must be 0, 1 or 2");
            if (count[r] < 1 || !(weight[r] > 0) || !Double.isFinite(weight[r]) || !(weightSq[r] > 0)) throw new IllegalArgumentException("row " + r + ": count must be >= 1 and weights > 0");
            if (!seen.add(((long) a[r] * items.size() + b[r]) * 3 + outcome[r])) throw new IllegalArgumentException("row " + r + ": duplicate (a, b, outcome)");
        }
        return new Comparisons(items, a.clone(), b.clone(), outcome.clone(), weight.clone(), weightSq.clone(), count.clone());
    }

    static byte code(Outcome o) {
        return switch (o) {
            case A_WINS -> A_WINS;
            case B_WINS -> B_WINS;
            case TIE, BOTH_BAD -> TIE;
        };
    }

    private static Comparisons collapse(List<String> names, int[] ia, int[] ib, byte[] oc, double[] w) {
        int m = names.size();
        int n = ia.length;
        long cells = (long) m * m * 3;
        int rows = 0;
        int[] ra, rb;
        byte[] ro;
        double[] rw, rq;
        long[] rc;
        if (cells <= 1 << 22) {
            int[] slot = new int[(int) cells];
            Arrays.fill(slot, -1);
            ra = new int[16]; rb = new int[16]; ro = new byte[16]; rw = new double[16]; rq = new double[16]; rc = new long[16];
            // First pass over the votes assigns row slots in order of first occurrence.
            for (int k = 0; k < n; k++) {
                int key = (ia[k] * m + ib[k]) * 3 + oc[k];
                int s = slot[key];
                if (s < 0) {
                    if (rows == ra.length) {
                        int cap = rows * 2;
                        ra = Arrays.copyOf(ra, cap); rb = Arrays.copyOf(rb, cap); ro = Arrays.copyOf(ro, cap);
                        rw = Arrays.copyOf(rw, cap); rq = Arrays.copyOf(rq, cap); rc = Arrays.copyOf(rc, cap);
                    }
                    s = rows++;
                    slot[key] = s;
                    ra[s] = ia[k]; rb[s] = ib[k]; ro[s] = oc[k];
                }
                double wk = w == null ? 1.0 : w[k];
                rw[s] += wk;
                rq[s] += wk * wk;
                rc[s]++;
            }
        } else {
            Map<Long, Integer> slot = new HashMap<>();
            ra = new int[16]; rb = new int[16]; ro = new byte[16]; rw = new double[16]; rq = new double[16]; rc = new long[16];
            for (int k = 0; k < n; k++) {
                long key = ((long) ia[k] * m + ib[k]) * 3 + oc[k];
                Integer s = slot.get(key);
                if (s == null) {
                    if (rows == ra.length) {
                        int cap = rows * 2;
                        ra = Arrays.copyOf(ra, cap); rb = Arrays.copyOf(rb, cap); ro = Arrays.copyOf(ro, cap);
                        rw = Arrays.copyOf(rw, cap); rq = Arrays.copyOf(rq, cap); rc = Arrays.copyOf(rc, cap);
                    }
                    s = rows++;
                    slot.put(key, s);
                    ra[s] = ia[k]; rb[s] = ib[k]; ro[s] = oc[k];
                }
                double wk = w == null ? 1.0 : w[k];
                rw[s] += wk;
                rq[s] += wk * wk;
                rc[s]++;
            }
        }
        return new Comparisons(names, Arrays.copyOf(ra, rows), Arrays.copyOf(rb, rows), Arrays.copyOf(ro, rows),
                Arrays.copyOf(rw, rows), Arrays.copyOf(rq, rows), Arrays.copyOf(rc, rows));
    }

    public List<String> items() { return items; }
    public int itemCount() { return items.size(); }
    /** Index of an item, or -1. */
    public int indexOf(String item) { Integer i = index.get(item); return i == null ? -1 : i; }
    /** Number of unique (a, b, outcome) rows. */
    public int rows() { return a.length; }
    public int a(int row) { return a[row]; }
    public int b(int row) { return b[row]; }
    public byte outcome(int row) { return outcome[row]; }
    /** Summed vote weight of a row. */
    public double weight(int row) { return weight[row]; }
    /** Summed squared vote weights of a row (the sandwich's score variance needs it). */
    public double weightSquared(int row) { return weightSq[row]; }
    /** Number of votes in a row. */
    public long count(int row) { return count[row]; }
    /** Total number of votes. */
    public long votes() { return votes; }
    /** Summed weights of all rows (a copy). */
    public double[] weights() { return weight.clone(); }
    /** Vote counts of all rows (a copy). */
    public long[] counts() { return count.clone(); }

    /** Whether every vote weighs 1. */
    public boolean unweighted() {
        for (int r = 0; r < a.length; r++) if (weight[r] != count[r] || weightSq[r] != count[r]) return false;
        return true;
    }

    /**
     * The Arena's inverse-propensity reweighting (arena-rank {@code PairDataset.from_pandas}, reweighted=True):
     * every vote's weight is multiplied by 1 / max(n_pair, minPairCount), n_pair the number of votes of its
     * unordered pair, so rarely sampled pairs count as much as popular ones. Not normalised (scale does not
     * change Bradley-Terry's estimate or its sandwich intervals).
     */
    public Comparisons reweighted(int minPairCount) {
        if (minPairCount < 1) throw new IllegalArgumentException("min pair count must be >= 1");
        int n = items.size();
        Map<Long, Long> pairVotes = new HashMap<>();
        for (int r = 0; r < a.length; r++) pairVotes.merge(pairKey(a[r], b[r], n), count[r], Long::sum);
        double[] w = new double[a.length], q = new double[a.length];
        for (int r = 0; r < a.length; r++) {
            double f = 1.0 / Math.max(pairVotes.get(pairKey(a[r], b[r], n)), minPairCount);
            w[r] = weight[r] * f;
            q[r] = weightSq[r] * f * f;
        }
        return new Comparisons(items, a, b, outcome, w, q, count);
    }

    private static long pairKey(int x, int y, int n) {
        return (long) Math.min(x, y) * n + Math.max(x, y);
    }

    /** Summed squared weights of all rows (a copy). */
    public double[] weightsSquared() { return weightSq.clone(); }

    /** Votes each item took part in. */
    public long[] votesPerItem() {
        long[] v = new long[items.size()];
        for (int r = 0; r < a.length; r++) {
            v[a[r]] += count[r];
            v[b[r]] += count[r];
        }
        return v;
    }

    /** Per unordered pair, the summed weights of wins of each side and of ties, under the rows' own weights. */
    public PairTable pairs() {
        return PairTable.of(this, weight);
    }

    /** The names of items, unmodifiable. */
    public List<String> itemsView() { return Collections.unmodifiableList(items); }
}
