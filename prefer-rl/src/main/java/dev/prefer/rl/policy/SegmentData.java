package dev.prefer.rl.policy;

/**
 * A segment of an environment rollout for learners that work on observations: observations x_0..x_{T-1} (the
 * inputs the policy or reward model sees at each step), discrete actions, and per-step true rewards (vectors for
 * multi-objective tasks) which only simulated teachers read.
 */
public record SegmentData(double[][] obs, int[] actions, double[][] rewards) implements java.io.Serializable {
    public SegmentData {
        if (obs.length != actions.length || rewards.length != actions.length) {
            throw new IllegalArgumentException("segment: " + obs.length + " observations, " + actions.length + " actions, " + rewards.length + " rewards");
        }
    }

    public int length() {
        return actions.length;
    }

    /** Objective k's per-step rewards. */
    public double[] reward(int k) {
        return column(rewards, k);
    }

    /** Column k of per-step reward vectors (shared with {@link ActionSegment}). */
    static double[] column(double[][] rewards, int k) {
        double[] r = new double[rewards.length];
        for (int t = 0; t < r.length; t++) {
            r[t] = rewards[t][k];
        }
        return r;
    }
}
