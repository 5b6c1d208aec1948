package dev.prefer.objectives.online;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.prefer.objectives.Batch;
import org.junit.jupiter.api.Test;

/** Pair and list selection for online DPO and DNO, checked on hand-made rewards. */
class OnlinePreferencesTest {

    @Test
    void bestAgainstWorstWithTiesAndUnscorableCompletions() {
        double[] r = {
            0.2, 0.9, 0.9, 0.1,          // best: first 0.9 (index 1), worst 0.1 (index 3)
            0.5, 0.5, 0.5, 0.5,          // all tied: kept at margin 0 (first vs last, as TRL keeps ties), dropped at any margin > 0
            Double.NaN, 0.3, 0.7, 0.3,   // NaN never picked; worst: last of the 0.3 ties (index 11)
            Double.NaN, Double.NaN, 1.0, Double.NaN}; // one scorable completion: dropped
        OnlinePreferences.Pairs p = OnlinePreferences.bestWorst(r, 4, 0);
        assertArrayEquals(new int[] {0, 1, 2}, p.prompts());
        assertArrayEquals(new int[] {1, 4, 10}, p.chosen());
        assertArrayEquals(new int[] {3, 7, 11}, p.rejected());
        OnlinePreferences.Pairs strict = OnlinePreferences.bestWorst(r, 4, 1e-12);
        assertArrayEquals(new int[] {0, 2}, strict.prompts());
        // DNO's margin filter keeps only spreads >= 0.5.
        OnlinePreferences.Pairs wide = OnlinePreferences.bestWorst(r, 4, 0.5);
        assertArrayEquals(new int[] {0}, wide.prompts());
    }

    @Test
    void twoCompletionsFollowTrlTieRule() {
        // TRL: mask = first >= second, so a tie makes the first completion the chosen one.
        OnlinePreferences.Pairs p = OnlinePreferences.bestWorst(new double[] {1, 1, 0, 2}, 2, 0);
        assertArrayEquals(new int[] {0, 3}, p.chosen());
        assertArrayEquals(new int[] {1, 2}, p.rejected());
    }

    @Test
    void batchesCarryTheSelectedLogProbs() {
        double[] policy = {-1, -2, -3, -4}, ref = {-1.5, -2.5, -3.5, -4.5};
        OnlinePreferences.Pairs p = OnlinePreferences.bestWorst(new double[] {0, 1, 1, 0}, 2, 0);
        Batch b = OnlinePreferences.pairBatch(policy, ref, p);
        assertEquals(2, b.groups());
        assertArrayEquals(new double[] {-2, -1, -3, -4}, b.policy()); // (chosen, rejected) interleaved
        assertArrayEquals(new double[] {-2.5, -1.5, -3.5, -4.5}, b.reference());
        Batch list = OnlinePreferences.listBatch(policy, ref, new double[] {0, 1, 1, 0}, 4);
        assertEquals(1, list.groups());
        assertArrayEquals(new double[] {0, 1, 1, 0}, list.labels());
        assertThrows(IllegalArgumentException.class, () -> OnlinePreferences.listBatch(policy, ref, new double[] {0, Double.NaN, 1, 0}, 4));
        assertThrows(IllegalArgumentException.class, () -> OnlinePreferences.pairBatch(policy, ref, OnlinePreferences.bestWorst(new double[] {1, 1, 1, 1}, 2, 0.5)));
    }

    @Test
    void missingEosPenalty() {
        assertArrayEquals(new double[] {1, -0.5, 0}, OnlinePreferences.penalizeMissingEos(new double[] {1, 0.5, 0}, new boolean[] {false, true, false}, 1.0));
    }
}
