package dev.prefer.rl.experiments;

/** Mean and a 95% Student-t interval over seeds. */
public record Stats(double mean, double half, int n) {
    private static final double[] T975 = {Double.NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086};

    public static Stats of(double[] x) {
        int n = x.length;
        double m = 0;
        for (double v : x) {
            m += v / n;
        }
        if (n < 2) {
            return new Stats(m, Double.NaN, n);
        }
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        double sd = Math.sqrt(s / (n - 1));
        double t = n - 1 < T975.length ? T975[n - 1] : 1.96;
        return new Stats(m, t * sd / Math.sqrt(n), n);
    }

    @Override
    public String toString() {
        return n < 2 ? String.format(java.util.Locale.ROOT, "%.2f (1 seed)", mean) : String.format(java.util.Locale.ROOT, "%.2f ± %.2f", mean, half);
    }
}
