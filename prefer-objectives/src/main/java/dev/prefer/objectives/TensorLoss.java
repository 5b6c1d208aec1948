package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A loss on NDArrays: the scalar to call backward on, each group's loss (B), and the TRL metrics, computed on
 * the host only when asked for (a logging step), from detached values.
 */
public final class TensorLoss {
    private final NDArray loss;
    private final NDArray groupLosses;
    private final Supplier<Map<String, Double>> metrics;

    public TensorLoss(NDArray loss, NDArray groupLosses, Supplier<Map<String, Double>> metrics) {
        this.loss = loss;
        this.groupLosses = groupLosses;
        this.metrics = metrics;
    }

    /** The scalar loss (weighted mean over groups). */
    public NDArray loss() { return loss; }

    /** Per-group losses, shape (B). */
    public NDArray groupLosses() { return groupLosses; }

    /** TRL's metrics of this batch (copies the policy log-probs to the host). */
    public Map<String, Double> metrics() { return metrics.get(); }
}
