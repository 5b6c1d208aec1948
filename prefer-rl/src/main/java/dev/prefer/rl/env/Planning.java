package dev.prefer.rl.env;

/**
 * Exact planning in a {@link TabularMdp} for reward weights w: policy iteration (V*, Q*, an optimal policy) and
 * successor features psi^pi(s) = sum_t gamma^t phi(s_t, pi(s_t)), so that V^pi(s) = w . psi^pi(s). By the envelope
 * theorem dV*(s)/dw = psi^{pi*}(s) wherever the greedy policy is unique, which is what the regret preference model's
 * gradient uses.
 */
public final class Planning {
    private Planning() {
    }

    /** Optimal values, action values, an optimal deterministic policy and its successor features. */
    public record Solution(double[] v, double[][] q, int[] policy, double[][] psi) {
    }

    public static Solution solve(TabularMdp m, double[] w, double gamma) {
        return solve(m, w, gamma, null);
    }

    /**
     * Policy iteration with exact policy evaluation (V^pi = w . psi^pi, {@link #successorFeatures}): starts from the
     * greedy policy of {@code v0} when given (warm start), else from action 0 everywhere; switches an action only when
     * another is better by more than 1e-12, so it stops on an optimal policy in finitely many rounds.
     */
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
        int[] pi = new int[n];
        if (v0 != null) {
            pi = greedy(m, r, nx, v0, gamma, pi, false);
        }
        double[] v = new double[n];
        double[][] psi = null;
        for (int round = 0; round < 10_000; round++) {
            psi = successorFeatures(m, pi, gamma);
            for (int s = 0; s < n; s++) {
                v[s] = m.terminal(s) ? 0 : dot(w, psi[s]);
            }
            int[] next = greedy(m, r, nx, v, gamma, pi, true);
            if (java.util.Arrays.equals(next, pi)) {
                break;
            }
            pi = next;
        }
        double[][] q = new double[n][na];
        for (int s = 0; s < n; s++) {
            for (int a = 0; a < na; a++) {
                q[s][a] = m.terminal(s) ? 0 : r[s][a] + gamma * v[nx[s][a]];
            }
        }
        return new Solution(v, q, pi, psi);
    }

    private static int[] greedy(TabularMdp m, double[][] r, int[][] nx, double[] v, double gamma, int[] current, boolean keepTies) {
        int n = r.length;
        int[] pi = new int[n];
        for (int s = 0; s < n; s++) {
            if (m.terminal(s)) {
                continue;
            }
            int best = keepTies ? current[s] : 0;
            double bq = r[s][best] + gamma * v[nx[s][best]];
            for (int a = 0; a < r[s].length; a++) {
                double qa = r[s][a] + gamma * v[nx[s][a]];
                if (qa > bq + 1e-12) {
                    best = a;
                    bq = qa;
                }
            }
            pi[s] = best;
        }
        return pi;
    }

    /**
     * psi^pi for a deterministic policy, exactly: each state's path under pi either reaches a terminal state
     * (psi = 0 there) or enters a cycle c_0..c_{L-1}, where psi(c_0) = sum_k gamma^k phi(c_k) / (1 - gamma^L); the
     * rest follows backwards from psi(s) = phi(s, pi(s)) + gamma psi(next).
     */
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
        int[] mark = new int[n];                              // 0 new, 1 on the current path, 2 done
        int[] path = new int[n];
        for (int s0 = 0; s0 < n; s0++) {
            int len = 0;
            int cur = s0;
            while (mark[cur] == 0 && !m.terminal(cur)) {
                mark[cur] = 1;
                path[len++] = cur;
                cur = nx[cur];
            }
            int stop = len;                                   // path[0..stop) are resolved backwards from cur
            if (!m.terminal(cur) && mark[cur] == 1) {         // a cycle starting at cur
                int i0 = 0;
                while (path[i0] != cur) {
                    i0++;
                }
                int len2 = len - i0;
                double[] sum = new double[f];
                double g = 1;
                for (int k = 0; k < len2; k++) {
                    for (int j = 0; j < f; j++) {
                        sum[j] += g * phi[path[i0 + k]][j];
                    }
                    g *= gamma;
                }
                for (int j = 0; j < f; j++) {
                    psi[cur][j] = sum[j] / (1 - g);
                }
                mark[cur] = 2;
                for (int k = len - 1; k > i0; k--) {
                    int s = path[k];
                    for (int j = 0; j < f; j++) {
                        psi[s][j] = phi[s][j] + gamma * psi[nx[s]][j];
                    }
                    mark[s] = 2;
                }
                stop = i0;
            }
            for (int k = stop - 1; k >= 0; k--) {
                int s = path[k];
                for (int j = 0; j < f; j++) {
                    psi[s][j] = phi[s][j] + gamma * psi[nx[s]][j];
                }
                mark[s] = 2;
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
