package dev.prefer.serve.select;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ActivePolicyTest {

    @Test
    void handComputedProbabilities() {
        // Three systems, three pairs. Pair 0 (a,b): 8 votes, a scored 8 -> p̂ = 9/10, Σ = .09.
        // Pair 1 (a,c): 8 votes, a scored 4 -> p̂ = 1/2, Σ = .25. Pair 2 (b,c): no votes -> p̂ = 1/2, Σ = .25.
        PairCounts c = PairCounts.complete(List.of("a", "b", "c"));
        for (int i = 0; i < 8; i++) c.record(0, 1.0);
        for (int i = 0; i < 8; i++) c.record(1, i % 2);
        double g0 = Math.sqrt(.09 / 9) - Math.sqrt(.09 / 10);
        double g1 = Math.sqrt(.25 / 9) - Math.sqrt(.25 / 10);
        double g2 = Math.sqrt(.25 / 1) - Math.sqrt(.25 / 2);
        double total = g0 + g1 + g2;
        double gamma = 0.1;
        double[] p = new ActivePolicy(gamma).probabilities(c.snapshot());
        assertEquals(0.9 * g0 / total + gamma / 3, p[0], 1e-12);
        assertEquals(0.9 * g1 / total + gamma / 3, p[1], 1e-12);
        assertEquals(0.9 * g2 / total + gamma / 3, p[2], 1e-12);
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-12);
        assertTrue(p[2] > p[1] && p[1] > p[0], "unseen pair first, lopsided pair last");
    }

    @Test
    void gammaOneIsUniformAndFloorsHold() {
        PairCounts c = PairCounts.complete(List.of("a", "b", "c", "d"));
        for (int i = 0; i < 100; i++) c.record(0, 1.0);
        double[] u = new ActivePolicy(1.0).probabilities(c.snapshot());
        for (double x : u) assertEquals(1.0 / 6, x, 1e-12);
        double[] p = new ActivePolicy(0.2).probabilities(c.snapshot());
        for (double x : p) assertTrue(x >= 0.2 / 6 - 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new ActivePolicy(0));
    }

    @Test
    void drawFollowsTheDistribution() {
        var rng = new java.util.SplittableRandom(5);
        double[] p = {0.1, 0.6, 0.3};
        int[] n = new int[3];
        for (int i = 0; i < 100_000; i++) n[Draw.index(p, rng)]++;
        for (int k = 0; k < 3; k++) assertEquals(p[k], n[k] / 100_000.0, 0.01);
    }
}
