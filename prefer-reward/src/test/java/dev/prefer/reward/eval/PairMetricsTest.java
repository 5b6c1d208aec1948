package dev.prefer.reward.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Metrics on hand-worked logits. */
class PairMetricsTest {
    @Test
    void handComputedAccuracyLikelihoodAndEce() {
        // logits 2, −1, 0, ln 3  → p = 0.8808, 0.2689, 0.5, 0.75
        double[] z = {2, -1, 0, Math.log(3)};
        String[] a = {"u", "u", "v", "v"};
        PairMetrics m = PairMetrics.fromLogits(z, a);
        assertEquals((1 + 0 + 0.5 + 1) / 4.0, m.accuracy(), 1e-15);
        double ll = (Math.log(1 / (1 + Math.exp(-2))) + Math.log(1 / (1 + Math.exp(1))) + Math.log(0.5) + Math.log(0.75)) / 4;
        assertEquals(ll, m.logLikelihood(), 1e-15);
        // confidences: 0.8808 (bin 7, correct), 0.7311 (bin 4, wrong), 0.5 (bin 0, half), 0.75 (bin 5, correct)
        double c1 = 1 / (1 + Math.exp(-2));
        double c2 = 1 / (1 + Math.exp(-1));
        double ece = (Math.abs(1 - c1) + Math.abs(0 - c2) + Math.abs(0.5 - 0.5) + Math.abs(1 - 0.75)) / 4;
        assertEquals(ece, m.ece(), 1e-15);
        assertEquals(0.5, m.accuracyByAnnotator().get("u"), 0);
        assertEquals(0.75, m.accuracyByAnnotator().get("v"), 0);
    }
}
