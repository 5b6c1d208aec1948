package dev.prefer.reward.head;

/** Row algebra shared by the heads; the stable scalar functions they use live in {@link dev.prefer.core.Scalars}. */
public final class Nums {
    private Nums() {}

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
