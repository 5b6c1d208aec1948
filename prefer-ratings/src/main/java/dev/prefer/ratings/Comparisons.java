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
    private final long[] count;
    private final long votes;

    private Comparisons(List<String> items, int[] a, int[] b, byte[] outcome, double[] weight, long[] count) {
        this.items = List.copyOf(items);
        this.index = new HashMap<>();
        for (int i = 0; i < items.size(); i++) index.put(items.get(i), i);
        this.a = a;
        this.b = b;
        this.outcome = outcome;
        this.weight = weight;
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
        double[] rw;
        long[] rc;
        if (cells <= 1 << 22) {
            int[] slot = new int[(int) cells];
            Arrays.fill(slot, -1);
            ra = new int[16]; rb = new int[16]; ro = new byte[16]; rw = new double[16]; rc = new long[16];
            // First pass over the votes assigns row slots in order of first occurrence.
            for (int k = 0; k < n; k++) {
                int key = (ia[k] * m + ib[k]) * 3 + oc[k];
                int s = slot[key];
                if (s < 0) {
                    if (rows == ra.length) {
                        int cap = rows * 2;
                        ra = Arrays.copyOf(ra, cap); rb = Arrays.copyOf(rb, cap); ro = Arrays.copyOf(ro, cap);
                        rw = Arrays.copyOf(rw, cap); rc = Arrays.copyOf(rc, cap);
                    }
                    s = rows++;
                    slot[key] = s;
                    ra[s] = ia[k]; rb[s] = ib[k]; ro[s] = oc[k];
                }
                rw[s] += w == null ? 1.0 : w[k];
                rc[s]++;
            }
        } else {
            Map<Long, Integer> slot = new HashMap<>();
            ra = new int[16]; rb = new int[16]; ro = new byte[16]; rw = new double[16]; rc = new long[16];
            for (int k = 0; k < n; k++) {
                long key = ((long) ia[k] * m + ib[k]) * 3 + oc[k];
                Integer s = slot.get(key);
                if (s == null) {
                    if (rows == ra.length) {
                        int cap = rows * 2;
                        ra = Arrays.copyOf(ra, cap); rb = Arrays.copyOf(rb, cap); ro = Arrays.copyOf(ro, cap);
                        rw = Arrays.copyOf(rw, cap); rc = Arrays.copyOf(rc, cap);
                    }
                    s = rows++;
                    slot.put(key, s);
                    ra[s] = ia[k]; rb[s] = ib[k]; ro[s] = oc[k];
                }
                rw[s] += w == null ? 1.0 : w[k];
                rc[s]++;
            }
        }
        return new Comparisons(names, Arrays.copyOf(ra, rows), Arrays.copyOf(rb, rows), Arrays.copyOf(ro, rows),
                Arrays.copyOf(rw, rows), Arrays.copyOf(rc, rows));
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
    /** Number of votes in a row. */
    public long count(int row) { return count[row]; }
    /** Total number of votes. */
    public long votes() { return votes; }
    /** Summed weights of all rows (a copy). */
    public double[] weights() { return weight.clone(); }
    /** Vote counts of all rows (a copy). */
    public long[] counts() { return count.clone(); }

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
