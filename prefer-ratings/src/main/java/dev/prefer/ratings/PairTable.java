package dev.prefer.ratings;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Pairwise data aggregated per unordered pair {@code i < j}: summed weights of i's wins, j's wins and ties. The
 * log-likelihood of every pairwise model here is a sum over these pairs, so this is all a fitter reads.
 * Arrays are exposed for speed and must not be modified.
 */
public final class PairTable {
    final int n;
    final int[] i;
    final int[] j;
    final double[] wi;
    final double[] wj;
    final double[] t;

    PairTable(int n, int[] i, int[] j, double[] wi, double[] wj, double[] t) {
        this.n = n;
        this.i = i;
        this.j = j;
        this.wi = wi;
        this.wj = wj;
        this.t = t;
    }

    /** Aggregates the rows of {@code c} with the given per-row weights (e.g. bootstrap weights; 0 drops a row). */
    public static PairTable of(Comparisons c, double[] rowWeight) {
        int n = c.itemCount();
        int rows = c.rows();
        int[] pi = new int[Math.min(rows, 1 << 20)];
        int[] pj = new int[pi.length];
        double[] a = new double[pi.length], b = new double[pi.length], tt = new double[pi.length];
        int m = 0;
        int[] dense = (long) n * n <= 1 << 20 ? new int[n * n] : null;
        Map<Long, Integer> sparse = dense == null ? new HashMap<>() : null;
        if (dense != null) Arrays.fill(dense, -1);
        for (int r = 0; r < rows; r++) {
            double w = rowWeight[r];
            if (w == 0) continue;
            int x = c.a(r), y = c.b(r);
            int lo = Math.min(x, y), hi = Math.max(x, y);
            int s;
            if (dense != null) {
                s = dense[lo * n + hi];
                if (s < 0) { s = m++; dense[lo * n + hi] = s; }
            } else {
                Integer q = sparse.get((long) lo * n + hi);
                if (q == null) { q = m++; sparse.put((long) lo * n + hi, q); }
                s = q;
            }
            if (s >= pi.length) {
                int cap = pi.length * 2;
                pi = Arrays.copyOf(pi, cap); pj = Arrays.copyOf(pj, cap);
                a = Arrays.copyOf(a, cap); b = Arrays.copyOf(b, cap); tt = Arrays.copyOf(tt, cap);
            }
            pi[s] = lo;
            pj[s] = hi;
            byte o = c.outcome(r);
            if (o == Comparisons.TIE) tt[s] += w;
            else if ((o == Comparisons.A_WINS) == (x == lo)) a[s] += w;
            else b[s] += w;
        }
        return new PairTable(n, Arrays.copyOf(pi, m), Arrays.copyOf(pj, m), Arrays.copyOf(a, m), Arrays.copyOf(b, m), Arrays.copyOf(tt, m));
    }

    /**
     * The rows-to-pairs map of some comparisons, computed once, so that tables under many row weightings (bootstrap
     * rounds) are built in O(rows) without hashing; pairs whose weights are all zero are left out, as in
     * {@link #of}.
     */
    static Layout layout(Comparisons c) {
        int rows = c.rows();
        PairTable all = of(c, c.weights());
        int n = c.itemCount();
        Map<Long, Integer> at = new HashMap<>();
        for (int p = 0; p < all.size(); p++) at.put((long) all.i[p] * n + all.j[p], p);
        int[] pair = new int[rows];
        byte[] slot = new byte[rows]; // 0: wins of i, 1: wins of j, 2: ties
        for (int r = 0; r < rows; r++) {
            int x = c.a(r), y = c.b(r);
            int lo = Math.min(x, y), hi = Math.max(x, y);
            pair[r] = at.get((long) lo * n + hi);
            byte o = c.outcome(r);
            slot[r] = o == Comparisons.TIE ? 2 : (o == Comparisons.A_WINS) == (x == lo) ? (byte) 0 : (byte) 1;
        }
        return new Layout(n, all.i, all.j, pair, slot);
    }

    /** See {@link #layout}. */
    static final class Layout {
        private final int n;
        private final int[] pi, pj, pair;
        private final byte[] slot;

        Layout(int n, int[] pi, int[] pj, int[] pair, byte[] slot) {
            this.n = n;
            this.pi = pi;
            this.pj = pj;
            this.pair = pair;
            this.slot = slot;
        }

        /** The table under per-row weights. */
        PairTable table(double[] rowWeight) {
            int m = pi.length;
            double[] acc = new double[3 * m];
            for (int r = 0; r < pair.length; r++) acc[3 * pair[r] + slot[r]] += rowWeight[r];
            int k = 0;
            for (int p = 0; p < m; p++) if (acc[3 * p] + acc[3 * p + 1] + acc[3 * p + 2] > 0) k++;
            int[] ni = new int[k], nj = new int[k];
            double[] a = new double[k], b = new double[k], t = new double[k];
            int q = 0;
            for (int p = 0; p < m; p++) {
                double x = acc[3 * p], y = acc[3 * p + 1], z = acc[3 * p + 2];
                if (x + y + z <= 0) continue;
                ni[q] = pi[p]; nj[q] = pj[p]; a[q] = x; b[q] = y; t[q] = z;
                q++;
            }
            return new PairTable(n, ni, nj, a, b, t);
        }
    }

    /** Number of items (including any that appear in no pair). */
    public int items() { return n; }
    /** Number of pairs with data. */
    public int size() { return i.length; }
    public int i(int p) { return i[p]; }
    public int j(int p) { return j[p]; }
    public double winsI(int p) { return wi[p]; }
    public double winsJ(int p) { return wj[p]; }
    public double ties(int p) { return t[p]; }

    /** Total weight. */
    public double total() {
        double s = 0;
        for (int p = 0; p < i.length; p++) s += wi[p] + wj[p] + t[p];
        return s;
    }

    /** The sub-table of the given items (in that order), renumbered 0..k-1. */
    PairTable restrict(int[] members) {
        int[] map = new int[n];
        Arrays.fill(map, -1);
        for (int k = 0; k < members.length; k++) map[members[k]] = k;
        int m = 0;
        for (int p = 0; p < i.length; p++) if (map[i[p]] >= 0 && map[j[p]] >= 0) m++;
        int[] ni = new int[m], nj = new int[m];
        double[] a = new double[m], b = new double[m], tt = new double[m];
        int q = 0;
        for (int p = 0; p < i.length; p++) {
            int x = map[i[p]], y = map[j[p]];
            if (x < 0 || y < 0) continue;
            if (x < y) { ni[q] = x; nj[q] = y; a[q] = wi[p]; b[q] = wj[p]; }
            else { ni[q] = y; nj[q] = x; a[q] = wj[p]; b[q] = wi[p]; }
            tt[q] = t[p];
            q++;
        }
        return new PairTable(members.length, ni, nj, a, b, tt);
    }
}
