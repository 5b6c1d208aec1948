package dev.prefer.objectives;

import ai.djl.ndarray.NDArray;
import dev.prefer.core.Scalars;

/**
 * Stable elementwise functions on NDArrays, with their double-precision forms (which live in
 * {@link dev.prefer.core.Scalars}, the one home of the scalar math; the overloads here keep the twins reading like
 * the tensor code). log σ(x) is computed as −softplus(−x) and softplus(x) = max(x, 0) + log(1 + e^{−|x|}), which is
 * finite and accurate at x = ±100 and beyond.
 */
public final class Num {
    private Num() {}

    public static double softplus(double x) {
        return Scalars.softplus(x);
    }

    public static double logSigmoid(double x) {
        return Scalars.logSigmoid(x);
    }

    public static double sigmoid(double x) {
        return Scalars.sigmoid(x);
    }

    /**
     * A number as a 0-d array in engine-owned memory, in {@code like}'s manager, with the type DJL itself would give
     * it ({@code NDManager.create(Number)}). Use it instead of {@code x.mul(2.0)}-style calls on the gradient path:
     * DJL makes the number a 0-d array over a Java buffer ({@code torch::from_blob}), closes it right after the op,
     * and autograd keeps that tensor for the backward pass; once the buffer is garbage-collected the backward reads
     * freed memory (gradients then differ between identical runs, rarely). The copy here is made while the host
     * buffer is alive and owns its storage.
     */
    public static NDArray scalar(NDArray like, Number value) {
        try (NDArray host = like.getManager().create(value)) {
            return host.duplicate();
        }
    }

    /** softplus(x) = max(x, 0) + log(1 + e^{−|x|}). */
    public static NDArray softplus(NDArray x) {
        return x.maximum(scalar(x, 0)).add(x.abs().neg().exp().add(1).log());
    }

    /** log σ(x) = −softplus(−x). */
    public static NDArray logSigmoid(NDArray x) {
        return softplus(x.neg()).neg();
    }

    /** σ(x) = exp(log σ(x)). */
    public static NDArray sigmoid(NDArray x) {
        return logSigmoid(x).exp();
    }

    /** log Σ_j exp(x_j) over an axis, with a max shift (the max is taken without gradient). */
    public static NDArray logSumExp(NDArray x, int axis) {
        NDArray m = x.stopGradient().max(new int[] {axis}, true);
        return x.sub(m).exp().sum(new int[] {axis}).log().add(m.squeeze(axis));
    }

    /** log Σ_j exp(x_j) of a double array, with a max shift. */
    public static double logSumExp(double[] x) {
        return Scalars.logSumExp(x);
    }
}
