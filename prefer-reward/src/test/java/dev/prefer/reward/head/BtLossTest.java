package dev.prefer.reward.head;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Exact identities and hand-derived values of the BT loss. */
class BtLossTest {
    @Test
    void equalRewardsGiveLog2AndHalfGradients() {
        double[] d = new double[2];
        assertEquals(Math.log(2), BtLoss.PLAIN.loss(0.7, 0.7, null, d), 1e-15);
        assertEquals(-0.5, d[0], 1e-15);   // ∂/∂r_w = −σ(0)
        assertEquals(0.5, d[1], 1e-15);
    }

    @Test
    void marginShiftsTheLogit() {
        // −log σ(2 − 0.5 − 1) = log(1 + e^{−0.5}), by hand
        assertEquals(Math.log1p(Math.exp(-0.5)), new BtLoss(true, 0, 0).loss(2, 0.5, 1.0, null), 1e-15);
        assertEquals(Math.log1p(Math.exp(-1.5)), new BtLoss(false, 0, 0).loss(2, 0.5, 1.0, null), 1e-15);
    }

    @Test
    void labelSmoothingIsMinimisedAtTheLogOddsOfTheFlipRate() {
        // L(u) = −(1−ε) log σ(u) − ε log σ(−u) has dL/du = σ(u) − (1−ε) = 0 at u = log((1−ε)/ε)
        double eps = 0.1;
        double[] d = new double[2];
        new BtLoss(false, eps, 0).loss(Math.log((1 - eps) / eps), 0, null, d);
        assertEquals(0, d[0], 1e-15);
    }

    @Test
    void centeringAddsTheSquaredSum() {
        // η (r_w + r_l)² with η = 0.5, r = (1, 2): 0.5·9 = 4.5 on top of log(1 + e^{1})
        assertEquals(Math.log1p(Math.E) + 4.5, new BtLoss(false, 0, 0.5).loss(1, 2, null, null), 1e-14);
    }

    @Test
    void stableAtLargeLogits() {
        assertEquals(100, BtLoss.PLAIN.loss(-50, 50, null, null), 1e-12);
        assertEquals(0, BtLoss.PLAIN.loss(50, -50, null, null), 1e-40);
        assertEquals(Math.exp(-100), BtLoss.PLAIN.loss(50, -50, null, null), 1e-55);
    }
}
