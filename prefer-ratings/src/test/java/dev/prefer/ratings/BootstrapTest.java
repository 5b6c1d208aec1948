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
        assertEquals(1.075, Bootstrap.quantile(s, 0.025), 1e-12); // numpy.percentile([1,2,3,4], 2.5) = 1.075
        assertEquals(3.925, Bootstrap.quantile(s, 0.975), 1e-12);
        assertEquals(2.5, Bootstrap.quantile(s, 0.5), 1e-12);
    }
}
