package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * A preference objective: the one interface a trainer calls, for every method, without branching on names.
 *
 * <p>The trainer reads {@link #requirements()} once (is a reference model needed, how are responses grouped,
 * are KL samples, prompt-token scores or attributes wanted), builds per-sequence summed log-probs into a
 * {@link TensorBatch}, and calls {@link #loss(TensorBatch)}: a scalar to back-propagate (the mean of the group
 * losses, weighted by the batch's per-row weights) plus TRL's metrics. Every objective also has a double-precision
 * twin, {@link #loss(Batch)}, the reference its tensor form is tested against.
 */
public interface Objective {

    /** The catalog name, e.g. {@code dpo}. */
    String name();

    /** What the trainer must supply. */
    Requirements requirements();

    /** How implicit rewards are read for the metrics. */
    RewardForm rewardForm();

    /** Loss of each group, (B), in double precision. */
    double[] groupLosses(Batch batch);

    /** Loss of each group, shape (B), on NDArrays (differentiable in the policy log-probs). */
    NDArray groupLosses(TensorBatch batch);

    /** Weighted mean of the group losses, with metrics (double twin). */
    default Loss loss(Batch batch) {
        double[] l = groupLosses(batch);
        double num = 0, den = 0;
        for (int g = 0; g < l.length; g++) {
            num += batch.weight(g) * l[g];
            den += batch.weight(g);
        }
        double[] rewards = rewardForm().rewards(batch);
        return new Loss(num / den, l, Metrics.of(rewards, batch.policy(), batch.labels(), batch.groups(), batch.k()));
    }

    /** Weighted mean of the group losses, with metrics computed on demand (tensor form). */
    default TensorLoss loss(TensorBatch batch) {
        NDArray l = groupLosses(batch); // (B)
        NDArray w = batch.weights();
        NDArray loss = w == null ? l.mean() : l.mul(w).sum().div(w.sum());
        return new TensorLoss(loss, l, () -> {
            double[] policy = batch.policy().stopGradient().toType(DataType.FLOAT64, false).toDoubleArray();
            Batch host = batch.host().withPolicy(policy);
            return Metrics.of(rewardForm().rewards(host), policy, host.labels(), host.groups(), host.k());
        });
    }
}
