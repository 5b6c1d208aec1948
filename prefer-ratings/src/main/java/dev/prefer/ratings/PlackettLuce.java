package dev.prefer.ratings;

import dev.prefer.data.votes.Choice;
import dev.prefer.data.votes.Ranking;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plackett-Luce maximum likelihood (Luce 1959; Plackett 1975; Hunter 2004) for rankings and top-1 choices.
 * Everything is a choice: item c picked from a set S has probability e^{θ_c} / Σ_{s∈S} e^{θ_s}; a strict ranking
 * x_1 ≻ … ≻ x_k is the k−1 choices "x_r from {x_r, …, x_k}"; a top-1 {@link Choice} is one choice. A ranking with
 * tied tiers contributes, for each item of a tier, the choice of that item from itself and every item ranked in a
 * later tier (ties carry no order information). Over two items this is exactly Bradley-Terry.
 *
 * <p>Fitted by Newton's method: ℓ = Σ w (θ_c − log Σ_S e^θ), gradient w (e_c − p_S), negated Hessian
 * w (diag p_S − p_S p_Sᵀ), with the mean-zero gauge handled as in {@link PairwiseFitter}. The comparison graph
 * (c beat s for every s it was chosen over) must be strongly connected within each component unless an L2 penalty
 * is given; components are fitted separately.
 */
public final class PlackettLuce {
    private PlackettLuce() {}

    /**
     * Choices as integer sets: chosen index, the full set (chosen first), weight, and the sampling unit (the
     * ranking or choice) each set comes from, which the bootstrap resamples.
     */
    public record Data(List<String> items, int[][] sets, double[] weights, int[] unit) {
        /** Every set its own unit. */
        public Data(List<String> items, int[][] sets, double[] weights) {
            this(items, sets, weights, java.util.stream.IntStream.range(0, sets.length).toArray());
        }

        public Data {
            if (sets.length != weights.length || unit.length != sets.length) throw new IllegalArgumentException("choice sets, weights and units differ in length");
        }
    }

    /** Rankings to choices. */
    public static Data fromRankings(List<Ranking> rankings) {
        Map<String, Integer> idx = new HashMap<>();
        List<String> names = new ArrayList<>();
        List<int[]> sets = new ArrayList<>();
        List<Double> w = new ArrayList<>();
        List<Integer> unit = new ArrayList<>();
        for (int ri = 0; ri < rankings.size(); ri++) {
            Ranking r = rankings.get(ri);
            List<List<String>> tiers = r.tiers();
            for (int t = 0; t < tiers.size() - 1; t++) {
                List<Integer> later = new ArrayList<>();
                for (int u = t + 1; u < tiers.size(); u++) for (String s : tiers.get(u)) later.add(index(idx, names, s));
                for (String c : tiers.get(t)) {
                    int[] set = new int[1 + later.size()];
                    set[0] = index(idx, names, c);
                    for (int k = 0; k < later.size(); k++) set[k + 1] = later.get(k);
                    sets.add(set);
                    w.add(r.weight());
                    unit.add(ri);
                }
            }
        }
        return new Data(names, sets.toArray(new int[0][]), w.stream().mapToDouble(Double::doubleValue).toArray(),
                unit.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Top-1 choices. */
    public static Data fromChoices(List<Choice> choices) {
        Map<String, Integer> idx = new HashMap<>();
        List<String> names = new ArrayList<>();
        int[][] sets = new int[choices.size()][];
        double[] w = new double[choices.size()];
        for (int k = 0; k < choices.size(); k++) {
            Choice c = choices.get(k);
            int[] set = new int[1 + c.others().size()];
            set[0] = index(idx, names, c.chosen());
            for (int j = 0; j < c.others().size(); j++) set[j + 1] = index(idx, names, c.others().get(j));
            sets[k] = set;
            w[k] = c.weight();
        }
        return new Data(names, sets, w);
    }

    private static int index(Map<String, Integer> idx, List<String> names, String s) {
        return idx.computeIfAbsent(s, x -> { names.add(x); return names.size() - 1; });
    }

    /**
     * Seeded bootstrap over the sampling units (rankings or choices): each round draws N = Σ unit weights
     * (rounded) units with replacement, with probabilities ∝ their weights (a PrefLib ranking of multiplicity 5
     * counts as 5 voters), each draw weighing W/N, and refits ({@link Bootstrap#draw}); all choice sets of a unit
     * carry its draw count. A round whose resample has no estimate is counted as failed.
     */
    public static Bootstrap.Result bootstrap(Data d, FitOptions o, Bootstrap.Options bo) {
        int units = java.util.Arrays.stream(d.unit()).max().orElse(-1) + 1;
        double[] uw = new double[units];
        for (int k = 0; k < d.sets().length; k++) uw[d.unit()[k]] = d.weights()[k];
        double total = java.util.Arrays.stream(uw).sum();
        long n = Math.max(1, Math.round(total));
        double[] perDraw = new double[units];
        java.util.Arrays.fill(perDraw, total / n);
        FitOptions quiet = o.withStandardErrors(false);
        List<Fit> fits = Bootstrap.draw(n, uw, perDraw, bo, w -> {
            List<int[]> sets = new ArrayList<>();
            List<Double> ws = new ArrayList<>();
            for (int k = 0; k < d.sets().length; k++) {
                double x = w[d.unit()[k]];
                if (x > 0) { sets.add(d.sets()[k]); ws.add(x); }
            }
            return fit(new Data(d.items(), sets.toArray(new int[0][]), ws.stream().mapToDouble(Double::doubleValue).toArray()), quiet);
        });
        return Bootstrap.result(fits, bo.seed());
    }

    public static Fit fit(List<Ranking> rankings, FitOptions o) {
        return fit(fromRankings(rankings), o);
    }

    public static Fit fit(Data d, FitOptions o) {
        int n = d.items().size();
        // The "beats" graph as a pair table (used only for connectivity and existence).
        List<String> items = d.items();
        Map<Long, double[]> pairs = new HashMap<>();
        for (int k = 0; k < d.sets().length; k++) {
            int[] s = d.sets()[k];
            for (int j = 1; j < s.length; j++) {
                int lo = Math.min(s[0], s[j]), hi = Math.max(s[0], s[j]);
                double[] x = pairs.computeIfAbsent((long) lo * n + hi, key -> new double[2]);
                x[s[0] == lo ? 0 : 1] += d.weights()[k];
            }
        }
        int m = pairs.size();
        int[] pi = new int[m], pj = new int[m];
        double[] wi = new double[m], wj = new double[m];
        int q = 0;
        for (var e : pairs.entrySet()) {
            pi[q] = (int) (e.getKey() / n);
            pj[q] = (int) (e.getKey() % n);
            wi[q] = e.getValue()[0];
            wj[q] = e.getValue()[1];
            q++;
        }
        PairTable graph = new PairTable(n, pi, pj, wi, wj, new double[m]);
        int[] comp = Graphs.components(graph);
        int nc = Arrays.stream(comp).max().orElse(-1) + 1;
        double[] theta = new double[n];
        double[] se = new double[n];
        Arrays.fill(se, Double.NaN);
        double ll = 0;
        int iters = 0;
        boolean conv = true;
        List<String> notes = new ArrayList<>();
        if (nc > 1) notes.add("the comparison graph has " + nc + " connected components; ratings are comparable only within one");
        for (int c = 0; c < nc; c++) {
            int[] members = PairwiseFitter.members(comp, c);
            if (members.length == 1) continue;
            if (o.l2() == 0) {
                List<Integer> never = Graphs.neverLosingSet(nc == 1 ? graph : graph.restrict(members), false);
                if (!never.isEmpty()) {
                    throw new IllegalArgumentException("the maximum-likelihood ratings do not exist: item(s) "
                            + never.stream().limit(5).map(k -> "'" + items.get(members[k]) + "'").toList()
                            + " were never ranked below the rest of their component; add a small L2 penalty (e.g. --l2 0.01)");
                }
            }
            int[] local = new int[n];
            Arrays.fill(local, -1);
            for (int k = 0; k < members.length; k++) local[members[k]] = k;
            List<int[]> sets = new ArrayList<>();
            List<Double> ws = new ArrayList<>();
            for (int k = 0; k < d.sets().length; k++) {
                int[] s = d.sets()[k];
                if (local[s[0]] < 0) continue;
                int[] t = new int[s.length];
                for (int j = 0; j < s.length; j++) t[j] = local[s[j]];
                sets.add(t);
                ws.add(d.weights()[k]);
            }
            double[] sol = new double[members.length];
            double[] sse = new double[members.length];
            int[] itOut = new int[1];
            boolean[] cv = new boolean[1];
            double l = newton(members.length, sets, ws.stream().mapToDouble(Double::doubleValue).toArray(), o, sol, sse, itOut, cv);
            for (int k = 0; k < members.length; k++) { theta[members[k]] = sol[k]; se[members[k]] = sse[k]; }
            ll += l;
            iters = Math.max(iters, itOut[0]);
            conv &= cv[0];
        }
        if (!conv) notes.add("the solver did not converge within " + o.maxIterations() + " iterations");
        return new Fit("pl", items, theta, se, comp, nc, new double[0], ll, iters, conv, notes);
    }

    private static double objective(List<int[]> sets, double[] w, double[] th, double lambda) {
        double f = 0;
        for (int k = 0; k < sets.size(); k++) {
            int[] s = sets.get(k);
            double mx = Double.NEGATIVE_INFINITY;
            for (int x : s) mx = Math.max(mx, th[x]);
            double z = 0;
            for (int x : s) z += Math.exp(th[x] - mx);
            f += w[k] * (th[s[0]] - mx - Math.log(z));
        }
        if (lambda > 0) for (double v : th) f -= 0.5 * lambda * v * v;
        return f;
    }

    private static void derivatives(List<int[]> sets, double[] w, double[] th, double lambda, double[] g, double[] a) {
        int n = th.length;
        Arrays.fill(g, 0);
        Arrays.fill(a, 0);
        double[] p = new double[64];
        for (int k = 0; k < sets.size(); k++) {
            int[] s = sets.get(k);
            if (p.length < s.length) p = new double[s.length];
            double mx = Double.NEGATIVE_INFINITY;
            for (int x : s) mx = Math.max(mx, th[x]);
            double z = 0;
            for (int j = 0; j < s.length; j++) { p[j] = Math.exp(th[s[j]] - mx); z += p[j]; }
            for (int j = 0; j < s.length; j++) p[j] /= z;
            g[s[0]] += w[k];
            for (int j = 0; j < s.length; j++) {
                g[s[j]] -= w[k] * p[j];
                a[s[j] * n + s[j]] += w[k] * p[j];
                for (int l = 0; l < s.length; l++) a[s[j] * n + s[l]] -= w[k] * p[j] * p[l];
            }
        }
        if (lambda > 0) for (int r = 0; r < n; r++) { g[r] -= lambda * th[r]; a[r * n + r] += lambda; }
    }

    private static double newton(int n, List<int[]> sets, double[] w, FitOptions o, double[] th, double[] se, int[] itOut, boolean[] conv) {
        double lambda = o.l2();
        double[] g = new double[n], a = new double[n * n], tr = new double[n];
        double f = objective(sets, w, th, lambda);
        int it = 0;
        while (it < o.maxIterations()) {
            it++;
            derivatives(sets, w, th, lambda, g, a);
            if (lambda == 0) for (int r = 0; r < n * n; r++) a[r] += 1.0 / n;
            if (!Linalg.cholesky(a, n)) break;
            double[] step = g.clone();
            Linalg.cholSolve(a, n, step);
            double t = 1, fn;
            while (true) {
                for (int r = 0; r < n; r++) tr[r] = th[r] + t * step[r];
                fn = objective(sets, w, tr, lambda);
                if (fn >= f - 1e-12 * Math.abs(f) || t < 1e-12) break;
                t *= 0.5;
            }
            double mx = 0;
            for (double s : step) mx = Math.max(mx, Math.abs(t * s));
            if (fn >= f - 1e-12 * Math.abs(f)) { System.arraycopy(tr, 0, th, 0, n); f = fn; }
            if (mx < o.tolerance()) { conv[0] = true; break; }
        }
        if (lambda == 0) {
            double mean = Arrays.stream(th).average().orElse(0);
            for (int r = 0; r < n; r++) th[r] -= mean;
        }
        derivatives(sets, w, th, lambda, g, a);
        if (lambda == 0) for (int r = 0; r < n * n; r++) a[r] += 1.0 / n;
        Arrays.fill(se, Double.NaN);
        if (o.standardErrors() && Linalg.cholesky(a, n)) {
            double[] d = Linalg.inverseDiagonal(a, n);
            for (int r = 0; r < n; r++) se[r] = Math.sqrt(Math.max(0, d[r] - (lambda == 0 ? 1.0 / n : 0)));
        }
        itOut[0] = it;
        return objective(sets, w, th, 0);
    }
}
