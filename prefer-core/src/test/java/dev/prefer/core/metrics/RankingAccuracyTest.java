package dev.prefer.core.metrics;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class RankingAccuracyTest {

    @Test
    void handDerivedSummedAndNormalized() {
        // pair  chosen  rejected  tokens(c, r)  summed        mean per token
        //  1    -10     -12       5, 4          right          -2 > -3    right
        //  2    -10     -8        10, 2         wrong          -1 > -4    right
        //  3    -6      -6        3, 2          tie (wrong)    -2 > -3    right
        //  4    -9      -3        3, 1          wrong          -3 = -3    tie (wrong)
        RankingAccuracy.Result r = RankingAccuracy.of(
                new double[] {-10, -10, -6, -9}, new double[] {-12, -8, -6, -3}, new int[] {5, 10, 3, 3}, new int[] {4, 2, 2, 1});
        assertEquals(0.25, r.summed());
        assertEquals(0.75, r.lengthNormalized());
        assertEquals(4, r.n());
        assertEquals(1, r.tiesSummed());
        assertEquals(1, r.tiesNormalized());
        assertArrayEquals(new double[] {1, 0, 0, 0}, r.correctSummed());
        assertArrayEquals(new double[] {1, 1, 1, 0}, r.correctNormalized());
    }

    @Test
    void negativeInfinityIsALegalLogProbAndBadInputIsRejected() {
        RankingAccuracy.Result r = RankingAccuracy.of(new double[] {-1}, new double[] {Double.NEGATIVE_INFINITY}, new int[] {1}, new int[] {1});
        assertEquals(1.0, r.summed());
        assertThrows(IllegalArgumentException.class, () -> RankingAccuracy.of(new double[] {0.5}, new double[] {-1}, new int[] {1}, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> RankingAccuracy.of(new double[] {Double.NaN}, new double[] {-1}, new int[] {1}, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> RankingAccuracy.of(new double[] {-1}, new double[] {-1}, new int[] {0}, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> RankingAccuracy.of(new double[] {-1, -2}, new double[] {-1}, new int[] {1}, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> RankingAccuracy.of(new double[0], new double[0], new int[0], new int[0]));
    }
}
