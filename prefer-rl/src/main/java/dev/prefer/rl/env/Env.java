package dev.prefer.rl.env;

/**
 * A Gymnasium-like environment: {@link #reset(long)} with a seed, then {@link #step(double[])} until
 * {@link Step#done()}. Discrete actions are passed as a one-element array holding the action index
 * ({@link #actionCount()} &gt; 0); continuous actions as a vector of {@link #actionSize()} values in [-1, 1].
 * Rewards are vectors of {@link #rewardSize()} objectives (one for scalar tasks). Pure Java, no natives.
 */
public interface Env {
    /** Short stable name, e.g. "delivery". */
    String name();

    /** Length of each observation vector. */
    int observationSize();

    /** Number of discrete actions, or 0 for a continuous action space. */
    int actionCount();

    /** Length of a continuous action vector (1 for discrete spaces: the index). */
    default int actionSize() {
        return 1;
    }

    /** Number of reward objectives. */
    default int rewardSize() {
        return 1;
    }

    /** Steps after which an episode is truncated. */
    int maxSteps();

    /** Starts an episode; the same seed gives the same episode for the same actions. */
    double[] reset(long seed);

    /** Applies one action. */
    Step step(double[] action);

    /** Convenience for discrete actions. */
    default Step step(int action) {
        return step(new double[] {action});
    }

    /**
     * One transition.
     *
     * @param observation next observation
     * @param reward      reward vector (length {@link #rewardSize()})
     * @param terminated  reached a terminal state
     * @param truncated   hit {@link #maxSteps()}
     * @param features    reward features phi(s, a, s') where the task defines them (linear rewards), else null
     */
    record Step(double[] observation, double[] reward, boolean terminated, boolean truncated, double[] features) {
        public boolean done() {
            return terminated || truncated;
        }

        public double scalarReward() {
            return reward[0];
        }
    }
}
