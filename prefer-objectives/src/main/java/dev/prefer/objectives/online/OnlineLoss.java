package dev.prefer.objectives.online;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An online (on-policy) loss: the one call a trainer makes on a batch of sampled completions, for every method,
 * without branching on names. The trainer computes advantages (or judge scores) with {@link Advantages} /
 * {@link WinRates}, fills an {@link OnlineTensorBatch} and back-propagates {@link Tensor#loss()}; the metrics (TRL's
 * names) are computed on the host only when asked for. Every loss has a double-precision twin,
 * {@link #loss(OnlineBatch)}, the reference its tensor form is tested against.
 */
public interface OnlineLoss {

    /** A short name for logs, e.g. {@code grpo}, {@code dapo}, {@code rloo}. */
    String name();

    /** Does the loss read the reference model's log-probs? (GRPO with β = 0 does not: no reference is loaded.) */
    boolean needsReference();

    /** The loss and its metrics in double precision. */
    Value loss(OnlineBatch batch);

    /** The loss on NDArrays, differentiable in {@code batch.logps()}. */
    Tensor loss(OnlineTensorBatch batch);

    /** A loss value with metrics. */
    record Value(double value, Map<String, Double> metrics) {
        public Value {
            metrics = Map.copyOf(metrics);
        }
    }

    /** The scalar to call backward on, with metrics computed on demand from detached values. */
    record Tensor(NDArray loss, Supplier<Map<String, Double>> metricsSupplier) {
        public Map<String, Double> metrics() { return metricsSupplier.get(); }
    }
}
