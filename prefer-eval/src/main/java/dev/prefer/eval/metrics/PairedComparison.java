package dev.prefer.eval.metrics;

import dev.prefer.core.stats.Bootstrap;
import dev.prefer.core.stats.Estimate;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * Does system A beat system B by more than the noise? Two views, both reported by the quickstart:
 * <ul>
 *   <li>{@link #overPrompts}: on one run, the difference of mean per-prompt scores (e.g. accuracies) with a
 *       paired, seeded percentile bootstrap over prompts ({@link Bootstrap#pairedDifference});</li>
 *   <li>{@link #overSeeds}: over S independent runs (training seeds), the mean of the per-seed differences
 *       d_s = acc_A,s − acc_B,s with a Student-t interval, {@code mean(d) ± t_{S−1, (1+c)/2} · sd(d)/√S} — the
 *       "beats by more than seed noise" statement: the interval's lower end is above 0.</li>
 * </ul>
 */
public final class PairedComparison {
    private PairedComparison() {}

    /** mean(a) − mean(b) over the same prompts, paired bootstrap interval. */
    public static Estimate overPrompts(double[] a, double[] b, Bootstrap bootstrap) {
        return bootstrap.pairedDifference(a, b);
    }

    /**
     * Mean per-seed difference with a t interval.
     *
     * @param perSeedA   (S) A's metric for each seed, S >= 2
     * @param perSeedB   (S) B's metric for the same seeds
     * @param confidence two-sided coverage, in (0, 1)
     */
    public static Estimate overSeeds(double[] perSeedA, double[] perSeedB, double confidence) {
        int s = perSeedA.length;
        if (perSeedB.length != s) throw new IllegalArgumentException("per-seed arrays differ in length: " + s + " vs " + perSeedB.length);
        if (s < 2) throw new IllegalArgumentException("need at least 2 seeds for a seed-noise interval, got " + s);
        if (!(confidence > 0 && confidence < 1)) throw new IllegalArgumentException("confidence must be in (0, 1): " + confidence);
        Bootstrap.requireFinite(perSeedA, "perSeedA");
        Bootstrap.requireFinite(perSeedB, "perSeedB");
        double[] d = new double[s];
        for (int i = 0; i < s; i++) d[i] = perSeedA[i] - perSeedB[i];
        double mean = Bootstrap.mean0(d);
        double ss = 0;
        for (double v : d) ss += (v - mean) * (v - mean);
        double sd = Math.sqrt(ss / (s - 1));
        double t = new TDistribution(null, s - 1).inverseCumulativeProbability(0.5 + confidence / 2);
        double half = t * sd / Math.sqrt(s);
        return new Estimate(mean, mean - half, mean + half, confidence, s, "Student-t over " + s + " seeds");
    }
}
