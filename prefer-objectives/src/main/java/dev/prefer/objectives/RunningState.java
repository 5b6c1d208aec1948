package dev.prefer.objectives;

/**
 * State an objective carries across training batches (BCO's running mean of the rewards). A trainer calls
 * {@link #observe} on every training micro-batch, with the policy's current log-probs and before computing its loss,
 * never on evaluation batches; it checkpoints {@link #state()} and gives it back with {@link #restore} on resume.
 */
public interface RunningState {

    /** Updates the state with a training batch (its policy log-probs are the current, detached values). */
    void observe(Batch batch);

    /** The state as numbers, for checkpoints. */
    double[] state();

    /** Restores what {@link #state()} returned. */
    void restore(double[] state);
}
