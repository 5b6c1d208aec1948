package dev.prefer.rl.reward;

import dev.prefer.rl.env.TabularMdp;

/**
 * A segment in a {@link TabularMdp}: states s_0..s_T and actions a_0..a_{T-1} (T = actions.length).
 */
public record Segment(int[] states, int[] actions) {
    public Segment {
        if (states.length != actions.length + 1) {
            throw new IllegalArgumentException("segment: " + states.length + " states for " + actions.length + " actions");
        }
    }

    public int length() {
        return actions.length;
    }

    /** Rolls a segment of {@code length} actions from s in a deterministic MDP. */
    public static Segment roll(TabularMdp m, int s, int[] actions) {
        int[] st = new int[actions.length + 1];
        st[0] = s;
        for (int t = 0; t < actions.length; t++) {
            st[t + 1] = m.next(st[t], actions[t]);
        }
        return new Segment(st, actions.clone());
    }

    /** sum_t gamma^t phi(s_t, a_t). */
    public double[] featureSum(TabularMdp m, double gamma) {
        double[] f = new double[m.featureCount()];
        double g = 1;
        for (int t = 0; t < actions.length; t++) {
            double[] phi = m.features(states[t], actions[t]);
            for (int k = 0; k < f.length; k++) {
                f[k] += g * phi[k];
            }
            g *= gamma;
        }
        return f;
    }

    /** Per-step rewards under weights w. */
    public double[] rewards(TabularMdp m, double[] w) {
        double[] r = new double[actions.length];
        for (int t = 0; t < r.length; t++) {
            double[] phi = m.features(states[t], actions[t]);
            for (int k = 0; k < phi.length; k++) {
                r[t] += w[k] * phi[k];
            }
        }
        return r;
    }

    /**
     * Per-step negated discounted regret gamma^t (Q*(s_t, a_t) - V*(s_t)) under the true reward; their sum is
     * -regret, so a B-Pref teacher given these "rewards" is a regret-model teacher.
     */
    public double[] negatedRegrets(double[][] q, double[] v, double gamma) {
        double[] x = new double[actions.length];
        double g = 1;
        for (int t = 0; t < x.length; t++) {
            x[t] = g * (q[states[t]][actions[t]] - v[states[t]]);
            g *= gamma;
        }
        return x;
    }
}
