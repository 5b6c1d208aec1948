package dev.prefer.core.stats;

/**
 * A point estimate with a confidence interval.
 *
 * @param value      the estimate on the data as given
 * @param lower      lower end of the interval
 * @param upper      upper end of the interval
 * @param confidence the interval's nominal coverage, e.g. 0.95
 * @param n          how many units (prompts, pairs, seeds) it rests on
 * @param method     how the interval was made, e.g. "percentile bootstrap, 2000 resamples, seed 0"
 */
public record Estimate(double value, double lower, double upper, double confidence, int n, String method) {
    public Estimate {
        if (!(lower <= upper)) throw new IllegalArgumentException("lower must be <= upper: " + lower + " > " + upper);
    }

    /** Whether the whole interval lies above zero (e.g. "A beats B by more than the noise"). */
    public boolean excludesZeroAbove() {
        return lower > 0;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%.4f [%.4f, %.4f] (%.0f%%, n=%d)", value, lower, upper, 100 * confidence, n);
    }
}
