package dev.prefer.eval.tasks;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CountingTaskTest {
    private final CountingTask task = CountingTask.defaults(); // L = 48, w = 0.5

    @Test
    void bothObjectivesOnHandWrittenResponses() {
        CountingTask.Count p = task.parse("count 3 to 11 by 2:");
        assertEquals("3 5 7 9 11", p.reference());

        // reference: correctness 5/5, brevity 1 - 10/48 = 38/48
        Verdict ref = task.verify(p, "3 5 7 9 11");
        assertTrue(ref.pass());
        assertEquals(1.0, ref.components().get("correctness"));
        assertEquals(38.0 / 48, ref.components().get("brevity"), 1e-15);
        assertEquals(0.5 + 0.5 * 38.0 / 48, ref.score(), 1e-15);

        // truncated "3 5 7": correctness 3/5, brevity 1 - 5/48 = 43/48
        Verdict cut = task.verify(p, "3 5 7");
        assertFalse(cut.pass());
        assertEquals(0.6, cut.components().get("correctness"), 1e-15);
        assertEquals(43.0 / 48, cut.components().get("brevity"), 1e-15);

        // overshoot: prefix 5 of max(5, 6) tokens
        assertEquals(5.0 / 6, task.verify(p, "3 5 7 9 11 13").components().get("correctness"), 1e-15);
        // a wrong second item stops the prefix at 1
        assertEquals(0.2, task.verify(p, "3 6 7 9 11").components().get("correctness"), 1e-15);
        // empty: correctness 0, brevity 1
        Verdict empty = task.verify(p, "");
        assertEquals(0.0, empty.components().get("correctness"));
        assertEquals(1.0, empty.components().get("brevity"));
        assertEquals(0.5, empty.score(), 1e-15);
        // far too long: brevity clamps at 0
        assertEquals(0.0, task.verify(p, "3 5 7 9 11 ".repeat(10)).components().get("brevity"));
    }

    @Test
    void weightMovesTheScalarScore() {
        CountingTask onlyCorrect = new CountingTask(20, 3, 3, 7, 48, 1.0);
        assertEquals(0.6, onlyCorrect.verify("count 3 to 11 by 2:", "3 5 7").score(), 1e-15);
        CountingTask onlyBrief = new CountingTask(20, 3, 3, 7, 48, 0.0);
        assertEquals(1.0, onlyBrief.verify("count 3 to 11 by 2:", "").score(), 1e-15);
    }

    @Test
    void parseAndConfigValidation() {
        assertThrows(IllegalArgumentException.class, () -> task.parse("count 3 to 10 by 2:"), "10 is not reached from 3 by 2");
        assertThrows(IllegalArgumentException.class, () -> task.parse("count to 10"));
        assertThrows(IllegalArgumentException.class, () -> new CountingTask(20, 0, 3, 7, 48, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new CountingTask(20, 3, 3, 7, 48, 1.5));
    }

    @Test
    void referencesBeatEveryNegativeAtDefaultWeight() {
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < 1000; i++) {
            CountingTask.Count p = task.draw(rng);
            assertEquals(p, task.parse(p.prompt()));
            double ref = task.verify(p, p.reference()).score();
            var negs = task.negatives(p, rng, 3);
            assertEquals(3, negs.size());
            for (var n : negs) {
                Verdict v = task.verify(p, n.response());
                assertFalse(v.pass(), n.toString());
                assertTrue(v.score() < ref, p.prompt() + " " + n + " " + v.score() + " >= " + ref);
            }
        }
    }
}
