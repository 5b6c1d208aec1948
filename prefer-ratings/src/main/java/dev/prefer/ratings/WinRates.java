package dev.prefer.ratings;

/**
 * Empirical win rates. With M_ij = (weighted) wins of i over j plus half the ties between them, the pairwise win
 * rate is P_ij = M_ij / (M_ij + M_ji) for pairs that met, and the average win rate of i is the mean of P_ij over
 * the opponents j it met (evalica's {@code average_win_rate}: a NaN-skipping mean over the row).
 */
public final class WinRates {
    private WinRates() {}

    /** P_ij (NaN where i and j never met, and on the diagonal). */
    public static double[][] matrix(Comparisons c) {
        int n = c.itemCount();
        double[][] m = new double[n][n];
        for (int r = 0; r < c.rows(); r++) {
            int a = c.a(r), b = c.b(r);
            double w = c.weight(r);
            switch (c.outcome(r)) {
                case Comparisons.A_WINS -> m[a][b] += w;
                case Comparisons.B_WINS -> m[b][a] += w;
                default -> { m[a][b] += 0.5 * w; m[b][a] += 0.5 * w; }
            }
        }
        double[][] p = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double d = m[i][j] + m[j][i];
                p[i][j] = i == j || d == 0 ? Double.NaN : m[i][j] / d;
            }
        }
        return p;
    }

    /** Average pairwise win rate per item (0 for an item that met no one). */
    public static double[] average(Comparisons c) {
        double[][] p = matrix(c);
        int n = p.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            int k = 0;
            for (int j = 0; j < n; j++) if (!Double.isNaN(p[i][j])) { s += p[i][j]; k++; }
            out[i] = k == 0 ? 0 : s / k;
        }
        return out;
    }
}
