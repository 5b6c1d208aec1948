package dev.prefer.eval.metrics;

import dev.prefer.core.metrics.RankingAccuracy;

/**
 * Monte-Carlo estimates of KL(π ‖ π_ref) from responses SAMPLED FROM π (Schulman 2020, "Approximating KL
 * Divergence"; the estimators TRL logs). With the per-sample log-ratio {@code log r = log π_ref(y|x) − log π(y|x)}:
 * <pre>
 *   k1 = mean(−log r)                 = mean(logp − logp_ref)     unbiased, high variance, can be negative
 *   k2 = mean((log r)² / 2)                                        biased, low variance
 *   k3 = mean((r − 1) − log r)                                     unbiased and always >= 0
 * </pre>
 * Inputs are sequence log-probs (sums over response tokens), so the estimates are per-sequence KL in nats; divide
 * by the mean token count for a per-token figure.
 *
 * @param k1     the k1 estimate
 * @param k2     the k2 estimate
 * @param k3     the k3 estimate
 * @param k1StdErr standard error of k1 (sample standard deviation / sqrt(n))
 * @param n      samples
 */
public record KlEstimate(double k1, double k2, double k3, double k1StdErr, int n) {

    /**
     * @param logp    (N) log π(y_i|x_i) of samples y_i ~ π
     * @param logpRef (N) log π_ref(y_i|x_i) of the same samples
     */
    public static KlEstimate of(double[] logp, double[] logpRef) {
        int n = logp.length;
        if (logpRef.length != n) throw new IllegalArgumentException("arrays differ in length: " + n + " vs " + logpRef.length);
        if (n == 0) throw new IllegalArgumentException("no samples");
        double s1 = 0, s2 = 0, s3 = 0, sq = 0;
        for (int i = 0; i < n; i++) {
            RankingAccuracy.requireLogp(logp[i], "logp", i);
            RankingAccuracy.requireLogp(logpRef[i], "logpRef", i);
            if (logp[i] == Double.NEGATIVE_INFINITY) throw new IllegalArgumentException("logp[" + i + "] is -inf: a sample from π has positive probability under π");
            double logR = logpRef[i] - logp[i];
            s1 += -logR;
            sq += logR * logR;
            s2 += 0.5 * logR * logR;
            s3 += Math.expm1(logR) - logR; // (r − 1) − log r, accurate near r = 1
        }
        double k1 = s1 / n;
        double var = n > 1 ? (sq - n * k1 * k1) / (n - 1) : 0;
        return new KlEstimate(k1, s2 / n, s3 / n, Math.sqrt(Math.max(0, var) / n), n);
    }
}
