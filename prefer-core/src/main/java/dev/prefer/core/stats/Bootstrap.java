package dev.prefer.core.stats;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded nonparametric bootstrap (Efron 1979; Efron and Tibshirani 1993, ch. 13) with percentile intervals: draw
 * {@code resamples} samples of n units with replacement, compute the statistic on each, and report the
 * {@code (1 - confidence)/2} and {@code (1 + confidence)/2} quantiles of those values (linear interpolation between
 * order statistics, numpy's default). Deterministic for a seed: the same data and config give the same interval.
 *
 * <p>The paired form resamples UNITS (prompts), keeping each unit's two measurements together, so the interval of a
 * difference of accuracies reflects only the per-prompt noise that the two systems do not share.
 *
 * @param resamples  number of bootstrap samples, >= 100 (default 2000)
 * @param confidence nominal coverage, in (0, 1) (default 0.95)
 * @param seed       seed of the resampling (default 0)
 */
public record Bootstrap(int resamples, double confidence, long seed) {

    public Bootstrap {
        if (resamples < 100) throw new IllegalArgumentException("resamples must be >= 100: " + resamples);
        if (!(confidence > 0 && confidence < 1)) throw new IllegalArgumentException("confidence must be in (0, 1): " + confidence);
    }

    public static Bootstrap defaults() {
        return new Bootstrap(2000, 0.95, 0);
    }

    /** The mean of {@code x} with its percentile-bootstrap interval. */
    public Estimate mean(double[] x) {
        requireFinite(x, "x");
        if (x.length == 0) throw new IllegalArgumentException("no values");
        SplittableRandom rng = new SplittableRandom(seed);
        int n = x.length;
        double[] stats = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += x[rng.nextInt(n)];
            stats[b] = s / n;
        }
        return interval(mean0(x), stats, n);
    }

    /** {@code mean(a) - mean(b)} over paired units, with a paired percentile-bootstrap interval. */
    public Estimate pairedDifference(double[] a, double[] b) {
        requireFinite(a, "a");
        requireFinite(b, "b");
        if (a.length != b.length) throw new IllegalArgumentException("paired arrays differ in length: " + a.length + " vs " + b.length);
        if (a.length == 0) throw new IllegalArgumentException("no values");
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
        return mean(d);
    }

    private Estimate interval(double value, double[] stats, int n) {
        Arrays.sort(stats);
        double lo = quantile(stats, (1 - confidence) / 2);
        double hi = quantile(stats, (1 + confidence) / 2);
        // The percentile interval need not contain the estimate for skewed statistics; keep it as computed.
        return new Estimate(value, lo, hi, confidence, n,
                "percentile bootstrap, " + resamples + " resamples, seed " + seed);
    }

    /** Quantile q of sorted values, linear interpolation between order statistics (numpy's default "linear"). */
    public static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) throw new IllegalArgumentException("no values");
        if (!(q >= 0 && q <= 1)) throw new IllegalArgumentException("q must be in [0, 1]: " + q);
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** The plain mean. */
    public static double mean0(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    /** @throws IllegalArgumentException naming the first value that is NaN or infinite */
    public static void requireFinite(double[] x, String name) {
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) throw new IllegalArgumentException(name + "[" + i + "] is not finite: " + x[i]);
        }
    }
}
