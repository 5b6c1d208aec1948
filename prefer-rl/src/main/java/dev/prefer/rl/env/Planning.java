package dev.prefer.rl.env;

/**
 * Exact planning in a {@link TabularMdp} for reward weights w: value iteration (V*, Q*, a greedy optimal policy) and
 * successor features psi^pi(s) = sum_t gamma^t phi(s_t, pi(s_t)), so that V^pi(s) = w . psi^pi(s). By the envelope
 * theorem dV*(s)/dw = psi^{pi*}(s) wherever the greedy policy is unique, which is what the regret preference model's
 * gradient uses.
 */
public final class Planning {
    private Planning() {
    }

    /** Optimal values, action values and a greedy policy (lowest action index among ties). */
    public record Solution(double[] v, double[][] q, int[] policy, double[][] psi) {
    }

    public static Solution solve(TabularMdp m, double[] w, double gamma) {
        return solve(m, w, gamma, null);
    }

    /** Value iteration to a sup-norm change below 1e-10 (warm-started from {@code v0} when given). */
    public static Solution solve(TabularMdp m, double[] w, double gamma, double[] v0) {
        if (!(gamma > 0 && gamma < 1)) {
            throw new IllegalArgumentException("Planning: gamma must be in (0, 1), got " + gamma);
        }
        int n = m.stateCount();
        int na = m.actions();
        double[][] r = new double[n][na];
        int[][] nx = new int[n][na];
        for (int s = 0; s < n; s++) {
            for (int a = 0; a < na; a++) {
                r[s][a] = dot(w, m.features(s, a));
                nx[s][a] = m.next(s, a);
            }
        }
        double[] v = v0 == null ? new double[n] : v0.clone();
        double[][] q = new double[n][na];
        for (int it = 0; it < 100_000; it++) {
            double delta = 0;
            for (int s = 0; s < n; s++) {
                if (m.terminal(s)) {
                    v[s] = 0;
                    continue;
                }
                double best = Double.NEGATIVE_INFINITY;
                for (int a = 0; a < na; a++) {
                    q[s][a] = r[s][a] + gamma * v[nx[s][a]];
                    best = Math.max(best, q[s][a]);
                }
                delta = Math.max(delta, Math.abs(best - v[s]));
                v[s] = best;
            }
            if (delta < 1e-10) {
                break;
            }
        }
        int[] pi = new int[n];
        for (int s = 0; s < n; s++) {
            if (m.terminal(s)) {
                continue;
            }
            int best = 0;
            for (int a = 0; a < na; a++) {
                q[s][a] = r[s][a] + gamma * v[nx[s][a]];
                if (q[s][a] > q[s][best] + 1e-12) {
                    best = a;
                }
            }
            pi[s] = best;
        }
        return new Solution(v, q, pi, successorFeatures(m, pi, gamma));
    }

    /** psi^pi for a deterministic policy, by iteration to 1e-12. */
    public static double[][] successorFeatures(TabularMdp m, int[] pi, double gamma) {
        int n = m.stateCount();
        int f = m.featureCount();
        double[][] psi = new double[n][f];
        double[][] phi = new double[n][];
        int[] nx = new int[n];
        for (int s = 0; s < n; s++) {
            phi[s] = m.features(s, pi[s]);
            nx[s] = m.next(s, pi[s]);
        }
        for (int it = 0; it < 100_000; it++) {
            double delta = 0;
            for (int s = 0; s < n; s++) {
                if (m.terminal(s)) {
                    continue;
                }
                for (int k = 0; k < f; k++) {
                    double x = phi[s][k] + gamma * psi[nx[s]][k];
                    delta = Math.max(delta, Math.abs(x - psi[s][k]));
                    psi[s][k] = x;
                }
            }
            if (delta < 1e-12) {
                break;
            }
        }
        return psi;
    }

    /** Undiscounted true return of following pi from s for at most maxSteps steps. */
    public static double rollout(TabularMdp m, int[] pi, int s, int maxSteps) {
        double[] w = m.trueWeights();
        double ret = 0;
        for (int t = 0; t < maxSteps && !m.terminal(s); t++) {
            ret += dot(w, m.features(s, pi[s]));
            s = m.next(s, pi[s]);
        }
        return ret;
    }

    /** Mean undiscounted true return of pi over all start states. */
    public static double meanReturn(TabularMdp m, int[] pi, int maxSteps) {
        int[] starts = m.startStates();
        double sum = 0;
        for (int s : starts) {
            sum += rollout(m, pi, s, maxSteps);
        }
        return sum / starts.length;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
