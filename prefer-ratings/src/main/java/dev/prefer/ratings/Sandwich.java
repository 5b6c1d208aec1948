package dev.prefer.ratings;

import java.util.Arrays;

/**
 * Robust ("sandwich", Huber-White) standard errors of a pairwise maximum-likelihood fit, as the Arena's
 * arena-rank computes them by default (lmarena/arena-rank, {@code arena_rank/models/bradley_terry.py}
 * {@code compute_hessian_and_covariance}, lines 91-132, and {@code compute_ratings_and_cis}, lines 171-196):
 * Cov(θ̂) = H⁻¹ G H⁻¹, with H the negated Hessian of the (weighted) log-likelihood at the estimate and
 * G = Σ_votes s sᵀ the sum of outer products of the per-vote scores s = w·∂ℓ/∂θ. On collapsed rows each
 * (a, b, outcome) row contributes (Σ w²)·s₁s₁ᵀ, s₁ the score of one unit vote. Unlike the Fisher interval, this
 * stays valid when the model is wrong or the votes are reweighted.
 *
 * <p>The likelihood is flat along θ + c·1 within a component; arena-rank adds a small ridge (1e-5·N) to H, we
 * instead use the mean-zero gauge exactly: H⁺ = (H + 11ᵀ/k)⁻¹ − 11ᵀ/k, the same as the Fisher errors of
 * {@link PairwiseFitter}. With a tie parameter (Davidson, Rao-Kupper) η is part of θ's vector and its own
 * standard error is reported too.
 */
public final class Sandwich {
    private Sandwich() {}

    /**
     * @param thetaSe standard error of each item's θ (NaN for items without comparisons)
     * @param tieSe   per component, the standard error of η = log of the tie parameter (empty without one)
     */
    public record Result(double[] thetaSe, double[] tieSe) {}

    /** Sandwich standard errors of a fit of {@code model} to {@code c} (the same comparisons, weights and L2). */
    public static Result pairwise(PairwiseModel model, Comparisons c, Fit fit, double l2) {
        int n = c.itemCount();
        int[] comp = fit.component();
        int nc = fit.components();
        double[] theta = fit.theta();
        double[] se = new double[n];
        Arrays.fill(se, Double.NaN);
        int e = model.hasTieParameter() ? 1 : 0;
        double[] tieSe = new double[e == 1 ? nc : 0];
        Arrays.fill(tieSe, Double.NaN);
        PairTable all = c.pairs();
        int[] local = new int[n];
        double[] out = new double[6];
        for (int cc = 0; cc < nc; cc++) {
            int[] members = PairwiseFitter.members(comp, cc);
            int k = members.length;
            if (k < 2) continue;
            for (int q = 0; q < k; q++) local[members[q]] = q;
            PairTable sub = nc == 1 ? all : all.restrict(members);
            double[] th = new double[k];
            for (int q = 0; q < k; q++) th[q] = theta[members[q]];
            double eta = e == 1 ? Math.log(fit.tieParameter()[cc]) : 0;
            int m = k + e;
            double[] g = new double[m], h = new double[m * m];
            PairwiseFitter.derivatives(model, sub, th, eta, l2, e, g, h, out);
            double[] gg = new double[m * m];
            double[] unit = new double[3];
            for (int r = 0; r < c.rows(); r++) {
                if (comp[c.a(r)] != cc) continue;
                int i = local[c.a(r)], j = local[c.b(r)];
                Arrays.fill(unit, 0);
                unit[c.outcome(r)] = 1; // A_WINS 0, B_WINS 1, TIE 2 match pair()'s wi, wj, t
                model.pair(th[i] - th[j], eta, unit[0], unit[1], unit[2], out);
                double w2 = c.weightSquared(r), gd = out[1], ge = out[2];
                double dd = w2 * gd * gd;
                gg[i * m + i] += dd;
                gg[j * m + j] += dd;
                gg[i * m + j] -= dd;
                gg[j * m + i] -= dd;
                if (e == 1) {
                    double de = w2 * gd * ge;
                    gg[i * m + k] += de;
                    gg[k * m + i] += de;
                    gg[j * m + k] -= de;
                    gg[k * m + j] -= de;
                    gg[k * m + k] += w2 * ge * ge;
                }
            }
            double[] cov = pseudoInverse(h, k, m, l2 == 0);
            if (cov == null) continue;
            double[] v = multiply(multiply(cov, gg, m), cov, m);
            for (int q = 0; q < k; q++) se[members[q]] = Math.sqrt(Math.max(0, v[q * m + q]));
            if (e == 1) tieSe[cc] = Math.sqrt(Math.max(0, v[k * m + k]));
        }
        return new Result(se, tieSe);
    }

    /** (H + 11ᵀ/k on the θ block)⁻¹ − 11ᵀ/k when gauged, else H⁻¹; null when not positive definite. */
    static double[] pseudoInverse(double[] h, int k, int m, boolean gauge) {
        double[] a = h.clone();
        double c = 1.0 / k;
        if (gauge) for (int r = 0; r < k; r++) for (int s = 0; s < k; s++) a[r * m + s] += c;
        if (!Linalg.cholesky(a, m)) return null;
        double[] inv = Linalg.inverse(a, m);
        if (gauge) for (int r = 0; r < k; r++) for (int s = 0; s < k; s++) inv[r * m + s] -= c;
        return inv;
    }

    /** Row-major m×m product. */
    static double[] multiply(double[] x, double[] y, int m) {
        double[] z = new double[m * m];
        for (int i = 0; i < m; i++) {
            for (int l = 0; l < m; l++) {
                double xv = x[i * m + l];
                if (xv == 0) continue;
                int yo = l * m, zo = i * m;
                for (int j = 0; j < m; j++) z[zo + j] += xv * y[yo + j];
            }
        }
        return z;
    }
}
