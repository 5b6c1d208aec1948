package dev.prefer.ratings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BootstrapTest {
    /** The alias sampler's frequencies match its weights (chi-square well under the 0.999 quantile). */
    @Test
    void aliasSamplerMatchesWeights() {
        double[] w = {5, 1, 0.5, 12, 3, 3, 0.25, 7};
        Bootstrap.Alias a = new Bootstrap.Alias(w);
        SplittableRandom rnd = new SplittableRandom(42);
        int draws = 2_000_000;
        long[] c = new long[w.length];
        for (int k = 0; k < draws; k++) c[a.sample(rnd)]++;
        double sum = 0;
        for (double x : w) sum += x;
        double chi2 = 0;
        for (int i = 0; i < w.length; i++) {
            double e = draws * w[i] / sum;
            chi2 += (c[i] - e) * (c[i] - e) / e;
        }
        assertTrue(chi2 < 24.3, "chi-square with 7 degrees of freedom: " + chi2); // 0.999 quantile is 24.32
    }

    @Test
    void quantileIsNumpyLinear() {
        double[] s = {1, 2, 3, 4};
        assertEquals(1.075, dev.prefer.core.stats.Bootstrap.quantile(s, 0.025), 1e-12); // numpy.percentile([1,2,3,4], 2.5) = 1.075
        assertEquals(3.925, dev.prefer.core.stats.Bootstrap.quantile(s, 0.975), 1e-12);
        assertEquals(2.5, dev.prefer.core.stats.Bootstrap.quantile(s, 0.5), 1e-12);
    }

    /** The Poisson-corrected sampler's marginal of one category matches Bin(n, p) by chi-square (PTRS path: λ ≥ 10). */
    @Test
    void poissonCorrectedMultinomialMarginalIsBinomial() {
        double[] w = {30, 45, 5, 20};
        int n = 200, draws = 60_000;
        Multinomial m = new Multinomial(n, w);
        SplittableRandom rnd = new SplittableRandom(5);
        long[] x = new long[4];
        long[] h = new long[n + 1];
        for (int k = 0; k < draws; k++) { m.draw(rnd, x); h[(int) x[1]]++; }
        double chi2 = 0, eAcc = 0, oAcc = 0;
        int cells = 0;
        for (int k = 0; k <= n; k++) {
            eAcc += draws * pmf(n, 0.45, k);
            oAcc += h[k];
            if (eAcc >= 5 || k == n) { chi2 += (oAcc - eAcc) * (oAcc - eAcc) / Math.max(eAcc, 1e-300); cells++; eAcc = 0; oAcc = 0; }
        }
        assertTrue(chi2 < (cells - 1) + 6 * Math.sqrt(cells - 1) + 20, "chi2 " + chi2 + " over " + cells + " cells");
    }

    /** Exact Bin(n, p) probabilities by the log-pmf, for the goodness-of-fit tests. */
    static double pmf(int n, double p, int k) {
        return Math.exp(Binomial.logFactorial(n) - Binomial.logFactorial(k) - Binomial.logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
    }

    /** Both binomial paths (inversion below n·p = 10, BTRS above) match the exact pmf by chi-square. */
    @Test
    void binomialSamplerMatchesTheExactDistribution() {
        int[][] ns = {{100, 0}, {40, 1}, {1000, 2}, {25, 3}};
        double[] ps = {0.3, 0.05, 0.5, 0.9};
        for (int c = 0; c < ns.length; c++) {
            int n = ns[c][0];
            double p = ps[c];
            SplittableRandom rnd = new SplittableRandom(7 + c);
            int draws = 120_000;
            long[] h = new long[n + 1];
            for (int k = 0; k < draws; k++) h[(int) Binomial.sample(n, p, rnd)]++;
            // pool cells with expectation < 5 into their neighbours at both ends
            double chi2 = 0, eAcc = 0, oAcc = 0;
            int cells = 0;
            for (int k = 0; k <= n; k++) {
                eAcc += draws * pmf(n, p, k);
                oAcc += h[k];
                if (eAcc >= 5 || k == n) {
                    chi2 += (oAcc - eAcc) * (oAcc - eAcc) / Math.max(eAcc, 1e-300);
                    cells++;
                    eAcc = 0;
                    oAcc = 0;
                }
            }
            // 0.9999 quantile of chi-square with df = cells - 1 is below df + 6 sqrt(df) + 20 for these df
            assertTrue(chi2 < (cells - 1) + 6 * Math.sqrt(cells - 1) + 20, "n " + n + " p " + p + ": chi2 " + chi2 + " over " + cells + " cells");
        }
    }

    @Test
    void binomialMeanAndVarianceAtArenaSizes() {
        SplittableRandom rnd = new SplittableRandom(3);
        long n = 2_000_000;
        double p = 0.37;
        int draws = 20_000;
        double s = 0, ss = 0;
        for (int k = 0; k < draws; k++) { double x = Binomial.sample(n, p, rnd); s += x; ss += x * x; }
        double mean = s / draws, var = ss / draws - mean * mean;
        double sd = Math.sqrt(n * p * (1 - p));
        assertEquals(n * p, mean, 5 * sd / Math.sqrt(draws));
        assertEquals(n * p * (1 - p), var, 0.05 * n * p * (1 - p)); // sd of a variance estimate ~ sqrt(2/draws) = 1%
        assertEquals(Math.log(3628800.0), Binomial.logFactorial(10), 1e-12);
        // Stirling branch against the table's sum of logs continued
        double direct = 0;
        for (int k = 2; k <= 5000; k++) direct += Math.log(k);
        assertEquals(direct, Binomial.logFactorial(5000), 1e-9);
    }

    /**
     * The row-wise conditional-binomial multinomial and the old per-vote alias draws give the same distribution:
     * both match the multinomial's means, variances and covariances n·p_i, n·p_i(1 − p_i), −n·p_i·p_j.
     */
    @Test
    void rowWiseMultinomialEqualsPerVoteDrawsInDistribution() {
        double[] w = {10, 3, 50, 1, 36};
        long n = 100;
        int rows = w.length;
        double[] tail = new double[rows + 1];
        for (int r = rows - 1; r >= 0; r--) tail[r] = tail[r + 1] + w[r];
        Bootstrap.Alias alias = new Bootstrap.Alias(w);
        int rounds = 15_000;
        double[][] m1 = moments(rounds, rows, (rnd, d) -> Bootstrap.multinomial(n, w, tail, rnd, d), 11);
        double[][] m2 = moments(rounds, rows, (rnd, d) -> Bootstrap.multinomialPerVote(n, alias, rnd, d), 12);
        Multinomial pm = new Multinomial(n, w);
        double[][] m3 = moments(rounds, rows, pm::draw, 13);
        for (int i = 0; i < rows; i++) {
            double pi = w[i] / 100.0;
            for (int j = 0; j < rows; j++) {
                double pj = w[j] / 100.0;
                double cov = i == j ? n * pi * (1 - pi) : -n * pi * pj;
                double tol = 6 * Math.sqrt((n * pi * (1 - pi) + 1) * (n * pj * (1 - pj) + 1) * 2 / rounds) + 1e-9;
                assertEquals(cov, m1[i][j], tol, "row-wise cov " + i + "," + j);
                assertEquals(cov, m2[i][j], tol, "per-vote cov " + i + "," + j);
                assertEquals(cov, m3[i][j], tol, "poisson-corrected cov " + i + "," + j);
            }
            assertEquals(n * pi, m1[rows][i], 6 * Math.sqrt(n * pi * (1 - pi) / rounds) + 1e-9, "row-wise mean " + i);
            assertEquals(n * pi, m3[rows][i], 6 * Math.sqrt(n * pi * (1 - pi) / rounds) + 1e-9, "poisson-corrected mean " + i);
        }
    }

    interface Draw { void into(SplittableRandom rnd, long[] draws); }

    /** Covariance matrix (rows × rows) and, in the extra last row, the means. */
    static double[][] moments(int rounds, int rows, Draw d, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] x = new long[rows];
        double[] s = new double[rows];
        double[][] ss = new double[rows + 1][rows];
        for (int k = 0; k < rounds; k++) {
            d.into(rnd, x);
            long tot = 0;
            for (long v : x) tot += v;
            assertEquals(100, tot);
            for (int i = 0; i < rows; i++) { s[i] += x[i]; for (int j = 0; j < rows; j++) ss[i][j] += x[i] * x[j]; }
        }
        for (int i = 0; i < rows; i++) for (int j = 0; j < rows; j++) ss[i][j] = ss[i][j] / rounds - (s[i] / rounds) * (s[j] / rounds);
        for (int i = 0; i < rows; i++) ss[rows][i] = s[i] / rounds;
        return ss;
    }
}
