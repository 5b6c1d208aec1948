package dev.prefer.ratings;

import dev.prefer.core.Scalars;
import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Arena's style control: a contextual Bradley-Terry model fitted the way lmarena/arena-rank fits it
 * ({@code arena_rank/models/contextual_bradley_terry.py}, {@code utils/data_utils.py}
 * {@code ContextualPairDataset.from_pandas}). Per vote k with items a, b, outcome y ∈ {1, 0, ½} (ties and
 * "both bad" are half wins), features x_k (typically {@link StyleFeatures}: (a − b)/(a + b) of tokens,
 * headers, lists, bold) z-normalised over the votes (population standard deviation; a constant feature is
 * divided by 1), and weight w_k (vote weight × 1/max(n_pair, 50) when reweighted, normalised to mean 1):
 * <pre>
 *   z_k = θ_a − θ_b + βᵀx_k,   maximise  F(θ, β) = Σ_k w_k [y_k z_k − softplus(z_k)] − ½·λ·N·‖β‖²
 * </pre>
 * which is N times arena-rank's loss −mean(w·ℓ) + ½λ‖β‖² (λ = 1 by default, lines 88-106). θ has the
 * mean-zero gauge (arena-rank's L-BFGS from zeros keeps the mean at 0 too). Newton's method on (θ, β).
 *
 * <p>Intervals: sandwich, Cov = H⁺ G H⁺ with H = −∇²F (penalty included) and G = Σ_k s_k s_kᵀ over per-vote
 * scores s_k = w_k (y_k − p_k)(e_a − e_b, x_k) − (0, λβ) (their sum is 0 at the optimum). arena-rank's
 * {@code compute_hessian_and_covariance} (lines 110-187) differs in three small ways that we do not copy: it
 * leaves the penalty's curvature λ out of H, subtracts λ²ββᵀ/N instead of λ²ββᵀ from G, and adds a 1e-5 ridge
 * to H instead of using the gauge; bench/ratings_reference.py prints both.
 */
public final class StyleControl {
    private StyleControl() {}

    /**
     * @param l2           λ on the mean log-likelihood (arena-rank's {@code reg}, default 1)
     * @param reweight     0 (off) or the minimum pair count of the inverse-propensity weights (default 50)
     * @param normalize    z-normalise the features (default true)
     * @param fit          solver options (tolerance, iterations); its L2 applies to θ
     */
    public record Options(double l2, int reweight, boolean normalize, FitOptions fit) {
        public static final Options ARENA = new Options(1.0, 50, true, FitOptions.DEFAULT);

        public Options {
            if (!(l2 >= 0) || Double.isInfinite(l2)) throw new IllegalArgumentException("style l2 must be finite and >= 0");
            if (reweight < 0) throw new IllegalArgumentException("reweight must be >= 0");
        }
    }

    /**
     * @param fit          style-controlled θ (mean 0) with sandwich standard errors
     * @param featureNames names of the features
     * @param beta         coefficients per (normalised) feature unit, in log-odds
     * @param betaSe       their sandwich standard errors
     * @param featureMean  means used for normalisation (0 without)
     * @param featureStd   standard deviations used (1 without)
     */
    public record Result(Fit fit, List<String> featureNames, double[] beta, double[] betaSe, double[] featureMean, double[] featureStd) {}

    /** Fits votes whose {@code features()} are the raw per-vote style features named {@code featureNames}. */
    public static Result fit(List<Vote> votes, List<String> featureNames, Options o) {
        int nv = votes.size();
        int p = featureNames.size();
        if (nv == 0) throw new IllegalArgumentException("no votes to rate");
        if (p == 0) throw new IllegalArgumentException("style control needs at least one feature");
        Map<String, Integer> idx = new HashMap<>();
        List<String> names = new ArrayList<>();
        int[] a = new int[nv], b = new int[nv];
        double[] y = new double[nv], w = new double[nv];
        double[] x = new double[nv * p];
        for (int k = 0; k < nv; k++) {
            Vote v = votes.get(k);
            if (v.featureCount() != p) throw new IllegalArgumentException(v.source() + ": vote has " + v.featureCount() + " features, expected " + p);
            a[k] = idx.computeIfAbsent(v.a(), s -> { names.add(s); return names.size() - 1; });
            b[k] = idx.computeIfAbsent(v.b(), s -> { names.add(s); return names.size() - 1; });
            y[k] = switch (v.outcome()) { case A_WINS -> 1; case B_WINS -> 0; default -> 0.5; };
            w[k] = v.weight();
            for (int j = 0; j < p; j++) {
                double f = v.feature(j);
                if (!Double.isFinite(f)) throw new IllegalArgumentException(v.source() + ": feature '" + featureNames.get(j) + "' is not finite");
                x[k * p + j] = f;
            }
        }
        Comparisons c = Comparisons.of(votes);
        int[] comp = Graphs.components(c.pairs());
        if (Arrays.stream(comp).max().orElse(0) > 0) throw new IllegalArgumentException("style control needs a connected comparison graph");
        return fit(names, a, b, y, w, x, p, featureNames, o);
    }

    /** Fits arrays: items a[k], b[k], outcome y[k] in {1, 0, ½}, weights w[k], raw features x[k·p + j]. */
    public static Result fit(List<String> items, int[] a, int[] b, double[] y, double[] w, double[] x, int p, List<String> featureNames, Options o) {
        int nv = a.length, n = items.size();
        double[] mean = new double[p], sd = new double[p];
        Arrays.fill(sd, 1);
        double[] xs = x.clone();
        if (o.normalize()) {
            for (int j = 0; j < p; j++) {
                double s = 0;
                for (int k = 0; k < nv; k++) s += x[k * p + j];
                double mu = s / nv, ss = 0;
                for (int k = 0; k < nv; k++) { double d = x[k * p + j] - mu; ss += d * d; }
                double st = Math.sqrt(ss / nv);
                mean[j] = mu;
                sd[j] = st == 0 ? 1 : st;
                for (int k = 0; k < nv; k++) xs[k * p + j] = (x[k * p + j] - mu) / sd[j];
            }
        }
        double[] wt = w.clone();
        if (o.reweight() > 0) {
            Map<Long, Integer> pairCount = new HashMap<>();
            for (int k = 0; k < nv; k++) pairCount.merge(key(a[k], b[k], n), 1, Integer::sum);
            double s = 0;
            for (int k = 0; k < nv; k++) { wt[k] = w[k] / Math.max(pairCount.get(key(a[k], b[k], n)), o.reweight()); s += wt[k]; }
            double m = s / nv;
            for (int k = 0; k < nv; k++) wt[k] /= m;
        }
        Problem pr = new Problem(n, p, a, b, y, wt, xs, o.l2() * nv, o.fit().l2());
        int m = n + p;
        double[] th = new double[m];
        double[] g = new double[m], h = new double[m * m], tr = new double[m];
        double f = pr.value(th);
        int it = 0;
        boolean conv = false;
        FitOptions fo = o.fit();
        while (it < fo.maxIterations()) {
            it++;
            pr.derivatives(th, g, h);
            double[] fac = h.clone();
            if (fo.l2() == 0) for (int r = 0; r < n; r++) for (int s = 0; s < n; s++) fac[r * m + s] += 1.0 / n;
            if (!Linalg.cholesky(fac, m)) throw new IllegalArgumentException("style control: the information matrix is singular (an item never loses, or features are collinear with items; try --l2)");
            double[] step = g.clone();
            Linalg.cholSolve(fac, m, step);
            double t = 1, fn;
            while (true) {
                for (int r = 0; r < m; r++) tr[r] = th[r] + t * step[r];
                fn = pr.value(tr);
                if (fn >= f - 1e-12 * Math.abs(f) || t < 1e-12) break;
                t *= 0.5;
            }
            double mx = 0;
            for (double s : step) mx = Math.max(mx, Math.abs(t * s));
            if (fn >= f - 1e-12 * Math.abs(f)) { System.arraycopy(tr, 0, th, 0, m); f = fn; }
            if (mx < fo.tolerance()) { conv = true; break; }
            if (t < 1e-12) break;
        }
        if (fo.l2() == 0) {
            double mu = 0;
            for (int r = 0; r < n; r++) mu += th[r];
            mu /= n;
            for (int r = 0; r < n; r++) th[r] -= mu;
        }
        pr.derivatives(th, g, h);
        double[] gg = pr.scoreOuterProducts(th);
        double[] cov = Sandwich.pseudoInverse(h, n, m, fo.l2() == 0);
        double[] se = new double[m];
        Arrays.fill(se, Double.NaN);
        if (cov != null) {
            double[] v = Sandwich.multiply(Sandwich.multiply(cov, gg, m), cov, m);
            for (int r = 0; r < m; r++) se[r] = Math.sqrt(Math.max(0, v[r * m + r]));
        }
        List<String> notes = new ArrayList<>();
        if (!conv) notes.add("the solver did not converge within " + fo.maxIterations() + " iterations");
        double ll = pr.logLikelihood(th);
        Fit fit = new Fit("style-bt", items, Arrays.copyOf(th, n), Arrays.copyOf(se, n), new int[n], 1, new double[0], ll, it, conv, notes);
        return new Result(fit, featureNames, Arrays.copyOfRange(th, n, m), Arrays.copyOfRange(se, n, m), mean, sd);
    }

    private static long key(int x, int y, int n) {
        return (long) Math.min(x, y) * n + Math.max(x, y);
    }

    /** F(θ, β) and its derivatives over the votes. */
    private record Problem(int n, int p, int[] a, int[] b, double[] y, double[] w, double[] x, double lambdaBeta, double lambdaTheta) {
        double z(double[] th, int k) {
            double s = th[a[k]] - th[b[k]];
            for (int j = 0; j < p; j++) s += th[n + j] * x[k * p + j];
            return s;
        }

        double logLikelihood(double[] th) {
            double f = 0;
            for (int k = 0; k < a.length; k++) {
                double z = z(th, k);
                f += w[k] * (y[k] * Scalars.logSigmoid(z) + (1 - y[k]) * Scalars.logSigmoid(-z));
            }
            return f;
        }

        double value(double[] th) {
            double f = logLikelihood(th);
            for (int j = 0; j < p; j++) f -= 0.5 * lambdaBeta * th[n + j] * th[n + j];
            for (int r = 0; r < n; r++) f -= 0.5 * lambdaTheta * th[r] * th[r];
            return f;
        }

        /** Gradient g and negated Hessian h (row-major (n+p)²). */
        void derivatives(double[] th, double[] g, double[] h) {
            int m = n + p;
            Arrays.fill(g, 0);
            Arrays.fill(h, 0);
            double[] hb = new double[p * p];
            for (int k = 0; k < a.length; k++) {
                double z = z(th, k);
                double s = Scalars.sigmoid(z);
                double r = w[k] * (y[k] - s), q = w[k] * s * (1 - s);
                int ia = a[k], ib = b[k];
                g[ia] += r;
                g[ib] -= r;
                h[ia * m + ia] += q;
                h[ib * m + ib] += q;
                h[ia * m + ib] -= q;
                h[ib * m + ia] -= q;
                int xo = k * p;
                for (int j = 0; j < p; j++) {
                    double fj = x[xo + j], qf = q * fj;
                    g[n + j] += r * fj;
                    h[ia * m + n + j] += qf;
                    h[ib * m + n + j] -= qf;
                    for (int l = 0; l <= j; l++) hb[j * p + l] += qf * x[xo + l];
                }
            }
            for (int j = 0; j < p; j++) {
                for (int l = 0; l <= j; l++) { h[(n + j) * m + n + l] = hb[j * p + l]; h[(n + l) * m + n + j] = hb[j * p + l]; }
                for (int r = 0; r < n; r++) h[(n + j) * m + r] = h[r * m + n + j];
                g[n + j] -= lambdaBeta * th[n + j];
                h[(n + j) * m + n + j] += lambdaBeta;
            }
            for (int r = 0; r < n; r++) { g[r] -= lambdaTheta * th[r]; h[r * m + r] += lambdaTheta; }
        }

        /** Σ_k s_k s_kᵀ, s_k the per-vote score of F (the penalty's gradient split evenly over the votes). */
        double[] scoreOuterProducts(double[] th) {
            int m = n + p, nv = a.length;
            double[] gg = new double[m * m];
            double[] pen = new double[m];
            for (int j = 0; j < p; j++) pen[n + j] = lambdaBeta * th[n + j] / nv;
            for (int r = 0; r < n; r++) pen[r] = lambdaTheta * th[r] / nv;
            double[] s = new double[m];
            int[] nz = new int[2 + p];
            for (int k = 0; k < nv; k++) {
                double z = z(th, k);
                double r = w[k] * (y[k] - Scalars.sigmoid(z));
                // s = r·(e_a − e_b, x_k) − pen; dense in the feature part, two entries plus pen in θ
                System.arraycopy(pen, 0, s, 0, m);
                for (int q = 0; q < m; q++) s[q] = -s[q];
                s[a[k]] += r;
                s[b[k]] -= r;
                for (int j = 0; j < p; j++) s[n + j] += r * x[k * p + j];
                if (lambdaTheta == 0) {
                    // θ part has two non-zeros: accumulate the sparse outer product
                    nz[0] = a[k];
                    nz[1] = b[k];
                    for (int j = 0; j < p; j++) nz[2 + j] = n + j;
                    for (int u : nz) for (int v : nz) gg[u * m + v] += s[u] * s[v];
                } else {
                    for (int u = 0; u < m; u++) for (int v = 0; v < m; v++) gg[u * m + v] += s[u] * s[v];
                }
            }
            return gg;
        }
    }
}
