package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Exact identities and hand-derived values of the reward loss's double form with its derivatives
 * ({@link RewardLoss#pairLoss(double, double, double, double[])}), which the embedding reward heads of prefer-reward
 * train with (formerly prefer-reward's BtLoss; the same assertions).
 */
class RewardLossTwinTest {
    static final RewardLoss PLAIN = new RewardLoss(false, 0, 0);

    /** A loss with label smoothing ε and centering η (RewardLoss takes η before ε). */
    static RewardLoss of(boolean margin, double smoothing, double centering) {
        return new RewardLoss(margin, centering, smoothing);
    }

    static double loss(RewardLoss l, double rw, double rl, Double margin, double[] d) {
        return l.pairLoss(rw, rl, l.marginOf(margin), d);
    }

    @Test
    void equalRewardsGiveLog2AndHalfGradients() {
        double[] d = new double[2];
        assertEquals(Math.log(2), loss(PLAIN, 0.7, 0.7, null, d), 1e-15);
        assertEquals(-0.5, d[0], 1e-15);   // ∂/∂r_w = −σ(0)
        assertEquals(0.5, d[1], 1e-15);
    }

    @Test
    void marginShiftsTheLogit() {
        // −log σ(2 − 0.5 − 1) = log(1 + e^{−0.5}), by hand
        assertEquals(Math.log1p(Math.exp(-0.5)), loss(of(true, 0, 0), 2, 0.5, 1.0, null), 1e-15);
        assertEquals(Math.log1p(Math.exp(-1.5)), loss(of(false, 0, 0), 2, 0.5, 1.0, null), 1e-15);
    }

    @Test
    void labelSmoothingIsMinimisedAtTheLogOddsOfTheFlipRate() {
        // L(u) = −(1−ε) log σ(u) − ε log σ(−u) has dL/du = σ(u) − (1−ε) = 0 at u = log((1−ε)/ε)
        double eps = 0.1;
        double[] d = new double[2];
        loss(of(false, eps, 0), Math.log((1 - eps) / eps), 0, null, d);
        assertEquals(0, d[0], 1e-15);
        double[] ds = new double[1];
        of(false, eps, 0).logitLoss(Math.log((1 - eps) / eps), 0, ds);
        assertEquals(0, ds[0], 1e-15);
    }

    @Test
    void centeringAddsTheSquaredSum() {
        // η (r_w + r_l)² with η = 0.5, r = (1, 2): 0.5·9 = 4.5 on top of log(1 + e^{1})
        assertEquals(Math.log1p(Math.E) + 4.5, loss(of(false, 0, 0.5), 1, 2, null, null), 1e-14);
    }

    @Test
    void stableAtLargeLogits() {
        assertEquals(100, loss(PLAIN, -50, 50, null, null), 1e-12);
        assertEquals(0, loss(PLAIN, 50, -50, null, null), 1e-40);
        assertEquals(Math.exp(-100), loss(PLAIN, 50, -50, null, null), 1e-55);
    }

    @Test
    void derivativesMatchCentralDifferences() {
        RewardLoss l = of(true, 0.1, 0.05);
        double rw = 0.3, rl = -0.8, m = 0.4, h = 1e-6;
        double[] d = new double[2];
        l.pairLoss(rw, rl, m, d);
        assertEquals((l.pairLoss(rw + h, rl, m) - l.pairLoss(rw - h, rl, m)) / (2 * h), d[0], 1e-8);
        assertEquals((l.pairLoss(rw, rl + h, m) - l.pairLoss(rw, rl - h, m)) / (2 * h), d[1], 1e-8);
    }
}
