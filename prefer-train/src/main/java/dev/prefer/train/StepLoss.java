package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the trainer asks of a task: the loss of one micro-batch from its policy log-probs. The trainer runs the
 * same loop for every objective and for SFT; it never looks at a loss name.
 */
interface StepLoss {

    /**
     * @param loss    scalar, the normalised loss of this micro-batch
     * @param metrics the task's metrics of this micro-batch (computed on demand)
     */
    record Out(NDArray loss, Supplier<Map<String, Double>> metrics) {}

    /** The micro-batch's share of the step's normaliser (sum of weights, or of weighted tokens for SFT). */
    double normaliser(List<TrainExample> groups);

    /**
     * @param sums   (B*K) summed log-probs of the responses, group-major
     * @param tokens (B*K) per-token log-probs concatenated, for token-level losses
     * @param ref    reference summed log-probs per group (null when not needed)
     */
    Out compute(NDManager step, NDArray sums, NDArray tokens, List<TrainExample> groups, List<double[]> ref, DataType type);

    /** Double-precision loss of groups from host log-probs (for evaluation). */
    double hostLoss(List<TrainExample> groups, List<double[]> policy, List<double[]> ref);
}
