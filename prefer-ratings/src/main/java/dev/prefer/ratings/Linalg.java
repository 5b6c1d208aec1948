package dev.prefer.ratings;

/** Small dense linear algebra for the fitters: symmetric positive-definite solves by Cholesky. Row-major m×m. */
final class Linalg {
    private Linalg() {}

    /** In-place Cholesky A = L Lᵀ (lower triangle of {@code a} becomes L). False when A is not positive definite. */
    static boolean cholesky(double[] a, int m) {
        for (int j = 0; j < m; j++) {
            int rj = j * m;
            double s = a[rj + j];
            for (int k = 0; k < j; k++) s -= a[rj + k] * a[rj + k];
            if (!(s > 0)) return false;
            double d = Math.sqrt(s);
            a[rj + j] = d;
            double inv = 1.0 / d;
            for (int i = j + 1; i < m; i++) {
                int ri = i * m;
                double t = a[ri + j];
                for (int k = 0; k < j; k++) t -= a[ri + k] * a[rj + k];
                a[ri + j] = t * inv;
            }
        }
        return true;
    }

    /** Solves L Lᵀ x = b in place in {@code b}, given the factor from {@link #cholesky}. */
    static void cholSolve(double[] l, int m, double[] b) {
        for (int i = 0; i < m; i++) {
            double s = b[i];
            int ri = i * m;
            for (int k = 0; k < i; k++) s -= l[ri + k] * b[k];
            b[i] = s / l[ri + i];
        }
        for (int i = m - 1; i >= 0; i--) {
            double s = b[i];
            for (int k = i + 1; k < m; k++) s -= l[k * m + i] * b[k];
            b[i] = s / l[i * m + i];
        }
    }

    /** Diagonal of A⁻¹ from its Cholesky factor. */
    static double[] inverseDiagonal(double[] l, int m) {
        double[] diag = new double[m];
        double[] e = new double[m];
        for (int c = 0; c < m; c++) {
            java.util.Arrays.fill(e, 0);
            e[c] = 1;
            cholSolve(l, m, e);
            diag[c] = e[c];
        }
        return diag;
    }

    /** Full A⁻¹ from its Cholesky factor. */
    static double[] inverse(double[] l, int m) {
        double[] inv = new double[m * m];
        double[] e = new double[m];
        for (int c = 0; c < m; c++) {
            java.util.Arrays.fill(e, 0);
            e[c] = 1;
            cholSolve(l, m, e);
            for (int r = 0; r < m; r++) inv[r * m + c] = e[r];
        }
        return inv;
    }
}
