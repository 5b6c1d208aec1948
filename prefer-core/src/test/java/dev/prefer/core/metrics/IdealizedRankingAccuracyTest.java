package dev.prefer.core.metrics;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class IdealizedRankingAccuracyTest {
    // The six pairs of src/test/python/metrics_reference.py.
    static final double[] REF_C = {-10.0, -12.0, -7.0, -20.0, -5.0, -9.0};
    static final double[] REF_R = {-9.5, -7.0, -7.0, -21.0, -5.3, -9.0};
    static final int[] TOK_C = {5, 6, 7, 10, 5, 3};
    static final int[] TOK_R = {4, 7, 7, 10, 5, 9};
    static final double[] ALPHA = {0.6, 0.6, 0.51, 0.8, 1.0, 0.5};

    @Test
    void handDerivedPaperDefinition() {
        // Pair 1: ref log-ratio -0.5 (reference mis-ranks), alpha 0.6: log odds ln 1.5 = 0.405465.
        //   beta 0.1: -0.5 + 4.05465 = 3.55 > 0, right.   beta 1: -0.5 + 0.405 = -0.0945 < 0, wrong.
        // Pair 2: ref log-ratio -5, alpha 0.6: beta 0.1: -5 + 4.05 < 0, wrong at both betas.
        double[] c = {-10, -12}, r = {-9.5, -7}, a = {0.6, 0.6};
        int[] t = {1, 1};
        IdealizedRankingAccuracy.Result b01 = IdealizedRankingAccuracy.paper(0.1).of(c, r, t, t, a);
        assertEquals(0.5, b01.rStar());
        assertEquals(-0.5 + 10 * Math.log(1.5), b01.logRatioStar()[0], 1e-12);
        assertArrayEquals(new double[] {1, 0}, b01.correct());
        assertEquals(0.0, IdealizedRankingAccuracy.paper(1.0).of(c, r, t, t, a).rStar());
        // As beta -> 0 the optimum follows the raters: any finite mis-ranking is flipped.
        assertEquals(1.0, IdealizedRankingAccuracy.paper(1e-3).of(c, r, t, t, a).rStar());
    }

    @Test
    void matchesTheAuthorsRatioArithmetic() {
        // Numbers printed by src/test/python/metrics_reference.py (ratio arithmetic of the authors' code).
        Object[][] expected = {
                {0.1, 0.0, false, new double[] {1, 0, 1, 1, 1, 1}},
                {0.1, 0.0, true, new double[] {1, 1, 1, 1, 1, 0}},
                {0.1, 0.05, false, new double[] {1, 0, 0, 1, 1, 1}},
                {0.1, 0.05, true, new double[] {1, 1, 0, 1, 1, 0}},
                {1.0, 0.0, false, new double[] {0, 0, 1, 1, 1, 1}},
                {1.0, 0.0, true, new double[] {1, 0, 1, 1, 1, 0}},
                {1.0, 0.05, false, new double[] {0, 0, 1, 1, 1, 1}},
                {1.0, 0.05, true, new double[] {1, 0, 1, 1, 1, 0}},
        };
        for (Object[] e : expected) {
            IdealizedRankingAccuracy m = new IdealizedRankingAccuracy((double) e[0], (double) e[1], (boolean) e[2]);
            IdealizedRankingAccuracy.Result res = m.of(REF_C, REF_R, TOK_C, TOK_R, ALPHA);
            double[] want = (double[]) e[3];
            assertArrayEquals(want, res.correct(), m.toString());
            double mean = 0;
            for (double w : want) mean += w / want.length;
            assertEquals(mean, res.rStar(), 1e-15);
        }
    }

    @Test
    void alignmentGapAndVotes() {
        // R* = 5/6 (beta 0.1, paper); a policy that ranks 3 of the 6 right has gap 5/6 - 1/2 = 1/3.
        IdealizedRankingAccuracy.Result star = IdealizedRankingAccuracy.paper(0.1).of(REF_C, REF_R, TOK_C, TOK_R, ALPHA);
        RankingAccuracy.Result policy = RankingAccuracy.of(
                new double[] {-1, -1, -1, -2, -2, -2}, new double[] {-2, -2, -2, -1, -1, -1}, new int[] {1, 1, 1, 1, 1, 1}, new int[] {1, 1, 1, 1, 1, 1});
        assertEquals(1.0 / 3, IdealizedRankingAccuracy.alignmentGap(star, policy, false), 1e-15);
        assertEquals(0.75, IdealizedRankingAccuracy.alphaFromVotes(3, 1, 0));
        assertEquals(0.625, IdealizedRankingAccuracy.alphaFromVotes(2, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> IdealizedRankingAccuracy.alphaFromVotes(0, 0, 0));
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> new IdealizedRankingAccuracy(0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new IdealizedRankingAccuracy(0.1, 1, false));
        int[] t = {1};
        assertThrows(IllegalArgumentException.class, () -> IdealizedRankingAccuracy.paper(0.1).of(new double[] {-1}, new double[] {-1}, t, t, new double[] {1.5}));
    }
}
