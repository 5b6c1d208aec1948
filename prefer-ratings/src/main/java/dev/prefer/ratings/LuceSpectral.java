package dev.prefer.ratings;

import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Luce spectral ranking (Maystre &amp; Grossglauser 2015, "Fast and Accurate Inference of Plackett-Luce Models",
 * NIPS; choix's {@code lsr_*} / {@code ilsr_*}). Every choice of c from a set S, given current strengths
 * π = e^θ, adds rate w / Σ_{s∈S} π_s to the Markov-chain transition from each loser s ∈ S∖{c} to the winner c; the
 * stationary distribution of that continuous-time chain is the new π (LSR, one step from π = 1). Iterating
 * (I-LSR) converges to the Plackett-Luce / Bradley-Terry maximum-likelihood estimate. Output θ = log π, centred
 * to mean 0 per connected component. The stationary distribution is found by solving πQ = 0, Σπ = 1 with a
 * dense LU (n items per component).
 */
public final class LuceSpectral {
    private LuceSpectral() {}

    /** Pairwise votes as choices; a tie is half a choice each way. */
    public static PlackettLuce.Data fromVotes(List<Vote> votes) {
        Map<String, Integer> idx = new HashMap<>();
        List<String> names = new ArrayList<>();
        List<int[]> sets = new ArrayList<>();
        List<Double> w = new ArrayList<>();
        for (Vote v : votes) {
            int a = idx.computeIfAbsent(v.a(), s -> { names.add(s); return names.size() - 1; });
            int b = idx.computeIfAbsent(v.b(), s -> { names.add(s); return names.size() - 1; });
            switch (v.outcome()) {
                case A_WINS -> { sets.add(new int[] {a, b}); w.add(v.weight()); }
                case B_WINS -> { sets.add(new int[] {b, a}); w.add(v.weight()); }
                default -> {
                    sets.add(new int[] {a, b}); w.add(0.5 * v.weight());
                    sets.add(new int[] {b, a}); w.add(0.5 * v.weight());
                }
            }
        }
        return new PlackettLuce.Data(names, sets.toArray(new int[0][]), w.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** One LSR step from π = 1 (choix's {@code lsr_*} with default arguments). */
    public static double[] lsr(PlackettLuce.Data d) {
        return step(d, new double[d.items().size()]);
    }

    /** Iterated LSR until the largest change in θ is below {@code tolerance}; converges to the MLE. */
    public static Fit ilsr(PlackettLuce.Data d, double tolerance, int maxIterations) {
        int n = d.items().size();
        double[] theta = new double[n];
        int it = 0;
        boolean conv = false;
        while (it < maxIterations) {
            it++;
            double[] next = step(d, theta);
            double mx = 0;
            for (int i = 0; i < n; i++) mx = Math.max(mx, Math.abs(next[i] - theta[i]));
            theta = next;
            if (mx < tolerance) { conv = true; break; }
        }
        int[] comp = components(d);
        int nc = Arrays.stream(comp).max().orElse(-1) + 1;
        double[] se = new double[n];
        Arrays.fill(se, Double.NaN);
        List<String> notes = new ArrayList<>();
        if (!conv) notes.add("I-LSR did not converge within " + maxIterations + " iterations");
        return new Fit("ilsr", d.items(), theta, se, comp, nc, new double[0], Double.NaN, it, conv, notes);
    }

    static int[] components(PlackettLuce.Data d) {
        int n = d.items().size();
        List<int[]> pairs = new ArrayList<>();
        for (int[] s : d.sets()) for (int j = 1; j < s.length; j++) pairs.add(new int[] {s[0], s[j]});
        int[] pi = new int[pairs.size()], pj = new int[pairs.size()];
        for (int k = 0; k < pairs.size(); k++) { pi[k] = Math.min(pairs.get(k)[0], pairs.get(k)[1]); pj[k] = Math.max(pairs.get(k)[0], pairs.get(k)[1]); }
        double[] z = new double[pairs.size()];
        return Graphs.components(new PairTable(n, pi, pj, z, z, z));
    }

    /** One spectral step from strengths θ. */
    static double[] step(PlackettLuce.Data d, double[] theta) {
        int n = theta.length;
        double[] pi = new double[n];
        for (int i = 0; i < n; i++) pi[i] = Math.exp(theta[i]);
        double[] q = new double[n * n]; // q[loser * n + winner] = rate loser -> winner
        for (int k = 0; k < d.sets().length; k++) {
            int[] s = d.sets()[k];
            double z = 0;
            for (int x : s) z += pi[x];
            double val = d.weights()[k] / z;
            for (int j = 1; j < s.length; j++) q[s[j] * n + s[0]] += val;
        }
        int[] comp = components(d);
        int nc = Arrays.stream(comp).max().orElse(-1) + 1;
        double[] out = new double[n];
        for (int c = 0; c < nc; c++) {
            int[] m = PairwiseFitter.members(comp, c);
            int k = m.length;
            if (k == 1) continue;
            // Solve π Q = 0 with Σπ = 1: transpose to Qᵀ πᵀ = 0 and replace the last equation by the sum.
            double[] a = new double[k * k];
            double[] b = new double[k];
            for (int r = 0; r < k; r++) {
                double out_r = 0;
                for (int s = 0; s < k; s++) if (s != r) out_r += q[m[r] * n + m[s]];
                for (int s = 0; s < k; s++) {
                    // row s of Qᵀ, column r = Q[r][s]
                    a[s * k + r] = s == r ? -out_r : q[m[r] * n + m[s]];
                }
            }
            for (int r = 0; r < k; r++) a[(k - 1) * k + r] = 1;
            b[k - 1] = 1;
            double[] p = luSolve(a, b, k);
            double mean = 0;
            for (int r = 0; r < k; r++) { out[m[r]] = Math.log(Math.max(p[r], Double.MIN_NORMAL)); mean += out[m[r]]; }
            mean /= k;
            for (int r = 0; r < k; r++) out[m[r]] -= mean;
        }
        return out;
    }

    /** Gaussian elimination with partial pivoting. */
    static double[] luSolve(double[] a, double[] b, int n) {
        a = a.clone();
        b = b.clone();
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[piv * n + col])) piv = r;
            if (a[piv * n + col] == 0) throw new IllegalArgumentException("singular Markov chain: some items never win (use a penalised fit)");
            if (piv != col) {
                for (int c = 0; c < n; c++) { double t = a[col * n + c]; a[col * n + c] = a[piv * n + c]; a[piv * n + c] = t; }
                double t = b[col]; b[col] = b[piv]; b[piv] = t;
            }
            for (int r = col + 1; r < n; r++) {
                double f = a[r * n + col] / a[col * n + col];
                if (f == 0) continue;
                for (int c = col; c < n; c++) a[r * n + c] -= f * a[col * n + c];
                b[r] -= f * b[col];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = b[r];
            for (int c = r + 1; c < n; c++) s -= a[r * n + c] * x[c];
            x[r] = s / a[r * n + r];
        }
        return x;
    }
}
