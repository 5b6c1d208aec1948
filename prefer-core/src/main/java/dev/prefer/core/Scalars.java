package dev.prefer.core;

/**
 * Numerically stable scalar functions in double precision, the one home of what the objectives' twins, the reward
 * heads and the metrics share: log σ(x) as −softplus(−x), softplus(x) = max(x, 0) + log(1 + e^{−|x|}), σ without
 * overflow, and max-shifted log-sum-exp and softmax. All are finite and accurate at x = ±100 and beyond.
 */
public final class Scalars {
    private Scalars() {}

    /** softplus(x) = log(1 + e^x) = max(x, 0) + log(1 + e^{−|x|}). */
    public static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** log σ(x) = −softplus(−x). */
    public static double logSigmoid(double x) {
        return -softplus(-x);
    }

    /** σ(x) = 1/(1 + e^{−x}), without overflow for large |x|. */
    public static double sigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** log Σ_i exp(a_i), max-shifted; −∞ for an empty or all −∞ array. */
    public static double logSumExp(double[] a) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : a) max = Math.max(max, x);
        if (max == Double.NEGATIVE_INFINITY) return max;
        double s = 0;
        for (double x : a) s += Math.exp(x - max);
        return max + Math.log(s);
    }

    /** Softmax of {@code a[off..off+k)} into {@code out[0..k)}, max-shifted. */
    public static void softmax(double[] a, int off, int k, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) max = Math.max(max, a[off + i]);
        double s = 0;
        for (int i = 0; i < k; i++) {
            out[i] = Math.exp(a[off + i] - max);
            s += out[i];
        }
        for (int i = 0; i < k; i++) out[i] /= s;
    }
}
