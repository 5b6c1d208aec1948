package dev.prefer.eval.metrics;

import dev.prefer.core.stats.Bootstrap;

import java.util.Arrays;

/**
 * Response-length statistics (tokens or characters): aligned models often win by writing longer (Singhal et al.
 * 2023, "A Long Way to Go: Investigating Length Correlations in RLHF"), so every before/after report shows length.
 * Quantiles use linear interpolation between order statistics (numpy's default).
 *
 * @param n      responses
 * @param mean   mean length
 * @param sd     sample standard deviation (n − 1 in the denominator; 0 for one response)
 * @param min    shortest
 * @param median 50th percentile
 * @param p90    90th percentile
 * @param max    longest
 */
public record LengthStats(int n, double mean, double sd, double min, double median, double p90, double max) {

    public static LengthStats of(int[] lengths) {
        if (lengths.length == 0) throw new IllegalArgumentException("no lengths");
        double[] x = new double[lengths.length];
        for (int i = 0; i < x.length; i++) {
            if (lengths[i] < 0) throw new IllegalArgumentException("lengths[" + i + "] is negative: " + lengths[i]);
            x[i] = lengths[i];
        }
        Arrays.sort(x);
        double mean = Bootstrap.mean0(x);
        double ss = 0;
        for (double v : x) ss += (v - mean) * (v - mean);
        double sd = x.length > 1 ? Math.sqrt(ss / (x.length - 1)) : 0;
        return new LengthStats(x.length, mean, sd, x[0], Bootstrap.quantile(x, 0.5), Bootstrap.quantile(x, 0.9), x[x.length - 1]);
    }
}
