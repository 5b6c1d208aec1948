package dev.prefer.eval.metrics;

import dev.prefer.core.stats.Bootstrap;
import dev.prefer.core.stats.Estimate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Verifier accuracy, win rate and paired comparisons: their intervals. */
class IntervalsTest {

    @Test
    void wilsonMatchesTheReferenceScript() {
        // src/test/python/metrics_reference.py
        Estimate e = VerifierAccuracy.wilson(8, 10, 0.95);
        assertEquals(0.8, e.value());
        assertEquals(0.49016247153664183, e.lower(), 1e-9);
        assertEquals(0.9433178485456247, e.upper(), 1e-9);
        Estimate zero = VerifierAccuracy.wilson(0, 20, 0.95);
        assertEquals(0.0, zero.lower());
        assertEquals(0.16112515805281938, zero.upper(), 1e-9);
        Estimate mid = VerifierAccuracy.wilson(57, 100, 0.95);
        assertEquals(0.47215389549212305, mid.lower(), 1e-9);
        assertEquals(0.6626670147588988, mid.upper(), 1e-9);
    }

    @Test
    void bootstrapIdentitiesAndDeterminism() {
        // All pass: every resample has mean 1, so the interval is [1, 1].
        Estimate all = VerifierAccuracy.of(new boolean[] {true, true, true}, Bootstrap.defaults());
        assertEquals(1.0, all.value());
        assertEquals(1.0, all.lower());
        assertEquals(1.0, all.upper());
        // The paired difference of identical systems is exactly 0 in every resample.
        double[] x = {1, 0, 1, 1, 0};
        Estimate d = PairedComparison.overPrompts(x, x.clone(), Bootstrap.defaults());
        assertEquals(0.0, d.lower());
        assertEquals(0.0, d.upper());
        // Same seed, same interval; another seed resamples differently (continuous data, so ends differ).
        double[] y = new SplittableRandom(4).doubles(200).toArray();
        assertEquals(Bootstrap.defaults().mean(y), Bootstrap.defaults().mean(y));
        Estimate other = new Bootstrap(2000, 0.95, 1).mean(y);
        assertEquals(Bootstrap.defaults().mean(y).value(), other.value());
        assertNotEquals(Bootstrap.defaults().mean(y).lower(), other.lower());
    }

    @Test
    void quantileIsNumpyLinear() {
        // numpy.percentile([1, 2, 3, 4], 25) = 1.75; ([1, 2, 3, 4], 50) = 2.5
        assertEquals(1.75, Bootstrap.quantile(new double[] {1, 2, 3, 4}, 0.25));
        assertEquals(2.5, Bootstrap.quantile(new double[] {1, 2, 3, 4}, 0.5));
        assertEquals(4.0, Bootstrap.quantile(new double[] {1, 2, 3, 4}, 1.0));
    }

    @Test
    void bootstrapIntervalAgreesWithWilsonAndCovers() {
        // n = 400 Bernoulli(0.7): the percentile interval should be close to Wilson's (both ~ ±1.96·sqrt(.21/400) = ±0.045).
        double[] y = randomBernoulli(400, 0.7, 9);
        int k = 0;
        for (double v : y) k += (int) v;
        Estimate boot = Bootstrap.defaults().mean(y);
        Estimate wil = VerifierAccuracy.wilson(k, 400, 0.95);
        assertEquals(wil.lower(), boot.lower(), 0.01);
        assertEquals(wil.upper(), boot.upper(), 0.01);
        // Coverage over 300 repeated experiments of n = 100: nominal 95%, allow Monte-Carlo slack (sd ~1.3%).
        int covered = 0;
        Bootstrap b = new Bootstrap(400, 0.95, 3);
        for (int rep = 0; rep < 300; rep++) {
            Estimate e = b.mean(randomBernoulli(100, 0.7, 1000 + rep));
            if (e.lower() <= 0.7 && 0.7 <= e.upper()) covered++;
        }
        assertTrue(covered >= 270 && covered <= 297, "covered " + covered + " of 300");
    }

    @Test
    void winRateCountsTiesAsHalf() {
        // A vs B: 1>0 win, 0=0 tie, 1=1 tie, .5<1 loss -> (1 + 2/2)/4 = 0.5
        WinRate.Result r = WinRate.of(new double[] {1, 0, 1, 0.5}, new double[] {0, 0, 1, 1}, 0, Bootstrap.defaults());
        assertEquals(1, r.wins());
        assertEquals(2, r.ties());
        assertEquals(1, r.losses());
        assertEquals(0.5, r.winRate().value());
        // With tolerance 0.5 the last one is a tie too: (1 + 3/2)/4
        assertEquals(0.625, WinRate.of(new double[] {1, 0, 1, 0.5}, new double[] {0, 0, 1, 1}, 0.5, Bootstrap.defaults()).winRate().value());
        // Always winning: [1, 1]
        WinRate.Result w = WinRate.of(new double[] {1, 1}, new double[] {0, 0}, 0, Bootstrap.defaults());
        assertEquals(1.0, w.winRate().lower());
    }

    @Test
    void seedLevelTIntervalMatchesTheReferenceScript() {
        Estimate e = PairedComparison.overSeeds(new double[] {0.60, 0.64, 0.62}, new double[] {0.50, 0.52, 0.51}, 0.95);
        assertEquals(0.11, e.value(), 1e-12);
        assertEquals(0.08515862288249666, e.lower(), 1e-9);
        assertEquals(0.1348413771175033, e.upper(), 1e-9);
        assertTrue(e.excludesZeroAbove());
        // Noisy seeds: d = (.10, -.08, .01) -> the interval straddles zero.
        assertFalse(PairedComparison.overSeeds(new double[] {0.6, 0.42, 0.51}, new double[] {0.5, 0.5, 0.5}, 0.95).excludesZeroAbove());
        assertThrows(IllegalArgumentException.class, () -> PairedComparison.overSeeds(new double[] {1}, new double[] {0}, 0.95));
    }

    @Test
    void passAtKAndSampledAccuracy() {
        // n = 5 samples, c = 2 pass: pass@1 = 1 - C(3,1)/C(5,1) = 2/5; pass@2 = 1 - C(3,2)/C(5,2) = 1 - 3/10 = 0.7;
        // pass@4 = 1 since n - c = 3 < 4; no passing sample gives 0.
        assertEquals(0.4, VerifierAccuracy.passAtK(5, 2, 1), 1e-15);
        assertEquals(0.7, VerifierAccuracy.passAtK(5, 2, 2), 1e-15);
        assertEquals(1.0, VerifierAccuracy.passAtK(5, 2, 4));
        assertEquals(0.0, VerifierAccuracy.passAtK(5, 0, 3));
        // n = 10, c = 3, k = 5: 1 - C(7,5)/C(10,5) = 1 - 21/252 = 11/12
        assertEquals(11.0 / 12, VerifierAccuracy.passAtK(10, 3, 5), 1e-15);
        boolean[][] pass = {{true, false, false, false}, {true, true, true, true}, {false, false, false, false}};
        // per-prompt pass rates 1/4, 1, 0 -> 5/12; pass@2: 1 - C(3,2)/C(4,2) = 1/2, 1, 0 -> 1/2
        assertEquals(5.0 / 12, VerifierAccuracy.sampled(pass, Bootstrap.defaults()).value(), 1e-15);
        assertEquals(0.5, VerifierAccuracy.passAtK(pass, 2, Bootstrap.defaults()).value(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> VerifierAccuracy.passAtK(3, 1, 4));
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> new Bootstrap(10, 0.95, 0));
        assertThrows(IllegalArgumentException.class, () -> new Bootstrap(1000, 1.0, 0));
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.defaults().mean(new double[] {Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> VerifierAccuracy.ofScores(new double[] {1.2}, Bootstrap.defaults()));
        assertThrows(IllegalArgumentException.class, () -> VerifierAccuracy.wilson(3, 2, 0.95));
    }

    static double[] randomBernoulli(int n, double p, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) y[i] = rng.nextDouble() < p ? 1 : 0;
        return y;
    }
}
