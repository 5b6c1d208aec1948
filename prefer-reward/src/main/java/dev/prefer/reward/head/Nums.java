package dev.prefer.reward.head;

/** Numerically stable scalar functions shared by the heads (log-sigmoid as -softplus(-x), max-shifted softmax). */
public final class Nums {
    private Nums() {}

    /** σ(x) = 1/(1+e^{-x}), without overflow for large |x|. */
    public static double sigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** softplus(x) = log(1+e^x), exact for large |x|. */
    public static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    /** log σ(x) = -softplus(-x). */
    public static double logSigmoid(double x) {
        return -softplus(-x);
    }

    /** Softmax of a[off..off+k) into out (max-shifted). */
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

    /** log Σ exp(a_i), max-shifted. */
    public static double logSumExp(double[] a) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : a) max = Math.max(max, x);
        if (max == Double.NEGATIVE_INFINITY) return max;
        double s = 0;
        for (double x : a) s += Math.exp(x - max);
        return max + Math.log(s);
    }

    /** Σ_j W[row*cols + j] * x[j] for W stored row-major at offset off. */
    public static double dotRow(double[] w, int off, int row, int cols, double[] x) {
        int base = off + row * cols;
        double s = 0;
        for (int j = 0; j < cols; j++) s += w[base + j] * x[j];
        return s;
    }

    /** g[off + row*cols + j] += scale * x[j]. */
    public static void addOuterRow(double[] g, int off, int row, int cols, double scale, double[] x) {
        if (scale == 0) return;
        int base = off + row * cols;
        for (int j = 0; j < cols; j++) g[base + j] += scale * x[j];
    }
}
