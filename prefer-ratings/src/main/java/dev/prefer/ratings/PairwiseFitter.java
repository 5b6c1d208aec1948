package dev.prefer.ratings;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Maximum-likelihood (optionally L2-penalised) fitting of any {@link PairwiseModel} by Newton's method with a
 * backtracking line search, on data aggregated per pair ({@link PairTable}), one connected component of the
 * comparison graph at a time.
 *
 * <p>Each iteration builds the gradient g and the negated Hessian A of the penalised log-likelihood
 * ℓ(θ, η) − (λ/2)‖θ‖² in O(pairs), then solves A δ = g by Cholesky in O(n³) (n = items in the component: a
 * 150-item arena costs well under a millisecond). Without a penalty the likelihood is flat along θ + c·1; the
 * solve then uses A + 11ᵀ/n, whose inverse is A⁺ + 11ᵀ/n, so steps stay mean-zero (θ starts at 0). The standard
 * errors are the square roots of the diagonal of A⁺ at the optimum — the inverse observed Fisher information
 * restricted to mean-zero θ (for λ &gt; 0, of the penalised information).
 *
 * <p>Existence: without a penalty the MLE exists only when, in each component, the "i beat (or tied) j" digraph
 * is strongly connected (Zermelo 1929; Hunter 2004, Assumption 1); otherwise this throws
 * {@link IllegalArgumentException} naming the items that never lose, and an L2 penalty is the way out.
 */
public final class PairwiseFitter {
    private PairwiseFitter() {}

    /** Fits a model to collapsed votes. */
    public static Fit fit(PairwiseModel model, Comparisons c, FitOptions o) {
        return fit(model, c.items(), c.pairs(), o, null);
    }

    /**
     * Fits a model to a pair table. {@code start} (may be null) gives starting log-strengths, e.g. a previous fit
     * for bootstrap rounds.
     */
    public static Fit fit(PairwiseModel model, List<String> items, PairTable p, FitOptions o, double[] start) {
        int n = p.n;
        if (items.size() != n) throw new IllegalArgumentException("items and table disagree on the number of items");
        int[] comp = Graphs.components(p);
        int nc = Arrays.stream(comp).max().orElse(-1) + 1;
        double[] theta = new double[n];
        double[] se = new double[n];
        Arrays.fill(se, Double.NaN);
        double[] tie = new double[model.hasTieParameter() ? nc : 0];
        double ll = 0;
        int iters = 0;
        boolean conv = true;
        List<String> notes = new ArrayList<>();
        if (nc > 1) notes.add("the comparison graph has " + nc + " connected components; ratings are comparable only within one");
        for (int c = 0; c < nc; c++) {
            int[] members = members(comp, c);
            if (members.length == 1) {
                notes.add("item '" + items.get(members[0]) + "' has no comparisons");
                if (tie.length > 0) tie[c] = Double.NaN;
                continue;
            }
            PairTable sub = nc == 1 ? p : p.restrict(members);
            if (o.l2() == 0) {
                List<Integer> never = Graphs.neverLosingSet(sub, true);
                if (!never.isEmpty()) {
                    List<String> names = never.stream().limit(5).map(k -> "'" + items.get(members[k]) + "'").toList();
                    throw new IllegalArgumentException("the maximum-likelihood ratings do not exist: " + names.size()
                            + (never.size() > 5 ? "+" : "") + " item(s) " + String.join(", ", names) + (never.size() > 5 ? ", ..." : "")
                            + " never lost to the other " + (members.length - never.size())
                            + " item(s) of their component; add a small L2 penalty (e.g. --l2 0.01)");
                }
            }
            if (model.hasTieParameter()) {
                double ties = 0;
                for (int q = 0; q < sub.size(); q++) ties += sub.t[q];
                if (ties == 0) throw new IllegalArgumentException("model " + model.name() + " needs ties to estimate its tie parameter, and the data has none");
            }
            double[] s0 = new double[members.length];
            if (start != null) {
                double mean = 0;
                for (int k = 0; k < members.length; k++) { s0[k] = start[members[k]]; mean += s0[k]; }
                mean /= members.length;
                if (o.l2() == 0) for (int k = 0; k < members.length; k++) s0[k] -= mean;
            }
            Solution sol = solve(model, sub, o, s0, model.initialTieParameter());
            for (int k = 0; k < members.length; k++) {
                theta[members[k]] = sol.theta[k];
                se[members[k]] = sol.se == null ? Double.NaN : sol.se[k];
            }
            if (tie.length > 0) tie[c] = model.tieParameterNatural(sol.eta);
            ll += sol.logLik;
            iters = Math.max(iters, sol.iterations);
            conv &= sol.converged;
        }
        if (!conv) notes.add("the solver did not converge within " + o.maxIterations() + " iterations");
        return new Fit(model.name(), items, theta, se, comp, nc, tie, ll, iters, conv, notes);
    }

    static int[] members(int[] comp, int c) {
        int cnt = 0;
        for (int x : comp) if (x == c) cnt++;
        int[] m = new int[cnt];
        int k = 0;
        for (int i = 0; i < comp.length; i++) if (comp[i] == c) m[k++] = i;
        return m;
    }

    /** One component's solution. */
    record Solution(double[] theta, double eta, double logLik, int iterations, boolean converged, double[] se, double[] covariance) {}

    /** Newton's method on one connected component. */
    static Solution solve(PairwiseModel model, PairTable p, FitOptions o, double[] start, double eta0) {
        int k = p.n;
        int e = model.hasTieParameter() ? 1 : 0;
        int m = k + e;
        double lambda = o.l2();
        double[] theta = start.clone();
        double eta = eta0;
        double[] g = new double[m], gT = new double[m];
        double[] a = new double[m * m], aT = new double[m * m];
        double[] out = new double[6];
        // One fused pass gives the objective, gradient and Hessian at a point; a full Newton step, accepted in
        // almost every iteration, therefore costs one pass over the pairs plus one Cholesky factorisation.
        double f = evaluate(model, p, theta, eta, lambda, e, g, a, out);
        int it = 0;
        boolean converged = false;
        double[] tTry = new double[k];
        while (it < o.maxIterations()) {
            it++;
            double[] fac = a.clone();
            if (lambda == 0) {
                double c = 1.0 / k;
                for (int r = 0; r < k; r++) for (int s = 0; s < k; s++) fac[r * m + s] += c;
            }
            double[] base = fac.clone();
            double mu = 0;
            while (!Linalg.cholesky(fac, m)) {
                // Not positive definite (possible far from the optimum with a tie parameter): damp, Levenberg-style.
                mu = mu == 0 ? 1e-6 * (1 + maxDiag(base, m)) : mu * 10;
                fac = base.clone();
                for (int r = 0; r < m; r++) fac[r * m + r] += mu;
            }
            double[] step = g.clone();
            Linalg.cholSolve(fac, m, step);
            double t = 1;
            double fNew;
            double etaNew;
            boolean full = true;
            while (true) {
                for (int r = 0; r < k; r++) tTry[r] = theta[r] + t * step[r];
                etaNew = e == 1 ? eta + t * step[k] : eta;
                if (!model.tieParameterValid(etaNew)) fNew = Double.NEGATIVE_INFINITY;
                else if (full) fNew = evaluate(model, p, tTry, etaNew, lambda, e, gT, aT, out);
                else fNew = objective(model, p, tTry, etaNew, lambda, out);
                if (fNew >= f - 1e-12 * Math.abs(f) || t < 1e-12) break;
                t *= 0.5;
                full = false;
            }
            double maxStep = 0;
            for (int r = 0; r < m; r++) maxStep = Math.max(maxStep, Math.abs(t * step[r]));
            if (fNew >= f - 1e-12 * Math.abs(f)) {
                System.arraycopy(tTry, 0, theta, 0, k);
                eta = etaNew;
                if (full) {
                    f = fNew;
                    double[] sw = g; g = gT; gT = sw;
                    sw = a; a = aT; aT = sw;
                } else {
                    f = evaluate(model, p, theta, eta, lambda, e, g, a, out);
                }
            }
            if (maxStep < o.tolerance()) {
                converged = true;
                break;
            }
            if (t < 1e-12) break;
        }
        if (lambda == 0) {
            double mean = 0;
            for (double v : theta) mean += v;
            mean /= k;
            for (int r = 0; r < k; r++) theta[r] -= mean;
        }
        double ll = objective(model, p, theta, eta, 0, out);
        double[] se = null;
        double[] cov = null;
        if (o.standardErrors()) {
            derivatives(model, p, theta, eta, lambda, e, g, a, out);
            if (lambda == 0) {
                double c = 1.0 / k;
                for (int r = 0; r < k; r++) for (int s = 0; s < k; s++) a[r * m + s] += c;
            }
            if (Linalg.cholesky(a, m)) {
                cov = Linalg.inverse(a, m);
                if (lambda == 0) {
                    double c = 1.0 / k;
                    for (int r = 0; r < k; r++) for (int s = 0; s < k; s++) cov[r * m + s] -= c;
                }
                se = new double[k];
                for (int r = 0; r < k; r++) se[r] = Math.sqrt(Math.max(0, cov[r * m + r]));
            }
        }
        return new Solution(theta, eta, ll, it, converged, se, cov);
    }

    private static double maxDiag(double[] a, int m) {
        double x = 0;
        for (int r = 0; r < m; r++) x = Math.max(x, Math.abs(a[r * m + r]));
        return x;
    }

    /** Penalised log-likelihood. */
    static double objective(PairwiseModel model, PairTable p, double[] theta, double eta, double lambda, double[] out) {
        double f = 0;
        for (int q = 0; q < p.size(); q++) {
            model.pair(theta[p.i[q]] - theta[p.j[q]], eta, p.wi[q], p.wj[q], p.t[q], out);
            f += out[0];
        }
        if (lambda > 0) {
            double s = 0;
            for (double v : theta) s += v * v;
            f -= 0.5 * lambda * s;
        }
        return f;
    }

    /** Penalised log-likelihood, filling its gradient g and negated Hessian a in the same pass. */
    static double evaluate(PairwiseModel model, PairTable p, double[] theta, double eta, double lambda, int e,
                           double[] g, double[] a, double[] out) {
        return derivatives(model, p, theta, eta, lambda, e, g, a, out);
    }

    /** Gradient g and negated Hessian a (m×m) of the penalised log-likelihood. */
    static double derivatives(PairwiseModel model, PairTable p, double[] theta, double eta, double lambda, int e,
                              double[] g, double[] a, double[] out) {
        int k = p.n;
        int m = k + e;
        Arrays.fill(g, 0);
        Arrays.fill(a, 0);
        double f = 0;
        for (int q = 0; q < p.size(); q++) {
            int i = p.i[q], j = p.j[q];
            model.pair(theta[i] - theta[j], eta, p.wi[q], p.wj[q], p.t[q], out);
            f += out[0];
            double gd = out[1], hdd = out[3];
            g[i] += gd;
            g[j] -= gd;
            a[i * m + i] -= hdd;
            a[j * m + j] -= hdd;
            a[i * m + j] += hdd;
            a[j * m + i] += hdd;
            if (e == 1) {
                double ge = out[2], hde = out[4], hee = out[5];
                g[k] += ge;
                a[i * m + k] -= hde;
                a[k * m + i] -= hde;
                a[j * m + k] += hde;
                a[k * m + j] += hde;
                a[k * m + k] -= hee;
            }
        }
        if (lambda > 0) {
            for (int r = 0; r < k; r++) {
                g[r] -= lambda * theta[r];
                a[r * m + r] += lambda;
                f -= 0.5 * lambda * theta[r] * theta[r];
            }
        }
        return f;
    }
}
