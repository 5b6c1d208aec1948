package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.PromptResponse;
import dev.prefer.lm.SequenceLogps;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** LoRA: PEFT layout and names, save/load round trip, merged model = base + adapter, merge formula by hand. */
class LoraTest {
    static final List<PromptResponse> PAIRS = List.of(new PromptResponse("Q: 12+7=", " 19"), new PromptResponse("hello", " world world"));

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void mergedModelGivesBasePlusAdapterLogps(String arch, @TempDir Path tmp) throws Exception {
        Path base = Fixtures.hfTiny(arch, "policy");
        List<SequenceLogps> withAdapter;
        String module;
        float[] w0;
        HostTensor a, b;
        TrainConfig.LoraConfig cfg = new TrainConfig.LoraConfig(4, 8, 0, List.of(), true);
        try (CausalLM lm = CausalLM.load(base)) {
            List<SequenceLogps> plain = lm.logps(PAIRS);
            Lora lora = Lora.create(lm, cfg, 3);
            // B starts at zero (PEFT init): the adapter changes nothing yet
            List<SequenceLogps> zero = lm.logps(PAIRS);
            for (int i = 0; i < PAIRS.size(); i++) assertEquals(plain.get(i).sum(), zero.get(i).sum(), 0.0);
            randomize(lora, 11);
            withAdapter = lm.logps(PAIRS);
            assertTrue(Math.abs(withAdapter.get(0).sum() - plain.get(0).sum()) > 1e-3, "adapter has no effect");
            lora.save(tmp.resolve("adapter"), base);
            module = lora.modules().get(0);
            w0 = lm.parameters().get(module + ".weight").toFloatArray();
            lora.close();
        }
        // PEFT layout and tensor names
        JsonNode c = Json.MAPPER.readTree(tmp.resolve("adapter/adapter_config.json").toFile());
        assertEquals("LORA", c.get("peft_type").asText());
        assertEquals(4, c.get("r").asInt());
        Map<String, HostTensor> t = SafeTensors.read(tmp.resolve("adapter/adapter_model.safetensors"));
        String expectedA = arch.equals("llama") ? "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"
                : "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight";
        assertTrue(t.containsKey(expectedA), t.keySet().toString());
        assertTrue(t.containsKey(expectedA.replace("lora_A", "lora_B")));
        a = t.get(Lora.pefName(module, "A"));
        b = t.get(Lora.pefName(module, "B"));
        // reload onto a fresh base: same log-probs; merge: same log-probs without the hook
        try (CausalLM lm = CausalLM.load(base)) {
            Lora lora = Lora.load(lm, tmp.resolve("adapter"));
            List<SequenceLogps> reloaded = lm.logps(PAIRS);
            for (int i = 0; i < PAIRS.size(); i++) assertEquals(withAdapter.get(i).sum(), reloaded.get(i).sum(), 1e-6);
            lora.mergeInto(lm);
            List<SequenceLogps> merged = lm.logps(PAIRS);
            for (int i = 0; i < PAIRS.size(); i++) assertEquals(withAdapter.get(i).sum(), merged.get(i).sum(), 1e-4);
            // W' = W + (alpha/r) B A by hand (transposed for GPT-2's (in, out) Conv1D)
            float[] w1 = lm.parameters().get(module + ".weight").toFloatArray();
            int r = 4;
            int out = (int) b.shape()[0], in = (int) a.shape()[1];
            for (int o = 0; o < out; o += 7) {
                for (int i = 0; i < in; i += 5) {
                    double d = 0;
                    for (int k = 0; k < r; k++) d += b.data()[o * r + k] * (double) a.data()[k * in + i];
                    int at = arch.equals("gpt2") ? i * out + o : o * in + i;
                    assertEquals(w0[at] + 2.0 * d, w1[at], 1e-5);
                }
            }
            lora.close();
        }
    }

    /**
     * Sampling from a LoRA policy (the scripted step on merged copies W + s·B·A, prefer-lm MergedWeights) gives the
     * log-probs of the training pass (the unmerged adapters' hook) for the sampled tokens: Lora's delta exposes A, B
     * and s in the layout the merge expects (GPT-2's Conv1D transposed). A wrong scale or layout moves them by far
     * more than the tolerance (the adapter moves them by more than 1e-3: checked above).
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void sampledLogpsAreTheTrainingPassLogps(String arch) {
        try (CausalLM lm = CausalLM.load(Fixtures.hfTiny(arch, "policy"))) {
            Lora lora = Lora.create(lm, new TrainConfig.LoraConfig(4, 8, 0.1, List.of(), true), 5);
            randomize(lora, 13);
            lora.setTraining(false, () -> 0L); // as the online trainer before sampling
            List<dev.prefer.lm.GenerationRequest> reqs = List.of(new dev.prefer.lm.GenerationRequest(lm.encodePrompt("Q: 12+7="), 1),
                    new dev.prefer.lm.GenerationRequest(lm.encodePrompt("hello"), 2));
            List<List<dev.prefer.lm.Completion>> out = lm.complete(reqs,
                    new dev.prefer.lm.GenerationConfig(10, false, 1.0, 0, 1.0, 0L, false).withSamples(2));
            List<dev.prefer.lm.TokenizedSequence> seqs = new java.util.ArrayList<>();
            List<double[]> sampled = new java.util.ArrayList<>();
            for (List<dev.prefer.lm.Completion> k : out) {
                for (dev.prefer.lm.Completion c : k) {
                    seqs.add(new dev.prefer.lm.TokenizedSequence(c.promptIds(), c.tokenIds()));
                    double[] lp = new double[c.logps().length];
                    for (int i = 0; i < lp.length; i++) lp[i] = c.logps()[i];
                    sampled.add(lp);
                }
            }
            List<SequenceLogps> scored = lm.logpsOfIds(seqs, 4);
            for (int i = 0; i < seqs.size(); i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(scored.get(i).tokenLogps(), sampled.get(i), 1e-4, arch + " sequence " + i);
            }
            lora.close();
        }
    }

    static void randomize(Lora lora, long seed) {
        Random rng = new Random(seed);
        boolean g = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        for (Map.Entry<String, NDArray> e : lora.parameters().entrySet()) {
            if (!e.getKey().contains("lora_B")) continue;
            NDArray p = e.getValue();
            float[] v = new float[(int) p.size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) (0.2 * rng.nextGaussian());
            try (NDArray x = p.getManager().create(v, p.getShape())) {
                p.addi(x);
            }
        }
        JniUtils.setGradMode(g);
    }
}
