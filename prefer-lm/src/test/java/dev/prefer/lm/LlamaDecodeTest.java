package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Llama layout's scripted decoding ({@link LlamaDecode} through {@link DecodeScript}) against the composite path
 * ({@link Transformer#forward}, one engine call per op) on the same model: the same ids and log-probs within 1e-5,
 * greedy, sampled with the engine's draw (no filter) and with the host's (top-p), three samples per prompt, prompts of
 * different lengths, rows leaving early at a stop string, the prefill in one padded batch and in groups. transformers'
 * own ids and log-probs are checked through the scripted path by {@link BatchGenerationTest} and the family fixtures.
 */
class LlamaDecodeTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2"})
    void theScriptedPathGivesTheCompositePathsIdsAndLogps(String arch) {
        try (CausalLM lm = CausalLM.load(Fixtures.model(arch, "policy"))) {
            assertTrue(DecodeScript.applies(lm.model()), arch + ": the scripted step serves the float32 fixture");
            List<GenerationRequest> reqs = new ArrayList<>();
            List<String> prompts = List.of("the cat", "Q: 5+5=", "a", "hello there, how are you", "I think that the");
            for (int i = 0; i < prompts.size(); i++) reqs.add(new GenerationRequest(lm.encodePrompt(prompts.get(i)), 40 + i));
            List<String> stop = List.of("e");
            GenerationConfig greedy = GenerationConfig.greedy(14).withSamples(3).withStop(stop);
            GenerationConfig engineDraw = new GenerationConfig(14, false, 1.0, 0, 1.0, 0L, false).withSamples(3).withStop(stop);
            GenerationConfig cooled = new GenerationConfig(14, false, 0.8, 0, 1.0, 0L, false).withSamples(3).withStop(stop);
            GenerationConfig hostDraw = new GenerationConfig(14, false, 1.2, 0, 0.9, 0L, false).withSamples(3).withStop(stop);
            double saved = BatchGeneration.forwardOverhead;
            int early = 0, full = 0;
            try {
                for (GenerationConfig cfg : List.of(greedy, engineDraw, cooled, hostDraw)) {
                    List<List<Completion>> composite = composite(lm, reqs, cfg);
                    BatchGeneration.forwardOverhead = 0; // one padded prefill batch
                    List<List<Completion>> one = lm.complete(reqs, cfg);
                    BatchGeneration.forwardOverhead = 1; // a prefill group per distinct length
                    List<List<Completion>> grouped = lm.complete(reqs, cfg.withMaxBatch(7)); // and waves of 7 rows
                    BatchGeneration.forwardOverhead = saved;
                    for (int i = 0; i < reqs.size(); i++) {
                        for (int k = 0; k < 3; k++) {
                            Completion want = composite.get(i).get(k);
                            for (Completion got : List.of(one.get(i).get(k), grouped.get(i).get(k))) {
                                String at = arch + " " + cfg + " prompt " + i + " sample " + k;
                                assertArrayEquals(want.tokenIds(), got.tokenIds(), at);
                                assertArrayEquals(want.logps(), got.logps(), 1e-5, at);
                                assertEquals(want.finishReason(), got.finishReason(), at);
                            }
                            if (want.finishReason() == Completion.FinishReason.STOP) early++;
                            else full++;
                        }
                    }
                }
            } finally {
                BatchGeneration.forwardOverhead = saved;
            }
            assertTrue(early > 0 && full > 0, arch + ": rows left early (" + early + ") and others ran on (" + full + ")");
        }
    }

    /**
     * Configurations no fixture has, on random weights with random biases and norm weights: one key/value head for four
     * query heads and a head width apart from d/H, biases on q/k/v/o and the MLP, tied head, linear rotary scaling
     * (Llama); dynamic scaling within the original positions and a sliding window wider than the wave (Qwen2);
     * Mistral's window likewise. Rows leave at any of ten eos ids; one prompt of 130 tokens (the prefill's tiled
     * attention kernel, from 128).
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "mistral"})
    void unusualShapesGiveTheCompositePathsNumbers(String kind) {
        com.fasterxml.jackson.databind.node.ObjectNode c = dev.prefer.data.Json.MAPPER.createObjectNode();
        c.put("model_type", kind);
        c.put("vocab_size", 97);
        c.put("hidden_size", 32);
        c.put("intermediate_size", 40);
        c.put("num_hidden_layers", 2);
        c.put("num_attention_heads", 4);
        c.put("max_position_embeddings", 256);
        c.put("rms_norm_eps", 1e-6);
        c.put("bos_token_id", 0);
        c.put("pad_token_id", 0);
        var eos = c.putArray("eos_token_id");
        for (int i = 1; i <= 10; i++) eos.add(i);
        switch (kind) {
            case "llama" -> {
                c.put("num_key_value_heads", 1);
                c.put("head_dim", 16);
                c.put("attention_bias", true);
                c.put("mlp_bias", true);
                c.put("tie_word_embeddings", true);
                c.putObject("rope_scaling").put("rope_type", "linear").put("factor", 2.0);
            }
            case "qwen2" -> {
                c.put("num_key_value_heads", 2);
                c.put("use_sliding_window", true);
                c.put("sliding_window", 200);
                c.put("max_window_layers", 1);
                c.putObject("rope_scaling").put("rope_type", "dynamic").put("factor", 2.0);
            }
            default -> {
                c.put("num_key_value_heads", 2);
                c.put("sliding_window", 200);
            }
        }
        ModelConfig config = ModelConfig.parse(null, c);
        try (CausalLM lm = CausalLM.randomInit(config, 3, Precision.F32)) {
            java.util.Random rng = new java.util.Random(11);
            try (ai.djl.ndarray.NDManager m = lm.model().manager().newSubManager()) {
                for (var e : lm.model().parameters().entrySet()) {
                    if (e.getKey().endsWith(".bias") || e.getKey().endsWith("norm.weight")) {
                        e.getValue().addi(m.randomNormal(0, 0.3f, e.getValue().getShape(), ai.djl.ndarray.types.DataType.FLOAT32));
                    }
                }
            }
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long[] ids = new long[i < 4 ? 3 + 4 * i : 130]; // 130: the prefill's tiled attention kernel (>= 128 tokens)
                for (int j = 0; j < ids.length; j++) ids[j] = 11 + rng.nextInt(86);
                reqs.add(new GenerationRequest(ids, 7 + i));
            }
            assertTrue(DecodeScript.applies(lm.model(), 130 + 12), kind);
            if (!kind.equals("llama")) assertFalse(DecodeScript.applies(lm.model(), 201), kind + ": the window of 200 would slide");
            int early = 0;
            for (GenerationConfig cfg : List.of(GenerationConfig.greedy(12).withStopAtEos(true).withSamples(2),
                    new GenerationConfig(12, false, 1.0, 0, 1.0, 0L, true).withSamples(2),
                    new GenerationConfig(12, false, 0.9, 20, 1.0, 0L, true).withSamples(2))) {
                List<List<Completion>> want = composite(lm, reqs, cfg), got = lm.complete(reqs, cfg);
                for (int i = 0; i < reqs.size(); i++) {
                    for (int k = 0; k < 2; k++) {
                        String at = kind + " " + cfg + " prompt " + i + " sample " + k;
                        assertArrayEquals(want.get(i).get(k).tokenIds(), got.get(i).get(k).tokenIds(), at);
                        assertArrayEquals(want.get(i).get(k).logps(), got.get(i).get(k).logps(), 1e-5, at);
                        if (want.get(i).get(k).finishReason() == Completion.FinishReason.EOS) early++;
                    }
                }
            }
            assertTrue(early > 0, kind + ": some rows left at an eos");
        }
    }

    private static List<List<Completion>> composite(CausalLM lm, List<GenerationRequest> reqs, GenerationConfig cfg) {
        boolean was = DecodeScript.enabled;
        DecodeScript.enabled = false;
        try {
            assertFalse(DecodeScript.applies(lm.model()));
            return lm.complete(reqs, cfg);
        } finally {
            DecodeScript.enabled = was;
        }
    }

    /** Which configurations the script serves: exactly the Llama, Qwen2 and Mistral layouts without a live window. */
    @Test
    void appliesToTheLlamaLayoutOnly(@TempDir Path tmp) {
        for (String served : new String[] {"llama-llama3", "llama-yarn-tied", "mistral-tied"}) {
            try (CausalLM lm = CausalLM.load(FamilyReferenceTest.folder(served, tmp))) {
                assertTrue(DecodeScript.applies(lm.model()), served);
            }
        }
        // Qwen3's q/k norms, SmolLM3's layers without rotary positions, Gemma, Phi-3, LFM2: the composite path
        for (String not : new String[] {"qwen3-gqa", "smollm3-gqa", "gemma2-gqa", "phi3-gqa", "lfm2-gqa"}) {
            try (CausalLM lm = CausalLM.load(FamilyReferenceTest.folder(not, tmp))) {
                assertFalse(DecodeScript.applies(lm.model()), not);
            }
        }
        // Mistral with a window of 6: served for waves of at most 6 slots only (no key leaves the window)
        try (CausalLM lm = CausalLM.load(FamilyReferenceTest.folder("mistral-gqa", tmp))) {
            assertEquals(6, lm.config().layout().slidingWindow());
            assertTrue(DecodeScript.applies(lm.model(), 6));
            assertFalse(DecodeScript.applies(lm.model(), 7));
            assertFalse(DecodeScript.applies(lm.model()));
        }
    }
}
