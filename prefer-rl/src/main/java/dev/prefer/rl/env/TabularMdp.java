package dev.prefer.rl.env;

/**
 * A finite deterministic MDP with linear reward features, r(s, a) = w . phi(s, a): what value iteration, successor
 * features and the regret preference model need. Terminal states are absorbing with zero reward and zero features.
 */
public interface TabularMdp {
    int stateCount();

    int actions();

    /** Next state of a in s (s itself when s is terminal). */
    int next(int s, int a);

    boolean terminal(int s);

    /** Reward features phi(s, a); length {@link #featureCount()}; zeros when s is terminal. */
    double[] features(int s, int a);

    int featureCount();

    /** The true reward weights. */
    double[] trueWeights();

    /** States an episode may start from. */
    int[] startStates();
}
