package dev.prefer.ratings;

import dev.prefer.core.Scalars;
import dev.prefer.data.votes.Outcome;
import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A finite mixture of Bradley-Terry models over annotators, fitted by EM: annotator u belongs to one of K
 * populations z_u ~ Categorical(π), and all of u's votes follow BT with that population's strengths θ_k
 * (ties as half-wins). This finds groups of people who rank the items differently — the item-level analogue of
 * MaxMin-RLHF's (Chakraborty et al. 2024) EM over user groups and of MiCRo's (Shen et al. 2025) mixture of
 * preference models. E-step: r_uk ∝ π_k Π_{v∈u} P_k(v)^{w_v}; M-step: π_k = mean_u r_uk and θ_k = a
 * BT fit with vote weights r_uk·w_v (an L2 penalty keeps sparse components finite). Several seeded restarts,
 * best training log-likelihood wins. {@link #heldOut} scores K on held-out votes: each annotator's votes are
 * split (seeded) into train and test, and the test votes are scored by Σ_u log Σ_k r_uk(train) Π P_k(v).
 */
public final class BradleyTerryMixture {
    private BradleyTerryMixture() {}

    /**
     * @param components    K
     * @param l2            L2 penalty of each component's BT fit (default 0.01; must be &gt; 0)
     * @param maxIterations EM iterations at most
     * @param tolerance     stop when the log-likelihood improves by less than this (relative)
     * @param restarts      random restarts
     * @param seed          seed of the initial responsibilities
     */
    public record Options(int components, double l2, int maxIterations, double tolerance, int restarts, long seed) {
        public Options {
            if (components < 1) throw new IllegalArgumentException("components must be >= 1");
            if (!(l2 > 0)) throw new IllegalArgumentException("mixture components need an L2 penalty > 0");
            if (maxIterations < 1 || restarts < 1) throw new IllegalArgumentException("iterations and restarts must be >= 1");
        }

        public static Options of(int k, long seed) { return new Options(k, 0.01, 200, 1e-9, 5, seed); }
    }

    /**
     * @param items          item names
     * @param annotators     annotator names (votes without one are "")
     * @param theta          K × items strengths
     * @param weights        π
     * @param responsibility annotators × K posterior memberships
     * @param logLikelihood  training log-likelihood Σ_u log Σ_k π_k Π P_k(v)
     * @param iterations     EM iterations of the best restart
     */
    public record Result(List<String> items, List<String> annotators, double[][] theta, double[] weights,
                         double[][] responsibility, double logLikelihood, int iterations) {}

    /** Annotator-level data: unique (annotator, pair, outcome) rows. */
    static final class Data {
        final List<String> items = new ArrayList<>();
        final List<String> annotators = new ArrayList<>();
        int[] ann, i, j;
        double[] wi, wj, t;
        int rows;

        Data(List<Vote> votes, List<String> itemOrder, List<String> annotatorOrder) {
            Map<String, Integer> ii = new HashMap<>(), ai = new HashMap<>();
            if (itemOrder != null) for (String s : itemOrder) { ii.put(s, items.size()); items.add(s); }
            if (annotatorOrder != null) for (String s : annotatorOrder) { ai.put(s, annotators.size()); annotators.add(s); }
            Map<String, Integer> rowOf = new HashMap<>();
            List<int[]> keys = new ArrayList<>();
            List<double[]> vals = new ArrayList<>();
            for (Vote v : votes) {
                int x = ii.computeIfAbsent(v.a(), s -> { items.add(s); return items.size() - 1; });
                int y = ii.computeIfAbsent(v.b(), s -> { items.add(s); return items.size() - 1; });
                String who = v.annotator() == null ? "" : v.annotator();
                int u = ai.computeIfAbsent(who, s -> { annotators.add(s); return annotators.size() - 1; });
                int lo = Math.min(x, y), hi = Math.max(x, y);
                String key = u + ":" + lo + ":" + hi;
                Integer r = rowOf.get(key);
                if (r == null) { r = keys.size(); rowOf.put(key, r); keys.add(new int[] {u, lo, hi}); vals.add(new double[3]); }
                double[] s = vals.get(r);
                if (v.outcome().isTie()) s[2] += v.weight();
                else if ((v.outcome() == Outcome.A_WINS) == (x == lo)) s[0] += v.weight();
                else s[1] += v.weight();
            }
            rows = keys.size();
            ann = new int[rows]; i = new int[rows]; j = new int[rows];
            wi = new double[rows]; wj = new double[rows]; t = new double[rows];
            for (int r = 0; r < rows; r++) {
                ann[r] = keys.get(r)[0]; i[r] = keys.get(r)[1]; j[r] = keys.get(r)[2];
                wi[r] = vals.get(r)[0]; wj[r] = vals.get(r)[1]; t[r] = vals.get(r)[2];
            }
        }

        /** Log-likelihood of each row under strengths θ. */
        double rowLogLik(int r, double[] theta) {
            double d = theta[i[r]] - theta[j[r]];
            double a = wi[r] + 0.5 * t[r], b = wj[r] + 0.5 * t[r];
            return (a == 0 ? 0 : a * Scalars.logSigmoid(d)) + (b == 0 ? 0 : b * Scalars.logSigmoid(-d));
        }

        /** Pair table of all rows with weights resp[ann[r]] (aggregated over annotators). */
        PairTable table(double[] annWeight) {
            Map<Long, Integer> slot = new HashMap<>();
            int n = items.size();
            List<double[]> acc = new ArrayList<>();
            List<int[]> ids = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                double w = annWeight[ann[r]];
                if (w == 0) continue;
                long key = (long) i[r] * n + j[r];
                Integer s = slot.get(key);
                if (s == null) { s = acc.size(); slot.put(key, s); acc.add(new double[3]); ids.add(new int[] {i[r], j[r]}); }
                double[] x = acc.get(s);
                x[0] += w * wi[r]; x[1] += w * wj[r]; x[2] += w * t[r];
            }
            int m = acc.size();
            int[] pi = new int[m], pj = new int[m];
            double[] a = new double[m], b = new double[m], tt = new double[m];
            for (int s = 0; s < m; s++) { pi[s] = ids.get(s)[0]; pj[s] = ids.get(s)[1]; a[s] = acc.get(s)[0]; b[s] = acc.get(s)[1]; tt[s] = acc.get(s)[2]; }
            return new PairTable(n, pi, pj, a, b, tt);
        }
    }

    public static Result fit(List<Vote> votes, Options o) {
        return fit(new Data(votes, null, null), o);
    }

    static Result fit(Data d, Options o) {
        SplittableRandom rnd = new SplittableRandom(o.seed());
        Result best = null;
        for (int rs = 0; rs < o.restarts(); rs++) {
            Result r = em(d, o, rnd.split());
            if (best == null || r.logLikelihood() > best.logLikelihood()) best = r;
        }
        return best;
    }

    private static Result em(Data d, Options o, SplittableRandom rnd) {
        int K = o.components(), U = d.annotators.size(), n = d.items.size();
        double[][] resp = new double[U][K];
        for (int u = 0; u < U; u++) {
            double s = 0;
            for (int k = 0; k < K; k++) { resp[u][k] = -Math.log(rnd.nextDouble(1e-12, 1.0)); s += resp[u][k]; }
            for (int k = 0; k < K; k++) resp[u][k] /= s;
        }
        double[][] theta = new double[K][n];
        double[] pi = new double[K];
        double prev = Double.NEGATIVE_INFINITY, ll = prev;
        int it = 0;
        FitOptions fo = FitOptions.DEFAULT.withL2(o.l2()).withStandardErrors(false);
        List<String> items = d.items;
        while (it < o.maxIterations()) {
            it++;
            // M-step
            for (int k = 0; k < K; k++) {
                double[] aw = new double[U];
                double s = 0;
                for (int u = 0; u < U; u++) { aw[u] = resp[u][k]; s += resp[u][k]; }
                pi[k] = Math.max(s / U, 1e-300);
                theta[k] = PairwiseFitter.fit(BradleyTerryModel.INSTANCE, items, d.table(aw), fo, theta[k]).theta();
            }
            // E-step
            double[][] lu = new double[U][K];
            for (int u = 0; u < U; u++) for (int k = 0; k < K; k++) lu[u][k] = Math.log(pi[k]);
            for (int r = 0; r < d.rows; r++) for (int k = 0; k < K; k++) lu[d.ann[r]][k] += d.rowLogLik(r, theta[k]);
            ll = 0;
            for (int u = 0; u < U; u++) {
                double mx = Arrays.stream(lu[u]).max().orElse(0), z = 0;
                for (int k = 0; k < K; k++) z += Math.exp(lu[u][k] - mx);
                ll += mx + Math.log(z);
                for (int k = 0; k < K; k++) resp[u][k] = Math.exp(lu[u][k] - mx) / z;
            }
            if (ll - prev < o.tolerance() * Math.abs(ll)) break;
            prev = ll;
        }
        return new Result(items, d.annotators, theta, pi, resp, ll, it);
    }

    /**
     * Held-out log-likelihood of a K-component mixture: each annotator's votes are split at random (seeded) with
     * {@code testShare} held out; the mixture is fitted on the rest; held-out votes are scored per annotator by
     * log Σ_k r_uk Π_{v held out} P_k(v). Higher is better; compare across K to choose it.
     */
    public static double heldOut(List<Vote> votes, Options o, double testShare) {
        SplittableRandom rnd = new SplittableRandom(o.seed() ^ 0x5DEECE66DL);
        List<Vote> train = new ArrayList<>(), test = new ArrayList<>();
        for (Vote v : votes) (rnd.nextDouble() < testShare ? test : train).add(v);
        Data dtrain = new Data(train, null, null);
        Data dall = new Data(votes, dtrain.items, dtrain.annotators);
        if (dall.items.size() != dtrain.items.size()) throw new IllegalArgumentException("some items appear only in held-out votes; use a smaller test share");
        Result r = fit(dtrain, o);
        Data dtest = new Data(test, dtrain.items, dtrain.annotators);
        int U = dtest.annotators.size(), K = o.components();
        double[][] lu = new double[U][K];
        for (int u = 0; u < U; u++) {
            for (int k = 0; k < K; k++) {
                double w = u < r.responsibility().length ? r.responsibility()[u][k] : r.weights()[k];
                lu[u][k] = Math.log(Math.max(w, 1e-300));
            }
        }
        boolean[] has = new boolean[U];
        for (int q = 0; q < dtest.rows; q++) {
            has[dtest.ann[q]] = true;
            for (int k = 0; k < K; k++) lu[dtest.ann[q]][k] += dtest.rowLogLik(q, r.theta()[k]);
        }
        double s = 0;
        for (int u = 0; u < U; u++) {
            if (!has[u]) continue;
            double mx = Arrays.stream(lu[u]).max().orElse(0), z = 0;
            for (int k = 0; k < K; k++) z += Math.exp(lu[u][k] - mx);
            s += mx + Math.log(z);
        }
        return s;
    }
}
