package dev.prefer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Identities derived by hand, checked at moderate arguments and at ±100 and beyond. */
class ScalarsTest {

    @Test
    void identities() {
        assertEquals(0.5, Scalars.sigmoid(0), 0);
        assertEquals(-Math.log(2), Scalars.logSigmoid(0), 1e-15);
        assertEquals(Math.log(2), Scalars.softplus(0), 1e-15);
        for (double x : new double[] {-1000, -100, -3.5, -1e-9, 0.7, 2, 100, 1000}) {
            // σ(x) + σ(−x) = 1; softplus(x) − softplus(−x) = x; log σ(x) = log(σ(x)) where σ(x) is not tiny
            assertEquals(1, Scalars.sigmoid(x) + Scalars.sigmoid(-x), 1e-15);
            assertEquals(x, Scalars.softplus(x) - Scalars.softplus(-x), 1e-12 * Math.max(1, Math.abs(x)));
            assertTrue(Double.isFinite(Scalars.logSigmoid(x)));
            if (x > -30) assertEquals(Math.log(Scalars.sigmoid(x)), Scalars.logSigmoid(x), 1e-12);
        }
        // log σ(−100) = −100 − log(1 + e^{−100}) ≈ −100 (the naive log(1/(1+e^100)) is fine here, but −1000 is not)
        assertEquals(-1000, Scalars.logSigmoid(-1000), 0);
    }

    @Test
    void logSumExpAndSoftmax() {
        double[] a = {Math.log(1), Math.log(2), Math.log(3)};
        assertEquals(Math.log(6), Scalars.logSumExp(a), 1e-15);
        assertEquals(1000 + Math.log(2), Scalars.logSumExp(new double[] {1000, 1000}), 1e-12);
        assertEquals(Double.NEGATIVE_INFINITY, Scalars.logSumExp(new double[0]));
        double[] out = new double[3];
        Scalars.softmax(new double[] {9, Math.log(1), Math.log(2), Math.log(3)}, 1, 3, out);
        assertEquals(1.0 / 6, out[0], 1e-15);
        assertEquals(2.0 / 6, out[1], 1e-15);
        assertEquals(3.0 / 6, out[2], 1e-15);
    }
}
