package dev.prefer.reward.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Verifier sources, weighted sums (TRL's reward_funcs / reward_weights with nansum) and win rates. */
class VerifierAndSumTest {
    static final RewardSources.Options O = RewardSources.Options.defaults();

    @Test
    void arithmeticVerifierScoresEachCompletion() {
        try (RewardSource r = RewardSources.open("verifier:arithmetic", O)) {
            // 12 + 35 = 47; text after the first line is ignored by the verifier
            GroupScores s = r.score(new Group("12+35=", List.of("47", "46", "47\nand more", " 047")));
            assertArrayEquals(new double[] {1, 0, 1, 0}, s.rewards(), 0);
            assertArrayEquals(new double[] {1, 0, 1, 0}, s.components().get("verifier:arithmetic/pass"), 0);
            assertArrayEquals(new double[] {1, 0, 1, 0}, s.components().get("verifier:arithmetic/correct"), 0);
            assertEquals(List.of("verifier:arithmetic", "verifier:arithmetic/pass", "verifier:arithmetic/correct"), List.copyOf(s.components().keySet()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.score("Write a poem.", List.of("x"), Map.of()));
            assertTrue(e.getMessage().startsWith("verifier:arithmetic: prompt 'Write a poem.' is not a arithmetic problem"), e.getMessage());
        }
    }

    /** A fixed-reward source for sums. */
    record Fixed(String name, double[] values) implements RewardSource {
        @Override
        public GroupScores score(Group group) {
            return GroupScores.of(name, values.clone(), Map.of("half", new double[] {0.5, 0.5, 0.5}), null);
        }
    }

    @Test
    void weightedSumSkipsNaNLikeNansum() {
        RewardSource a = new Fixed("a", new double[] {1, Double.NaN, Double.NaN});
        RewardSource b = new Fixed("b", new double[] {2, 3, Double.NaN});
        try (WeightedSum s = new WeightedSum(List.of(new WeightedSum.Part(a, 0.5), new WeightedSum.Part(b, -1)))) {
            GroupScores g = s.score(new Group("p", List.of("x", "y", "z")));
            assertEquals(0.5 * 1 - 2, g.rewards()[0], 0);
            assertEquals(-3, g.rewards()[1], 0);
            assertTrue(Double.isNaN(g.rewards()[2]));
            assertEquals(List.of("a", "a/half", "b", "b/half"), List.copyOf(g.components().keySet()));
            assertNull(g.winProbabilities());
            assertEquals("0.5*a + -1*b", s.name());
            Map<String, Double> means = GroupScores.means(List.of(g, g));
            assertEquals((-1.5 - 3) / 2, means.get("reward"), 1e-15);
            assertEquals(1.0, means.get("a"), 0, "NaN left out of the mean");
            assertEquals(2.5, means.get("b"), 0);
        }
    }

    @Test
    void verifierPlusAWeightedVerifierFromSpecs() {
        try (RewardSource r = RewardSources.open(List.of("verifier:arithmetic", "0.25*verifier:arithmetic"), null, O)) {
            assertArrayEquals(new double[] {1.25, 0}, r.score("2+2=", List.of("4", "5"), Map.of()), 0);
        }
    }

    @Test
    void winRatesAreRowMeansOffTheDiagonal() {
        double[][] p = {{0.5, 0.9, 0.6}, {0.1, 0.5, 0.3}, {0.4, 0.7, 0.5}};
        assertArrayEquals(new double[] {0.75, 0.2, 0.55}, GroupScores.winRates(p), 1e-15);
        assertArrayEquals(new double[] {0.5}, GroupScores.winRates(new double[][] {{0.5}}), 0);
    }
}
