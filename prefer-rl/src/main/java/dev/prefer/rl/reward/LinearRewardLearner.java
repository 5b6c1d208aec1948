package dev.prefer.rl.reward;

import dev.prefer.rl.env.Planning;
import dev.prefer.rl.env.TabularMdp;
import dev.prefer.rl.nn.Adam;
import java.util.List;
import java.util.Random;

/**
 * Learns linear reward weights w (r = w . phi) from segment preferences in a {@link TabularMdp} under the
 * partial-return or the regret preference model (Knox et al., arXiv 2206.02231), by Adam on the mean logistic loss
 * <pre>  L(w) = mean_i [ -y_i log sigmoid(z_i) - (1 - y_i) log sigmoid(-z_i) ] + l2/2 |w|^2 </pre>
 * with z = w . (Phi(s1) - Phi(s2)) for partial return (Phi: undiscounted feature sums) and
 * z = regret(s2) - regret(s1) for regret, regret(s) = V*_w(s_0) - w . Phi_gamma(s) - gamma^T V*_w(s_T).
 * The regret gradient uses dV*_w(s)/dw = psi^{pi*_w}(s), the successor features of the greedy policy (exact
 * wherever the greedy policy is unique), as Knox et al. do with successor features. Everything in double precision.
 */
public final class LinearRewardLearner {
    /** One labelled pair; y = P(first preferred) (1, 0, or 0.5 for "equal"). */
    public record Pair(Segment first, Segment second, double y) {
    }

    /**
     * Fitting hyper-parameters. The regret loss is not convex (V* switches policy as w moves), so {@link #fitBest}
     * also tries {@code restarts} random starts and keeps the lowest training loss.
     */
    public record Config(PreferenceModel model, double gamma, int steps, double lr, double l2, int restarts) {
        public Config {
            if (!(gamma > 0 && gamma < 1) || steps < 1 || !(lr > 0) || l2 < 0 || restarts < 0) {
                throw new IllegalArgumentException("LinearRewardLearner: bad config " + gamma + ", " + steps + ", " + lr + ", " + l2 + ", " + restarts);
            }
        }

        public Config(PreferenceModel model, double gamma, int steps, double lr, double l2) {
            this(model, gamma, steps, lr, l2, 0);
        }
    }

    private LinearRewardLearner() {
    }

    /** Loss value and gradient at w. */
    public record Eval(double loss, double[] grad, double[] values) {
    }

    public static Eval evaluate(TabularMdp m, List<Pair> pairs, double[] w, Config c) {
        return evaluate(m, pairs, w, c, null);
    }

    /** As {@link #evaluate(TabularMdp, List, double[], Config)}, value iteration warm-started from {@code v0}. */
    public static Eval evaluate(TabularMdp m, List<Pair> pairs, double[] w, Config c, double[] v0) {
        int f = m.featureCount();
        double[] grad = new double[f];
        double loss = 0;
        Planning.Solution sol = c.model() == PreferenceModel.REGRET ? Planning.solve(m, w, c.gamma(), v0) : null;
        for (Pair p : pairs) {
            double[] dz = dz(m, p, sol, c.gamma());
            double z = 0;
            for (int k = 0; k < f; k++) {
                z += w[k] * dz[k];
            }
            if (sol != null) {
                z += valueTerms(p.second(), sol, c.gamma()) - valueTerms(p.first(), sol, c.gamma());
            }
            loss += p.y() * softplus(-z) + (1 - p.y()) * softplus(z);
            double g = sigmoid(z) - p.y();                 // dL/dz
            for (int k = 0; k < f; k++) {
                grad[k] += g * dzFull(m, p, sol, c.gamma(), dz, k);
            }
        }
        int n = Math.max(1, pairs.size());
        for (int k = 0; k < f; k++) {
            grad[k] = grad[k] / n + c.l2() * w[k];
        }
        double reg = 0;
        for (double x : w) {
            reg += x * x;
        }
        return new Eval(loss / n + 0.5 * c.l2() * reg, grad, sol == null ? null : sol.v());
    }

    /** The part of z linear in w through segment features: Phi(s1) - Phi(s2) (PR) or Phi_g(s1) - Phi_g(s2) (regret). */
    private static double[] dz(TabularMdp m, Pair p, Planning.Solution sol, double gamma) {
        double g = sol == null ? 1.0 : gamma;             // partial return sums undiscounted rewards
        double[] a = p.first().featureSum(m, g);
        double[] b = p.second().featureSum(m, g);
        double[] d = new double[a.length];
        for (int k = 0; k < a.length; k++) {
            d[k] = a[k] - b[k];
        }
        return d;
    }

    /** V*(s_0) - gamma^T V*(s_T) of a segment. */
    private static double valueTerms(Segment s, Planning.Solution sol, double gamma) {
        return sol.v()[s.states()[0]] - Math.pow(gamma, s.length()) * sol.v()[s.states()[s.length()]];
    }

    /** dz/dw_k including the value terms' envelope derivative for the regret model. */
    private static double dzFull(TabularMdp m, Pair p, Planning.Solution sol, double gamma, double[] dz, int k) {
        if (sol == null) {
            return dz[k];
        }
        Segment a = p.first();
        Segment b = p.second();
        double[][] psi = sol.psi();
        double vb = psi[b.states()[0]][k] - Math.pow(gamma, b.length()) * psi[b.states()[b.length()]][k];
        double va = psi[a.states()[0]][k] - Math.pow(gamma, a.length()) * psi[a.states()[a.length()]][k];
        return dz[k] + vb - va;
    }

    /** Fits w from w0 by Adam for {@code steps} full-batch steps. */
    public static double[] fit(TabularMdp m, List<Pair> pairs, double[] w0, Config c) {
        double[] w = w0.clone();
        Adam adam = new Adam(w.length, c.lr());
        double[] v = null;
        for (int it = 0; it < c.steps(); it++) {
            Eval e = evaluate(m, pairs, w, c, v);
            v = e.values();
            adam.step(w, e.grad());
        }
        return w;
    }

    /** Fits from w0 and from {@code restarts} N(0, 1) starts; returns the weights with the lowest training loss. */
    public static double[] fitBest(TabularMdp m, List<Pair> pairs, double[] w0, Config c, Random rng) {
        double[] best = fit(m, pairs, w0, c);
        double bestLoss = evaluate(m, pairs, best, c).loss();
        for (int r = 0; r < c.restarts(); r++) {
            double[] start = new double[w0.length];
            for (int k = 0; k < start.length; k++) {
                start[k] = rng.nextGaussian();
            }
            double[] w = fit(m, pairs, start, c);
            double loss = evaluate(m, pairs, w, c).loss();
            if (loss < bestLoss) {
                best = w;
                bestLoss = loss;
            }
        }
        return best;
    }

    /**
     * An ensemble of k members, each fitted on a bootstrap resample of the pairs from its own random start
     * (B-Pref's ensembles differ by initialisation and batch order; bootstrap makes them differ on small data too).
     */
    public static double[][] fitEnsemble(TabularMdp m, List<Pair> pairs, int k, Config c, long seed) {
        double[][] members = new double[k][];
        for (int i = 0; i < k; i++) {
            Random rng = new Random(seed * 1_000_003L + i);
            List<Pair> sample = k == 1 ? pairs : bootstrap(pairs, rng);
            double[] w0 = new double[m.featureCount()];
            for (int j = 0; j < w0.length; j++) {
                w0[j] = 0.1 * rng.nextGaussian();
            }
            members[i] = fitBest(m, sample, w0, c, rng);
        }
        return members;
    }

    static List<Pair> bootstrap(List<Pair> pairs, Random rng) {
        java.util.ArrayList<Pair> out = new java.util.ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            out.add(pairs.get(rng.nextInt(pairs.size())));
        }
        return out;
    }

    /** P(first preferred) of a pair under weights w. */
    public static double probability(TabularMdp m, Pair p, double[] w, Config c) {
        Planning.Solution sol = c.model() == PreferenceModel.REGRET ? Planning.solve(m, w, c.gamma()) : null;
        double[] dz = dz(m, p, sol, c.gamma());
        double z = 0;
        for (int k = 0; k < dz.length; k++) {
            z += w[k] * dz[k];
        }
        if (sol != null) {
            z += valueTerms(p.second(), sol, c.gamma()) - valueTerms(p.first(), sol, c.gamma());
        }
        return sigmoid(z);
    }

    /** Mean of the members' weights. */
    public static double[] mean(double[][] members) {
        double[] w = new double[members[0].length];
        for (double[] mw : members) {
            for (int k = 0; k < w.length; k++) {
                w[k] += mw[k] / members.length;
            }
        }
        return w;
    }

    public static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /** log(1 + e^x), stable. */
    public static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }
}
