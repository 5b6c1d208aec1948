package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scripted step with oneDNN-packed layer weights ({@link DecodeScript}; forced on the small fixture, which is
 * below the default width): transformers' greedy ids, the same samples and log-probs (1e-5) as the step on the
 * model's own weights, one pack reused while the weights stay the same, and a new one after an in-place update (a
 * stale pack would give the old model's log-probs).
 */
class PackedDecodeTest {

    private static List<List<Completion>> complete(CausalLM lm, List<GenerationRequest> reqs, GenerationConfig cfg, boolean packed) {
        int rows = DecodeScript.packMinRows;
        DecodeScript.packMinRows = packed ? 2 : Integer.MAX_VALUE;
        try {
            return lm.complete(reqs, cfg);
        } finally {
            DecodeScript.packMinRows = rows;
        }
    }

    private static void assertSame(List<List<Completion>> want, List<List<Completion>> got, String what) {
        for (int i = 0; i < want.size(); i++) {
            for (int k = 0; k < want.get(i).size(); k++) {
                Completion a = want.get(i).get(k), b = got.get(i).get(k);
                assertArrayEquals(a.tokenIds(), b.tokenIds(), what + ": ids of prompt " + i + " sample " + k);
                assertArrayEquals(a.logps(), b.logps(), 1e-5, what + ": log-probs of prompt " + i + " sample " + k);
            }
        }
    }

    @Test
    void packedProductsGiveTheStepsResultsAndFollowTheWeights() {
        int width = DecodeScript.packMinWidth, steps = DecodeScript.packMinSteps;
        DecodeScript.packMinWidth = 0;
        DecodeScript.packMinSteps = 0;
        JsonNode greedy = Fixtures.expected("gpt2").get("greedy");
        try (CausalLM lm = CausalLM.load(Fixtures.model("gpt2", "policy"))) {
            assertTrue(DecodeScript.applies(lm.model()), "the scripted step must serve the float32 GPT-2 fixture");
            List<GenerationRequest> reqs = new ArrayList<>();
            List<long[]> want = new ArrayList<>();
            for (JsonNode g : greedy) {
                reqs.add(new GenerationRequest(lm.encodePrompt(g.get("prompt").asText()), 0L));
                want.add(Fixtures.longs(g.get("greedy_new_ids")));
            }
            int packs = DecodeScript.Packed.PACKS.get();
            List<List<Completion>> out = complete(lm, reqs, GenerationConfig.greedy(16).withSamples(2).withMaxBatch(4), true);
            assertEquals(packs + 1, DecodeScript.Packed.PACKS.get(), "the first packed wave packs the weights");
            for (int i = 0; i < reqs.size(); i++) {
                for (Completion c : out.get(i)) assertArrayEquals(want.get(i), c.tokenIds(), "greedy ids of prompt " + i + " sample " + c.sample());
            }
            GenerationConfig sampled = new GenerationConfig(12, false, 1.0, 0, 1.0, 0L, false).withSamples(3);
            assertSame(complete(lm, reqs, sampled, false), complete(lm, reqs, sampled, true), "sampled");
            assertEquals(packs + 1, DecodeScript.Packed.PACKS.get(), "unchanged weights: the pack is reused");

            NDArray w = lm.model().parameters().get("transformer.h.0.mlp.c_fc.weight");
            w.muli(1.5f); // in place: the same array, its version counter bumped
            List<List<Completion>> unpacked = complete(lm, reqs, sampled, false), packed = complete(lm, reqs, sampled, true);
            assertEquals(packs + 2, DecodeScript.Packed.PACKS.get(), "changed weights: packed again");
            assertSame(unpacked, packed, "after the update");

            // a policy in full fine-tuning (parameters require gradients) keeps addmm: it would pack after every step
            w.muli(0.5f); // changed again, so the pack above is stale
            lm.setTrainable(true);
            List<List<Completion>> training = complete(lm, reqs, sampled, true);
            assertEquals(packs + 2, DecodeScript.Packed.PACKS.get(), "a trainable model does not pack");
            lm.setTrainable(false);
            assertSame(complete(lm, reqs, sampled, false), training, "trainable, unpacked");
        } finally {
            DecodeScript.packMinWidth = width;
            DecodeScript.packMinSteps = steps;
        }
    }

    /**
     * The decoding steps' thread count ({@link BatchGeneration#oneThread}: one for small models, all for large ones) changes no result:
     * ids and log-probs exactly equal on one and on two engine threads, with the model's own weights and packed, on a
     * model wide enough for oneDNN's and MKL's multithreaded kernels (512).
     */
    @Test
    void decodingOnOneOrTwoThreadsGivesTheSameSamples() {
        Torch.init();
        int engine = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        long below = BatchGeneration.oneThreadBelow;
        ModelConfig cfg = ModelConfig.gpt2(1000, 128, 512, 2, 8);
        try (CausalLM lm = CausalLM.randomInit(cfg, 5, Precision.F32)) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(2);
            List<GenerationRequest> reqs = new ArrayList<>();
            java.util.Random rng = new java.util.Random(3);
            for (int i = 0; i < 6; i++) {
                long[] ids = new long[5 + 7 * i];
                for (int j = 0; j < ids.length; j++) ids[j] = rng.nextInt(1000);
                reqs.add(new GenerationRequest(ids, 11L + i));
            }
            GenerationConfig sampled = new GenerationConfig(16, false, 1.0, 0, 1.0, 0L, false);
            for (boolean packed : new boolean[] {false, true}) {
                int steps = DecodeScript.packMinSteps;
                DecodeScript.packMinSteps = 0;
                try {
                    BatchGeneration.oneThreadBelow = Long.MAX_VALUE; // every wave on one thread
                    List<List<Completion>> one = complete(lm, reqs, sampled, packed);
                    BatchGeneration.oneThreadBelow = 0; // on the engine's two
                    List<List<Completion>> two = complete(lm, reqs, sampled, packed);
                    for (int i = 0; i < reqs.size(); i++) {
                        Completion a = one.get(i).get(0), b = two.get(i).get(0);
                        assertArrayEquals(a.tokenIds(), b.tokenIds(), "packed " + packed + ": ids of prompt " + i);
                        assertArrayEquals(a.logps(), b.logps(), 0.0, "packed " + packed + ": log-probs of prompt " + i);
                    }
                } finally {
                    DecodeScript.packMinSteps = steps;
                }
            }
        } finally {
            BatchGeneration.oneThreadBelow = below;
            ai.djl.pytorch.jni.JniUtils.setNumThreads(engine);
        }
    }
}
