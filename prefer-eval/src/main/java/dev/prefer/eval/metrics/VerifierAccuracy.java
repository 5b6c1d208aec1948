package dev.prefer.eval.metrics;

/**
 * Verifier accuracy: the share of held-out prompts whose response the task's verifier passes,
 * {@code acc = (1/N) Σ_i 1[verify(x_i, y_i)]}, with a confidence interval over prompts.
 *
 * <p>Two intervals: the seeded percentile bootstrap ({@link Bootstrap}), which also serves non-binary scores
 * (e.g. the fraction of format constraints met, or the mean over k samples per prompt), and Wilson's score
 * interval for a binomial proportion (Wilson 1927), closed form and well behaved near 0 and 1:
 * <pre>
 *   center = (p + z²/2n) / (1 + z²/n),   half = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)
 * </pre>
 */
public final class VerifierAccuracy {
    private VerifierAccuracy() {}

    /** Accuracy of pass/fail outcomes with a bootstrap interval. */
    public static Estimate of(boolean[] pass, Bootstrap bootstrap) {
        return bootstrap.mean(toDoubles(pass));
    }

    /**
     * Mean verifier score (each in [0, 1]) with a bootstrap interval, e.g. the pass rate over k samples per prompt
     * (pass@1 estimated with sampling) or the fraction of constraints satisfied.
     */
    public static Estimate ofScores(double[] scores, Bootstrap bootstrap) {
        for (int i = 0; i < scores.length; i++) {
            if (!(scores[i] >= 0 && scores[i] <= 1)) throw new IllegalArgumentException("scores[" + i + "] must be in [0, 1]: " + scores[i]);
        }
        return bootstrap.mean(scores);
    }

    /** Wilson score interval for k successes in n trials at the given two-sided confidence. */
    public static Estimate wilson(int k, int n, double confidence) {
        if (!(confidence > 0 && confidence < 1)) throw new IllegalArgumentException("confidence must be in (0, 1): " + confidence);
        if (n <= 0 || k < 0 || k > n) throw new IllegalArgumentException("need 0 <= k <= n, n > 0: k=" + k + ", n=" + n);
        double z = new org.apache.commons.math3.distribution.NormalDistribution(null, 0, 1).inverseCumulativeProbability(0.5 + confidence / 2);
        double p = (double) k / n;
        double z2 = z * z;
        double denom = 1 + z2 / n;
        double center = (p + z2 / (2.0 * n)) / denom;
        double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
        return new Estimate(p, Math.max(0, center - half), Math.min(1, center + half), confidence, n, "Wilson score interval");
    }

    static double[] toDoubles(boolean[] b) {
        double[] x = new double[b.length];
        for (int i = 0; i < b.length; i++) x[i] = b[i] ? 1 : 0;
        return x;
    }
}
