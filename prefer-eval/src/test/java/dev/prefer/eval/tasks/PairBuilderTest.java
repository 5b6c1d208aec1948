package dev.prefer.eval.tasks;

import static org.junit.jupiter.api.Assertions.*;

import dev.prefer.data.PreferencePair;
import dev.prefer.data.pref.RankedList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PairBuilderTest {
    // Four samples, one repeated: a (1.0), b (0.0), c (0.5), a again (1.0), d (0.0)
    private final ScoredResponses s = new ScoredResponses("p", List.of("a", "b", "c", "a", "d"), List.of(1.0, 0.0, 0.5, 1.0, 0.0));

    @Test
    void bestVersusWorstTakesTheFirstOfEach() {
        List<PreferencePair> pairs = PairBuilder.defaults().pairs(s);
        assertEquals(1, pairs.size());
        assertEquals("a", pairs.get(0).chosen());
        assertEquals("b", pairs.get(0).rejected());
        assertEquals(1.0, pairs.get(0).margin());
    }

    @Test
    void allPairsWithAGap() {
        // distinct responses a, b, c, d with scores 1, 0, .5, 0: pairs with s_i > s_j:
        // (a,b) 1, (a,c) .5, (a,d) 1, (c,b) .5, (c,d) .5  -> 5; b/d tie gives none
        List<PreferencePair> pairs = new PairBuilder(PairBuilder.Strategy.ALL_PAIRS, 0, true).pairs(s);
        assertEquals(List.of("a>b", "a>c", "a>d", "c>b", "c>d"), pairs.stream().map(p -> p.chosen() + ">" + p.rejected()).toList());
        assertEquals(List.of(1.0, 0.5, 1.0, 0.5, 0.5), pairs.stream().map(PreferencePair::margin).toList());
        // a gap above 0.5 keeps only the 1.0 gaps
        assertEquals(2, new PairBuilder(PairBuilder.Strategy.ALL_PAIRS, 0.5, true).pairs(s).size());
        // without dedupe the repeated 'a' pairs again: 5 + (a,b) + (a,c) + (a,d) = 8
        assertEquals(8, new PairBuilder(PairBuilder.Strategy.ALL_PAIRS, 0, false).pairs(s).size());
    }

    @Test
    void rankedListBestFirstTiesInSamplingOrder() {
        RankedList l = PairBuilder.defaults().rankedList(s).orElseThrow();
        assertEquals(List.of("a", "c", "b", "d"), l.responses());
        assertArrayEquals(new double[] {1.0, 0.5, 0.0, 0.0}, l.scores());
    }

    @Test
    void agreeingSamplesGiveNothing() {
        ScoredResponses same = new ScoredResponses("p", List.of("x", "y"), List.of(1.0, 1.0));
        assertEquals(List.of(), PairBuilder.defaults().pairs(same));
        assertTrue(PairBuilder.defaults().rankedList(same).isEmpty());
        ScoredResponses one = new ScoredResponses("p", List.of("x", "x"), List.of(1.0, 1.0));
        assertTrue(PairBuilder.defaults().rankedList(one).isEmpty());
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> new ScoredResponses("p", List.of("a"), List.of(1.0, 2.0)));
        assertThrows(IllegalArgumentException.class, () -> new ScoredResponses("p", List.of("a"), List.of(Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> new PairBuilder(PairBuilder.Strategy.ALL_PAIRS, -1, true));
    }

    @Test
    void verifiedSamplesAndHardNegatives() {
        ArithmeticTask task = ArithmeticTask.defaults();
        ArithmeticTask.Sum p = task.parse("12+35=");
        ScoredResponses v = ScoredResponses.verify(task, p, List.of("46", "47", "47 ", "4"));
        assertEquals(List.of(0.0, 1.0, 1.0, 0.0), v.scores());
        PreferencePair bw = PairBuilder.defaults().pairs(v).get(0);
        assertEquals("47", bw.chosen());
        assertEquals("46", bw.rejected());

        List<PreferencePair> hard = PairBuilder.hardNegativePairs(task, p, new SplittableRandom(1), 4);
        assertEquals(4, hard.size());
        for (PreferencePair h : hard) {
            assertEquals("12+35=", h.prompt());
            assertEquals("47", h.chosen());
            assertEquals(1.0, h.margin());
            assertEquals("verifier:arithmetic", h.annotator());
        }
    }
}
