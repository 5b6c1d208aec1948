package dev.prefer.eval.metrics;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KlAndLengthTest {

    @Test
    void klEstimatorsMatchTheReferenceScript() {
        // src/test/python/metrics_reference.py
        KlEstimate k = KlEstimate.of(new double[] {-3.0, -1.2, -7.5, -0.4, -2.2}, new double[] {-3.4, -1.0, -9.0, -0.4, -1.7});
        assertEquals(0.24, k.k1(), 1e-12);
        assertEquals(0.27, k.k2(), 1e-12);
        assertEquals(0.19271484700887345, k.k3(), 1e-12);
        assertEquals(0.34727510708370674, k.k1StdErr(), 1e-12);
        assertEquals(5, k.n());
    }

    @Test
    void samePolicyHasZeroKl() {
        double[] lp = {-1, -2, -3.5};
        KlEstimate k = KlEstimate.of(lp, lp.clone());
        assertEquals(0.0, k.k1());
        assertEquals(0.0, k.k2());
        assertEquals(0.0, k.k3());
    }

    @Test
    void k1AndK3AreUnbiasedOnACategorical() {
        // p = (.5, .3, .2), q = (.2, .3, .5): KL(p||q) = .5 ln 2.5 + .2 ln .4 = 0.27488721...
        double[] p = {0.5, 0.3, 0.2}, q = {0.2, 0.3, 0.5};
        double exact = 0.5 * Math.log(2.5) + 0.2 * Math.log(0.4);
        SplittableRandom rng = new SplittableRandom(17);
        int n = 200_000;
        double[] lp = new double[n], lq = new double[n];
        for (int i = 0; i < n; i++) {
            double u = rng.nextDouble();
            int y = u < 0.5 ? 0 : u < 0.8 ? 1 : 2;
            lp[i] = Math.log(p[y]);
            lq[i] = Math.log(q[y]);
        }
        KlEstimate k = KlEstimate.of(lp, lq);
        assertEquals(exact, k.k1(), 4 * k.k1StdErr());
        assertEquals(exact, k.k3(), 0.01);
        assertTrue(k.k3() >= 0);
    }

    @Test
    void lengthStatsMatchTheReferenceScript() {
        LengthStats s = LengthStats.of(new int[] {12, 3, 7, 7, 40, 1, 9});
        assertEquals(7, s.n());
        assertEquals(11.285714285714286, s.mean(), 1e-12);
        assertEquals(13.174650984805199, s.sd(), 1e-12);
        assertEquals(7.0, s.median());
        assertEquals(23.2, s.p90(), 1e-12);
        assertEquals(1.0, s.min());
        assertEquals(40.0, s.max());
        assertEquals(0.0, LengthStats.of(new int[] {5}).sd());
        assertThrows(IllegalArgumentException.class, () -> LengthStats.of(new int[] {-1}));
    }
}
