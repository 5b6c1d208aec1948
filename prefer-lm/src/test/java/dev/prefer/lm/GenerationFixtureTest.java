package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** KV-cache generation against transformers' greedy ids, batched with left padding, and the sampler's contracts. */
class GenerationFixtureTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void greedyIdsMatchTransformersAloneAndBatched(String arch) {
        JsonNode greedy = Fixtures.expected(arch).get("greedy");
        try (CausalLM lm = CausalLM.load(Fixtures.model(arch, "policy"))) {
            List<String> prompts = new ArrayList<>();
            for (JsonNode g : greedy) {
                prompts.add(g.get("prompt").asText());
                Generation one = lm.generate(List.of(g.get("prompt").asText()), GenerationConfig.greedy(16)).get(0);
                assertArrayEquals(Fixtures.longs(g.get("prompt_ids")), one.promptIds(), "prompt ids");
                assertArrayEquals(Fixtures.longs(g.get("greedy_new_ids")), one.newIds(), "greedy ids of '" + g.get("prompt").asText() + "'");
            }
            // prompts of different lengths in one left-padded batch give the same ids
            List<Generation> batch = lm.generate(prompts, GenerationConfig.greedy(16));
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(Fixtures.longs(greedy.get(i).get("greedy_new_ids")), batch.get(i).newIds(), "batched greedy ids " + i);
            }
        }
    }

    @Test
    void samplingIsSeededAndTopKOneIsGreedy() {
        try (CausalLM lm = CausalLM.load(Fixtures.model("llama", "policy"))) {
            List<String> prompts = List.of("the cat", "Q: 5+5=");
            GenerationConfig s = new GenerationConfig(12, false, 1.3, 0, 0.95, 42L, false);
            List<Generation> a = lm.generate(prompts, s);
            List<Generation> b = lm.generate(prompts, s);
            for (int i = 0; i < prompts.size(); i++) assertArrayEquals(a.get(i).newIds(), b.get(i).newIds(), "same seed, same ids");
            List<Generation> c = lm.generate(prompts, new GenerationConfig(12, false, 1.3, 0, 0.95, 43L, false));
            assertNotEquals(Arrays.toString(a.get(0).newIds()) + Arrays.toString(a.get(1).newIds()),
                    Arrays.toString(c.get(0).newIds()) + Arrays.toString(c.get(1).newIds()), "another seed, other ids");
            List<Generation> k1 = lm.generate(prompts, new GenerationConfig(12, false, 0.7, 1, 1.0, 7L, false));
            List<Generation> g = lm.generate(prompts, GenerationConfig.greedy(12));
            for (int i = 0; i < prompts.size(); i++) assertArrayEquals(g.get(i).newIds(), k1.get(i).newIds(), "top-k 1 is greedy");
            List<Generation> p0 = lm.generate(prompts, new GenerationConfig(12, false, 1.0, 0, 1e-9, 9L, false));
            for (int i = 0; i < prompts.size(); i++) assertArrayEquals(g.get(i).newIds(), p0.get(i).newIds(), "tiny top-p is greedy");
        }
    }

    @Test
    void stopsAtEosAndKeepsIt() {
        try (CausalLM lm = CausalLM.load(Fixtures.model("gpt2", "policy"))) {
            // high temperature over 420 tokens with eos id 0: sample until every row hit eos or the budget
            // (24 rows x 100 draws: P(no row stops) = (1 - 1/420)^2400 < 0.4%)
            GenerationConfig cfg = new GenerationConfig(100, false, 50.0, 0, 1.0, 3L, true);
            List<String> prompts = new ArrayList<>();
            for (int i = 0; i < 8; i++) prompts.addAll(List.of("a", "hello there", "x"));
            List<Generation> out = lm.generate(prompts, cfg);
            int stopped = 0;
            for (Generation g : out) {
                assertTrue(g.newIds().length <= 100);
                for (int j = 0; j < g.newIds().length - 1; j++) assertNotEquals(0L, g.newIds()[j], "no eos before the end");
                if (g.stoppedAtEos()) {
                    stopped++;
                    assertEquals(0L, g.newIds()[g.newIds().length - 1], "eos kept as the last id");
                } else {
                    assertEquals(100, g.newIds().length);
                }
            }
            assertTrue(stopped > 0, "with ~1/420 chance per token over 2400 draws some row stops");
        }
    }

    @Test
    void samplerTopKAndTopPKeepTheRightSet() {
        float[] logits = {0f, (float) Math.log(2), (float) Math.log(3), (float) Math.log(4)}; // p = .1 .2 .3 .4
        java.util.Random rng = new java.util.Random(1);
        int[] counts = new int[4];
        GenerationConfig topP = new GenerationConfig(1, false, 1.0, 0, 0.65, 0L, false); // nucleus {3, 2} (.4+.3 >= .65)
        for (int i = 0; i < 20000; i++) counts[Sampler.choose(logits, 0, 4, topP, rng)]++;
        assertEquals(0, counts[0]);
        assertEquals(0, counts[1]);
        assertEquals(4.0 / 7, counts[3] / 20000.0, 0.02);
        counts = new int[4];
        GenerationConfig topK = new GenerationConfig(1, false, 1.0, 3, 1.0, 0L, false); // {1,2,3} renormalised: .2/.9 ...
        for (int i = 0; i < 20000; i++) counts[Sampler.choose(logits, 0, 4, topK, rng)]++;
        assertEquals(0, counts[0]);
        assertEquals(2.0 / 9, counts[1] / 20000.0, 0.02);
        assertEquals(4.0 / 9, counts[3] / 20000.0, 0.02);
    }
}
