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
        Prepared pr = prepare(votes, featureNames, o);
        return fit(pr, featureNames, o);
    }

    /** Fits prepared votes in memory. */
    public static Result fit(Prepared pr, List<String> featureNames, Options o) {
        return fit(pr.items(), pr.votes(), new LocalSums(pr.rows()), featureNames, o, pr.featureMean(), pr.featureStd());
    }

    /** Votes to prepared rows (items by first appearance); checks features and connectivity. */
    public static Prepared prepare(List<Vote> votes, List<String> featureNames, Options o) {
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
        return prepare(names, a, b, y, w, x, p, o);
    }

    /** Fits arrays: items a[k], b[k], outcome y[k] in {1, 0, ½}, weights w[k], raw features x[k·p + j]. */
    public static Result fit(List<String> items, int[] a, int[] b, double[] y, double[] w, double[] x, int p, List<String> featureNames, Options o) {
        return fit(prepare(items, a, b, y, w, x, p, o), featureNames, o);
    }

    /**
     * Votes ready for the fit: features z-normalised and weights reweighted (and normalised to mean 1), one row per
     * vote.
     */
    public record Prepared(List<String> items, Rows rows, long votes, double[] featureMean, double[] featureStd) {}

    /** Normalises the features and reweights the votes, as {@link #fit(List, int[], int[], double[], double[], double[], int, List, Options)} does. */
    public static Prepared prepare(List<String> items, int[] a, int[] b, double[] y, double[] w, double[] x, int p, Options o) {
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
        double[] w2 = new double[nv];
        for (int k = 0; k < nv; k++) w2[k] = wt[k] * wt[k];
        long[] count = new long[nv];
        Arrays.fill(count, 1);
        return new Prepared(items, new Rows(n, p, a, b, y, wt, w2, count, xs), nv, mean, sd);
    }

    /**
     * Fits prepared rows wherever they live: {@code sums} evaluates the log-likelihood sums over all rows (in memory:
     * {@link LocalSums}; on Spark: a tree aggregation over partitions of {@link Rows}), and this method runs Newton's
     * method with a halving line search, the penalties and the sandwich on the sums.
     *
     * @param votes        number of votes N (the penalty on β is λ·N)
     * @param featureMean  normalisation means (reported)
     * @param featureStd   normalisation standard deviations (reported)
     */
    public static Result fit(List<String> items, long votes, Sums sums, List<String> featureNames, Options o, double[] featureMean, double[] featureStd) {
        int n = items.size(), p = featureNames.size(), m = n + p;
        Penalty pen = new Penalty(n, p, o.l2() * votes, o.fit().l2());
        double[] th = new double[m];
        Newton nt = newton(sums, pen, o.fit(), th);
        FitOptions fo = o.fit();
        if (fo.l2() == 0) {
            double mu = 0;
            for (int r = 0; r < n; r++) mu += th[r];
            mu /= n;
            for (int r = 0; r < n; r++) th[r] -= mu;
        }
        double[] g = new double[m], h = new double[m * m];
        double ll = sums.evaluate(th, g, h);
        pen.complete(th, g, h);
        // G = Σ_k s_k s_kᵀ with s_k = w_k u_k − π (π = ∇penalty / N): Σ w_k² u_k u_kᵀ − (U πᵀ + π Uᵀ) + N ππᵀ, U = ∇ℓ.
        double[] gg = sums.scoreSquares(th);
        double[] u = g.clone(), pi = new double[m];
        for (int j = 0; j < p; j++) pi[n + j] = pen.beta() * th[n + j] / votes;
        for (int r = 0; r < n; r++) pi[r] = pen.theta() * th[r] / votes;
        for (int r = 0; r < m; r++) u[r] += pi[r] * votes; // back to ∇ℓ
        for (int r = 0; r < m; r++) for (int s = 0; s < m; s++) gg[r * m + s] += -(u[r] * pi[s] + pi[r] * u[s]) + votes * pi[r] * pi[s];
        double[] cov = Sandwich.pseudoInverse(h, n, m, fo.l2() == 0);
        double[] se = new double[m];
        Arrays.fill(se, Double.NaN);
        if (cov != null) {
            double[] v = Sandwich.multiply(Sandwich.multiply(cov, gg, m), cov, m);
            for (int r = 0; r < m; r++) se[r] = Math.sqrt(Math.max(0, v[r * m + r]));
        }
        List<String> notes = new ArrayList<>();
        if (!nt.converged()) notes.add("the solver did not converge within " + fo.maxIterations() + " iterations");
        Fit fit = new Fit("style-bt", items, Arrays.copyOf(th, n), Arrays.copyOf(se, n), new int[n], 1, new double[0], ll, nt.iterations(), nt.converged(), notes);
        return new Result(fit, featureNames, Arrays.copyOfRange(th, n, m), Arrays.copyOfRange(se, n, m), featureMean, featureStd);
    }

    /**
     * Seeded bootstrap of style control, the arena-rank way ({@code contextual_bradley_terry.py}
     * {@code fit_single_bootstrap_sample}): each round resamples the N votes with replacement (one multinomial draw
     * over the votes, {@link Bootstrap#draw}), keeping the features normalised and the votes weighted as in the
     * point fit, and refits from the point estimate (warm start; arena-rank starts from zeros, which reaches the
     * same optimum). Returns per round θ (mean 0) followed by β, or null where a round has no estimate.
     */
    public static List<double[]> bootstrap(Prepared pr, Result point, Options o, int rounds, long seed) {
        Rows r = pr.rows();
        int nv = r.size(), n = r.n, p = r.p, m = n + p;
        double[] start = new double[m];
        System.arraycopy(point.fit().theta(), 0, start, 0, n);
        System.arraycopy(point.beta(), 0, start, n, p);
        double[] ones = new double[nv];
        Arrays.fill(ones, 1);
        Penalty pen = new Penalty(n, p, o.l2() * pr.votes(), o.fit().l2());
        FitOptions quiet = o.fit().withTolerance(Math.max(o.fit().tolerance(), 1e-6));
        return Bootstrap.draw(nv, ones, r.w, Bootstrap.Options.of(rounds, seed), weights -> {
            double[] th = start.clone();
            Newton nt = newton(new LocalSums(r.withWeights(weights)), pen, quiet, th);
            if (!nt.converged()) return null;
            if (quiet.l2() == 0) {
                double mu = 0;
                for (int k = 0; k < n; k++) mu += th[k];
                mu /= n;
                for (int k = 0; k < n; k++) th[k] -= mu;
            }
            return th;
        });
    }

    private static long key(int x, int y, int n) {
        return (long) Math.min(x, y) * n + Math.max(x, y);
    }

    /**
     * The sums over all rows that a fit needs. Implementations add up {@link Rows#accumulate} and
     * {@link Rows#accumulateScoreSquares} over their rows (in memory or, in prefer-spark, over partitions).
     */
    public interface Sums {
        /**
         * The log-likelihood ℓ(θ, β) = Σ_r W_r [y_r z_r − softplus(z_r)]; with {@code g}, {@code h} non-null it also
         * fills them (zeroed first) with ∇ℓ and −∇²ℓ in {@link Rows#accumulate}'s half-filled layout.
         */
        double evaluate(double[] th, double[] g, double[] h);

        /** Σ_r w2_r u_r u_rᵀ, u_r = (y_r − p_r)(e_a − e_b, x_r), full (n+p)² row-major. */
        double[] scoreSquares(double[] th);
    }

    /** {@link Sums} over rows in memory. */
    public record LocalSums(Rows rows) implements Sums {
        @Override
        public double evaluate(double[] th, double[] g, double[] h) {
            if (g == null) return rows.logLikelihood(th);
            Arrays.fill(g, 0);
            Arrays.fill(h, 0);
            return rows.accumulate(th, g, h);
        }

        @Override
        public double[] scoreSquares(double[] th) {
            int m = rows.n + rows.p;
            double[] gg = new double[m * m];
            rows.accumulateScoreSquares(th, gg);
            return gg;
        }
    }

    /**
     * A block of style-control rows: items a, b (indices into n items), outcome y ∈ {1, 0, ½}, summed weight W, summed
     * squared weight W2 and vote count of the votes the row stands for (one vote, or identical votes collapsed),
     * and p normalised features x[r·p + j]. Serializable, so that Spark can ship and cache blocks.
     */
    public static final class Rows implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final int n, p;
        final int[] a, b;
        final double[] y, w, w2, x;
        final long[] count;

        public Rows(int n, int p, int[] a, int[] b, double[] y, double[] w, double[] w2, long[] count, double[] x) {
            int k = a.length;
            if (b.length != k || y.length != k || w.length != k || w2.length != k || count.length != k || x.length != (long) k * p) throw new IllegalArgumentException("style rows: arrays differ in length");
            this.n = n;
            this.p = p;
            this.a = a;
            this.b = b;
            this.y = y;
            this.w = w;
            this.w2 = w2;
            this.count = count;
            this.x = x;
        }

        public int size() { return a.length; }
        public int items() { return n; }
        public int features() { return p; }

        Rows withWeights(double[] weights) {
            return new Rows(n, p, a, b, y, weights, w2, count, x);
        }

        private double z(double[] th, int k) {
            double s = th[a[k]] - th[b[k]];
            for (int j = 0; j < p; j++) s += th[n + j] * x[k * p + j];
            return s;
        }

        /** ℓ over these rows. */
        public double logLikelihood(double[] th) {
            double f = 0;
            for (int k = 0; k < a.length; k++) {
                if (w[k] == 0) continue;
                double z = z(th, k);
                f += w[k] * (y[k] * Scalars.logSigmoid(z) + (1 - y[k]) * Scalars.logSigmoid(-z));
            }
            return f;
        }

        /**
         * Adds these rows' ∇ℓ to g and −∇²ℓ to h (row-major (n+p)²; the θ block in full, the θ-β block above the
         * diagonal only, the β block on and below the diagonal only; {@link Penalty#complete} fills the rest) and
         * returns ℓ over them.
         */
        public double accumulate(double[] th, double[] g, double[] h) {
            int m = n + p;
            double f = 0;
            for (int k = 0; k < a.length; k++) {
                if (w[k] == 0) continue;
                double z = z(th, k);
                f += w[k] * (y[k] * Scalars.logSigmoid(z) + (1 - y[k]) * Scalars.logSigmoid(-z));
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
                    int row = (n + j) * m + n;
                    for (int l = 0; l <= j; l++) h[row + l] += qf * x[xo + l];
                }
            }
            return f;
        }

        /** Adds Σ_r W2_r u_r u_rᵀ, u_r = (y_r − p_r)(e_a − e_b, x_r), to gg (full, row-major (n+p)²). */
        public void accumulateScoreSquares(double[] th, double[] gg) {
            int m = n + p;
            double[] u = new double[2 + p];
            int[] nz = new int[2 + p];
            for (int j = 0; j < p; j++) nz[2 + j] = n + j;
            for (int k = 0; k < a.length; k++) {
                if (w2[k] == 0) continue;
                double e = y[k] - Scalars.sigmoid(z(th, k));
                nz[0] = a[k];
                nz[1] = b[k];
                u[0] = e;
                u[1] = -e;
                for (int j = 0; j < p; j++) u[2 + j] = e * x[k * p + j];
                for (int s = 0; s < nz.length; s++) {
                    double us = w2[k] * u[s];
                    int row = nz[s] * m;
                    for (int t = 0; t < nz.length; t++) gg[row + nz[t]] += us * u[t];
                }
            }
        }
    }

    /** The penalties ½λβ‖β‖² + ½λθ‖θ‖² and the completion of half-filled sums into F's gradient and −Hessian. */
    record Penalty(int n, int p, double beta, double theta) {
        double value(double[] th) {
            double f = 0;
            for (int j = 0; j < p; j++) f += 0.5 * beta * th[n + j] * th[n + j];
            for (int r = 0; r < n; r++) f += 0.5 * theta * th[r] * th[r];
            return f;
        }

        /** Mirrors the half-filled blocks of h and subtracts the penalty's gradient from g and adds its curvature to h. */
        void complete(double[] th, double[] g, double[] h) {
            int m = n + p;
            for (int j = 0; j < p; j++) {
                for (int l = 0; l < j; l++) h[(n + l) * m + n + j] = h[(n + j) * m + n + l];
                for (int r = 0; r < n; r++) h[(n + j) * m + r] = h[r * m + n + j];
                g[n + j] -= beta * th[n + j];
                h[(n + j) * m + n + j] += beta;
            }
            for (int r = 0; r < n; r++) { g[r] -= theta * th[r]; h[r * m + r] += theta; }
        }
    }

    record Newton(int iterations, boolean converged) {}

    /** Newton's method with halving line search on F = ℓ − penalty from {@code th} (updated in place). */
    static Newton newton(Sums sums, Penalty pen, FitOptions fo, double[] th) {
        int n = pen.n(), m = n + pen.p();
        double[] g = new double[m], h = new double[m * m], gt = new double[m], ht = new double[m * m], tr = new double[m];
        double f = sums.evaluate(th, g, h) - pen.value(th);
        pen.complete(th, g, h);
        int it = 0;
        boolean conv = false;
        while (it < fo.maxIterations()) {
            it++;
            double[] fac = h.clone();
            if (fo.l2() == 0) for (int r = 0; r < n; r++) for (int s = 0; s < n; s++) fac[r * m + s] += 1.0 / n;
            if (!Linalg.cholesky(fac, m)) throw new IllegalArgumentException("style control: the information matrix is singular (an item never loses, or features are collinear with items; try --l2)");
            double[] step = g.clone();
            Linalg.cholSolve(fac, m, step);
            double t = 1, fn;
            while (true) {
                for (int r = 0; r < m; r++) tr[r] = th[r] + t * step[r];
                fn = sums.evaluate(tr, gt, ht) - pen.value(tr);
                if (fn >= f - 1e-12 * Math.abs(f) || t < 1e-12) break;
                t *= 0.5;
            }
            double mx = 0;
            for (double s : step) mx = Math.max(mx, Math.abs(t * s));
            if (fn >= f - 1e-12 * Math.abs(f)) {
                System.arraycopy(tr, 0, th, 0, m);
                f = fn;
                pen.complete(th, gt, ht);
                double[] sw = g; g = gt; gt = sw;
                sw = h; h = ht; ht = sw;
            }
            if (mx < fo.tolerance()) { conv = true; break; }
            if (t < 1e-12) break;
        }
        return new Newton(it, conv);
    }
}
