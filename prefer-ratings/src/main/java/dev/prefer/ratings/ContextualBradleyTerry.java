package dev.prefer.ratings;

import dev.prefer.core.Scalars;
import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Contextual Bradley-Terry: per-vote features with their own coefficients, P(a beats b | f) =
 * σ(θ_a − θ_b + βᵀ f), where f is a vote's feature vector — typically differences of properties of the two
 * answers (the Chatbot Arena's style control, Li et al. 2024: length, markdown headers, lists, bold, as a − b; the
 * regression of preferences on properties in "Dissecting Human and LLM Preferences", Li et al. 2024). θ are
 * the items' strengths with style effects removed; β says how much each feature sways a vote. Ties count as
 * half-wins; weights multiply. Fitted by Newton's method over (θ, β) on the votes themselves (features make
 * collapsing impossible in general), with the mean-zero gauge on θ as in {@link PairwiseFitter}; an L2 penalty
 * applies to θ only. Standard errors from the inverse observed Fisher information.
 */
public final class ContextualBradleyTerry {
    private ContextualBradleyTerry() {}

    /**
     * @param fit          item strengths (θ) and their standard errors
     * @param featureNames names of the features
     * @param beta         feature coefficients (log-odds per unit of feature)
     * @param betaSe       their standard errors
     */
    public record Result(Fit fit, List<String> featureNames, double[] beta, double[] betaSe) {}

    public static Result fit(List<Vote> votes, List<String> featureNames, FitOptions o) {
        int p = featureNames.size();
        Map<String, Integer> idx = new HashMap<>();
        List<String> names = new ArrayList<>();
        int nv = votes.size();
        int[] a = new int[nv], b = new int[nv];
        double[] y = new double[nv], w = new double[nv];
        double[][] f = new double[nv][];
        for (int k = 0; k < nv; k++) {
            Vote v = votes.get(k);
            if (v.featureCount() != p) throw new IllegalArgumentException(v.source() + ": vote has " + v.featureCount() + " features, expected " + p);
            a[k] = idx.computeIfAbsent(v.a(), s -> { names.add(s); return names.size() - 1; });
            b[k] = idx.computeIfAbsent(v.b(), s -> { names.add(s); return names.size() - 1; });
            y[k] = switch (v.outcome()) { case A_WINS -> 1; case B_WINS -> 0; default -> 0.5; };
            w[k] = v.weight();
            f[k] = v.features();
        }
        int n = names.size();
        // Connectivity and existence are those of the plain comparison graph.
        Comparisons c = Comparisons.of(votes);
        int[] comp = Graphs.components(c.pairs());
        if (Arrays.stream(comp).max().orElse(0) > 0) throw new IllegalArgumentException("contextual Bradley-Terry needs a connected comparison graph");
        int m = n + p;
        double lambda = o.l2();
        double[] x = new double[m];
        double[] g = new double[m], h = new double[m * m], tr = new double[m];
        double obj = objective(a, b, y, w, f, x, n, lambda);
        int it = 0;
        boolean conv = false;
        while (it < o.maxIterations()) {
            it++;
            derivatives(a, b, y, w, f, x, n, lambda, g, h);
            if (lambda == 0) for (int r = 0; r < n; r++) for (int s = 0; s < n; s++) h[r * m + s] += 1.0 / n;
            double[] fac = h.clone();
            if (!Linalg.cholesky(fac, m)) throw new IllegalArgumentException("contextual Bradley-Terry: the information matrix is singular (features collinear with items, or an item never loses; try --l2)");
            double[] step = g.clone();
            Linalg.cholSolve(fac, m, step);
            double t = 1, fn;
            while (true) {
                for (int r = 0; r < m; r++) tr[r] = x[r] + t * step[r];
                fn = objective(a, b, y, w, f, tr, n, lambda);
                if (fn >= obj - 1e-12 * Math.abs(obj) || t < 1e-12) break;
                t *= 0.5;
            }
            double mx = 0;
            for (double s : step) mx = Math.max(mx, Math.abs(t * s));
            if (fn >= obj - 1e-12 * Math.abs(obj)) { System.arraycopy(tr, 0, x, 0, m); obj = fn; }
            if (mx < o.tolerance()) { conv = true; break; }
        }
        if (lambda == 0) {
            double mean = 0;
            for (int r = 0; r < n; r++) mean += x[r];
            mean /= n;
            for (int r = 0; r < n; r++) x[r] -= mean;
        }
        derivatives(a, b, y, w, f, x, n, lambda, g, h);
        if (lambda == 0) for (int r = 0; r < n; r++) for (int s = 0; s < n; s++) h[r * m + s] += 1.0 / n;
        double[] se = new double[m];
        Arrays.fill(se, Double.NaN);
        if (Linalg.cholesky(h, m)) {
            double[] d = Linalg.inverseDiagonal(h, m);
            for (int r = 0; r < m; r++) se[r] = Math.sqrt(Math.max(0, d[r] - (lambda == 0 && r < n ? 1.0 / n : 0)));
        }
        double ll = objective(a, b, y, w, f, x, n, 0);
        List<String> notes = new ArrayList<>();
        if (!conv) notes.add("the solver did not converge within " + o.maxIterations() + " iterations");
        Fit fit = new Fit("contextual-bt", names, Arrays.copyOf(x, n), Arrays.copyOf(se, n), new int[n], 1, new double[0], ll, it, conv, notes);
        return new Result(fit, featureNames, Arrays.copyOfRange(x, n, m), Arrays.copyOfRange(se, n, m));
    }

    static double objective(int[] a, int[] b, double[] y, double[] w, double[][] f, double[] x, int n, double lambda) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double z = x[a[k]] - x[b[k]];
            for (int j = 0; j < f[k].length; j++) z += x[n + j] * f[k][j];
            s += w[k] * (y[k] * Scalars.logSigmoid(z) + (1 - y[k]) * Scalars.logSigmoid(-z));
        }
        if (lambda > 0) for (int r = 0; r < n; r++) s -= 0.5 * lambda * x[r] * x[r];
        return s;
    }

    static void derivatives(int[] a, int[] b, double[] y, double[] w, double[][] f, double[] x, int n, double lambda, double[] g, double[] h) {
        int m = x.length;
        Arrays.fill(g, 0);
        Arrays.fill(h, 0);
        int p = m - n;
        for (int k = 0; k < a.length; k++) {
            double z = x[a[k]] - x[b[k]];
            double[] fk = f[k];
            for (int j = 0; j < p; j++) z += x[n + j] * fk[j];
            double s = Scalars.sigmoid(z);
            double r = w[k] * (y[k] - s), q = w[k] * s * (1 - s);
            int ia = a[k], ib = b[k];
            g[ia] += r;
            g[ib] -= r;
            h[ia * m + ia] += q;
            h[ib * m + ib] += q;
            h[ia * m + ib] -= q;
            h[ib * m + ia] -= q;
            for (int j = 0; j < p; j++) {
                double fj = fk[j];
                g[n + j] += r * fj;
                h[ia * m + n + j] += q * fj;
                h[(n + j) * m + ia] += q * fj;
                h[ib * m + n + j] -= q * fj;
                h[(n + j) * m + ib] -= q * fj;
                for (int l = 0; l < p; l++) h[(n + j) * m + n + l] += q * fj * fk[l];
            }
        }
        if (lambda > 0) for (int r = 0; r < n; r++) { g[r] -= lambda * x[r]; h[r * m + r] += lambda; }
    }
}
