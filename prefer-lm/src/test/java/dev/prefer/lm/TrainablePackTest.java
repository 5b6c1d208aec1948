package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link CausalLM#packDecodingWeights}: a model whose parameters require gradients (full fine-tuning), which
 * generation alone never packs, packs when asked; its sampled ids and log-probs are those of the unpacked step (1e-5),
 * an in-place update makes the next explicit pack a new one (the stale pack is not used), and after
 * {@link CausalLM#dropDecodingWeights} generation runs unpacked again without packing by itself.
 */
class TrainablePackTest {

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
    void anExplicitPackServesATrainableModelUntilDropped() {
        int width = DecodeScript.packMinWidth;
        DecodeScript.packMinWidth = 0; // the fixture is narrower than the default threshold
        try (CausalLM lm = CausalLM.load(Fixtures.model("gpt2", "policy"))) {
            lm.setTrainable(true);
            List<GenerationRequest> reqs = new ArrayList<>();
            for (JsonNode g : Fixtures.expected("gpt2").get("greedy")) reqs.add(new GenerationRequest(lm.encodePrompt(g.get("prompt").asText()), 0L));
            GenerationConfig sampled = new GenerationConfig(12, false, 1.0, 0, 1.0, 0L, false).withSamples(3);
            int packs = DecodeScript.Packed.PACKS.get();
            List<List<Completion>> unpacked = lm.complete(reqs, sampled);
            assertEquals(packs, DecodeScript.Packed.PACKS.get(), "a trainable model does not pack by itself");

            assertTrue(lm.packDecodingWeights(), "the float32 GPT-2 fixture packs when asked");
            assertEquals(packs + 1, DecodeScript.Packed.PACKS.get(), "one pack");
            assertSame(unpacked, lm.complete(reqs, sampled), "packed on request");
            assertEquals(packs + 1, DecodeScript.Packed.PACKS.get(), "the generation used that pack");

            NDArray w = lm.model().parameters().get("transformer.h.0.mlp.c_fc.weight");
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false); // an optimizer step's in-place update
            try {
                w.muli(1.5f);
            } finally {
                JniUtils.setGradMode(grad);
            }
            List<List<Completion>> updated = lm.complete(reqs, sampled); // stale pack: not used, no new one
            assertEquals(packs + 1, DecodeScript.Packed.PACKS.get(), "a stale pack is not renewed by generation");
            assertTrue(lm.packDecodingWeights());
            assertEquals(packs + 2, DecodeScript.Packed.PACKS.get(), "changed weights: packed again when asked");
            assertSame(updated, lm.complete(reqs, sampled), "packed after the update");

            lm.dropDecodingWeights();
            assertSame(updated, lm.complete(reqs, sampled), "dropped: unpacked again");
            assertEquals(packs + 2, DecodeScript.Packed.PACKS.get(), "dropped: no pack by itself");
        } finally {
            DecodeScript.packMinWidth = width;
        }
    }
}
