package dev.prefer.reward.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.data.PreferencePair;
import dev.prefer.data.pref.PreferenceReader;
import dev.prefer.reward.Backbones;
import dev.prefer.reward.EmbeddingEncoder;
import dev.prefer.reward.RewardModel;
import dev.prefer.reward.backbone.HashingBackbone;
import dev.prefer.reward.head.HeadConfig;
import dev.prefer.reward.head.Heads;
import dev.prefer.reward.head.PreferenceHead;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model: and pairwise: sources over saved reward models: embedding heads on a hashing backbone, and the fixture's LM score head. */
class ModelSourcesTest {
    static final RewardSources.Options O = RewardSources.Options.defaults().withBackbone(Backbones.Options.inMemory(1));
    static final String PROMPT = "How do I keep basil alive?";
    static final List<String> CANDIDATES = List.of("Water it often and give it sun.", "No idea.", "Pinch the flowers, keep the soil moist, and give it six hours of sun.", "Basil dies.");

    static Path save(Path dir, String kind, long seed) {
        PreferenceHead head = Heads.create(HeadConfig.defaults(kind), 32, 32, List.of(), seed);
        RewardModel m = new RewardModel(new EmbeddingEncoder(new HashingBackbone(32), EmbeddingEncoder.ContextSource.PROMPT), head);
        Path f = dir.resolve(kind);
        m.save(f, Manifest.of("reward-model", Map.of("head", kind), seed));
        return f;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void scalarHeadRewardsAreTheModelsScores(@TempDir Path dir) {
        Path f = save(dir, "mlp", 3);
        try (RewardModel rm = RewardModel.load(f, Backbones.Options.inMemory(1)); RewardSource s = RewardSources.open("model:" + f, O)) {
            assertInstanceOf(ModelSource.class, s);
            double[] r = s.score(PROMPT, CANDIDATES, Map.of());
            for (int i = 0; i < r.length; i++) assertEquals(rm.score(PROMPT, CANDIDATES.get(i)), r[i], 1e-12, "candidate " + i);
            // and as a pairwise source, Bradley-Terry over those rewards
            try (RewardSource p = RewardSources.open("pairwise:" + f, O)) {
                double[][] w = p.score(new Group(PROMPT, CANDIDATES)).winProbabilities();
                for (int i = 0; i < r.length; i++) {
                    for (int j = 0; j < r.length; j++) assertEquals(i == j ? 0.5 : sigmoid(r[i] - r[j]), w[i][j], 1e-12);
                }
            }
        }
    }

    /** Counts embedAll calls and texts. */
    static final class CountingBackbone implements dev.prefer.reward.backbone.Backbone {
        final HashingBackbone inner = new HashingBackbone(32);
        int batches;
        int texts;

        @Override
        public String id() {
            return inner.id();
        }

        @Override
        public int dimension() {
            return inner.dimension();
        }

        @Override
        public float[] embed(String text) {
            return inner.embed(text);
        }

        @Override
        public List<float[]> embedAll(List<String> t) {
            batches++;
            texts += t.size();
            return dev.prefer.reward.backbone.Backbone.super.embedAll(t);
        }
    }

    @Test
    void embeddingModelsEmbedAllGroupsAtOnce() {
        List<Group> groups = List.of(new Group(PROMPT, CANDIDATES), new Group("Another question", List.of("No idea.", "Yes.")),
                new Group("Third", List.of("Basil dies.")));
        for (String kind : new String[] {"bt", "gpm"}) {
            CountingBackbone b = new CountingBackbone();
            RewardModel rm = new RewardModel(new EmbeddingEncoder(b, EmbeddingEncoder.ContextSource.PROMPT), Heads.create(HeadConfig.defaults(kind), 32, 32, List.of(), 11));
            try (RewardSource s = kind.equals("bt") ? new ModelSource("model:m", rm, null) : new PairwiseModelSource("pairwise:m", rm, null)) {
                List<GroupScores> all = s.scoreAll(groups);
                assertEquals(1, b.batches, kind + ": one backbone batch for the completions of all groups");
                assertEquals(5, b.texts, kind + ": each distinct completion once");
                for (int g = 0; g < groups.size(); g++) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(s.score(groups.get(g)).rewards(), all.get(g).rewards(), 1e-12, kind + " group " + g);
                }
            }
        }
    }

    @Test
    void gpmWinRatesMatchTheModelsRerank(@TempDir Path dir) {
        Path f = save(dir, "gpm", 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RewardSources.open("model:" + f, O));
        assertTrue(e.getMessage().contains("has no per-response reward; use pairwise:" + f), e.getMessage());
        try (RewardModel rm = RewardModel.load(f, Backbones.Options.inMemory(1)); RewardSource s = RewardSources.open("pairwise:" + f, O)) {
            GroupScores g = s.score(new Group(PROMPT, CANDIDATES));
            // RewardModel.rerank scores GPM candidates by their mean preference probability against the others
            for (RewardModel.Ranked r : rm.rerank(PROMPT, CANDIDATES, null)) assertEquals(r.score(), g.rewards()[r.index()], 1e-12);
            double[][] p = g.winProbabilities();
            for (int i = 0; i < p.length; i++) {
                assertEquals(0.5, p[i][i], 0);
                for (int j = 0; j < p.length; j++) {
                    assertEquals(1, p[i][j] + p[j][i], 1e-12);
                    assertEquals(rm.preferenceProbability(PROMPT, CANDIDATES.get(i), CANDIDATES.get(j), null), p[i][j], i == j ? 0.5 : 1e-12);
                }
            }
        }
    }

    @Test
    void classifierMatrixAveragesBothOrders(@TempDir Path dir) {
        Path f = save(dir, "classifier", 7);
        try (RewardModel rm = RewardModel.load(f, Backbones.Options.inMemory(1)); RewardSource s = RewardSources.open("pairwise:" + f, O)) {
            double[][] p = s.score(new Group(PROMPT, CANDIDATES)).winProbabilities();
            boolean asymmetric = false;
            for (int i = 0; i < p.length; i++) {
                for (int j = 0; j < p.length; j++) {
                    if (i == j) continue;
                    double ij = rm.preferenceProbability(PROMPT, CANDIDATES.get(i), CANDIDATES.get(j), null);
                    double ji = rm.preferenceProbability(PROMPT, CANDIDATES.get(j), CANDIDATES.get(i), null);
                    asymmetric |= Math.abs(ij + ji - 1) > 1e-6;
                    assertEquals((ij + 1 - ji) / 2, p[i][j], 1e-12);
                    assertEquals(1, p[i][j] + p[j][i], 1e-12);
                }
            }
            assertTrue(asymmetric, "the classifier's own probabilities are not consistent, so the averaging is exercised");
        }
    }

    @Test
    void lmScoreHeadRewardsAsTransformersBatchedAcrossGroups() {
        Path shared = Path.of(System.getProperty("prefer.shared"));
        Path rmDir = shared.resolve("fixtures/hf-tiny-rm/llama-rm");
        JsonNode ex = Json.readObject(rmDir.resolve("expected.json")).get("examples");
        List<PreferencePair> pairs = PreferenceReader.read(shared.resolve("fixtures/hf-tiny/pairs.jsonl"), PreferenceReader.Options.DEFAULT).pairs();
        List<Group> groups = new ArrayList<>();
        for (PreferencePair p : pairs) groups.add(new Group(p.prompt(), List.of(p.chosen(), p.rejected())));
        try (RewardSource s = RewardSources.open("model:" + rmDir, O)) {
            List<GroupScores> got = s.scoreAll(groups);
            for (int i = 0; i < pairs.size(); i++) {
                assertEquals(ex.get(i).get("reward_chosen").asDouble(), got.get(i).rewards()[0], 1e-4, "chosen " + i);
                assertEquals(ex.get(i).get("reward_rejected").asDouble(), got.get(i).rewards()[1], 1e-4, "rejected " + i);
            }
        }
        try (RewardSource s = RewardSources.open("pairwise:" + rmDir, O)) {
            // pair 6 has chosen == rejected: an exact tie whatever the batch's rounding
            assertEquals(pairs.get(5).chosen(), pairs.get(5).rejected());
            assertEquals(0.5, s.scoreAll(groups).get(5).winProbabilities()[0][1], 0);
            List<GroupScores> got = s.scoreAll(groups.subList(0, 3));
            for (int i = 0; i < 3; i++) {
                double rc = ex.get(i).get("reward_chosen").asDouble(), rr = ex.get(i).get("reward_rejected").asDouble();
                assertEquals(sigmoid(rc - rr), got.get(i).winProbabilities()[0][1], 1e-4);
                assertEquals(sigmoid(rc - rr), got.get(i).rewards()[0], 1e-4, "win rate in a group of two = P(0 > 1)");
            }
        }
    }
}
