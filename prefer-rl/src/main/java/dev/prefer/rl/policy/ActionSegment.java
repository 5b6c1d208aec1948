package dev.prefer.rl.policy;

/**
 * A segment of a rollout with continuous actions: observations x_0..x_{T-1}, action vectors a_0..a_{T-1} and per-step
 * true rewards (vectors for multi-objective tasks), which only simulated teachers read. The continuous counterpart
 * of {@link SegmentData}.
 */
public record ActionSegment(double[][] obs, double[][] actions, double[][] rewards) {
    public ActionSegment {
        if (obs.length != actions.length || rewards.length != actions.length) {
            throw new IllegalArgumentException("segment: " + obs.length + " observations, " + actions.length + " actions, " + rewards.length + " rewards");
        }
    }

    public int length() {
        return actions.length;
    }

    /** Objective k's per-step rewards. */
    public double[] reward(int k) {
        return SegmentData.column(rewards, k);
    }
}
