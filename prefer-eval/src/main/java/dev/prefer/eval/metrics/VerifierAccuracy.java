package dev.prefer.eval.metrics;

import dev.prefer.core.stats.Bootstrap;
import dev.prefer.core.stats.Estimate;

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

    /**
     * Accuracy with sampling: k sampled responses per prompt, each verified; the per-prompt pass rate
     * {@code c_i / n_i} averaged over prompts, with a bootstrap over PROMPTS (samples of one prompt stay together).
     *
     * @param pass pass[i][j]: whether sample j of prompt i passes; every prompt needs at least one sample
     */
    public static Estimate sampled(boolean[][] pass, Bootstrap bootstrap) {
        double[] perPrompt = new double[pass.length];
        for (int i = 0; i < pass.length; i++) {
            if (pass[i].length == 0) throw new IllegalArgumentException("prompt " + i + " has no samples");
            int c = 0;
            for (boolean b : pass[i]) if (b) c++;
            perPrompt[i] = (double) c / pass[i].length;
        }
        return bootstrap.mean(perPrompt);
    }

    /**
     * The unbiased pass@k estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on Code", eq. 1)
     * for one prompt with n samples of which c pass: {@code 1 − C(n−c, k) / C(n, k)}, the chance that k of the n
     * samples drawn without replacement include a passing one; computed as {@code 1 − Π_{i=n−c+1..n} (1 − k/i)}.
     */
    public static double passAtK(int n, int c, int k) {
        if (n < 1 || c < 0 || c > n || k < 1 || k > n) throw new IllegalArgumentException("need 0 <= c <= n, 1 <= k <= n: n=" + n + ", c=" + c + ", k=" + k);
        if (n - c < k) return 1.0;
        double prod = 1;
        for (int i = n - c + 1; i <= n; i++) prod *= 1 - (double) k / i;
        return 1 - prod;
    }

    /** Mean pass@k over prompts with a bootstrap over prompts; pass[i] holds prompt i's samples (at least k). */
    public static Estimate passAtK(boolean[][] pass, int k, Bootstrap bootstrap) {
        double[] perPrompt = new double[pass.length];
        for (int i = 0; i < pass.length; i++) {
            int c = 0;
            for (boolean b : pass[i]) if (b) c++;
            perPrompt[i] = passAtK(pass[i].length, c, k);
        }
        return bootstrap.mean(perPrompt);
    }

    static double[] toDoubles(boolean[] b) {
        double[] x = new double[b.length];
        for (int i = 0; i < b.length; i++) x[i] = b[i] ? 1 : 0;
        return x;
    }
}
