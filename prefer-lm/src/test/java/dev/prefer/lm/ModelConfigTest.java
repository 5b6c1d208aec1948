package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.lm.io.DType;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json parsing: both rope forms, defaults, and clear one-line errors. */
class ModelConfigTest {

    @Test
    void readsTheFixtureConfigs() {
        ModelConfig g = ModelConfig.read(Fixtures.model("gpt2", "policy").resolve("config.json"));
        assertEquals(Architecture.GPT2, g.architecture());
        assertEquals(256, g.intermediateSize()); // n_inner null -> 4 * n_embd
        assertTrue(g.tieWordEmbeddings());
        assertEquals("gelu_new", g.activation());
        ModelConfig l = ModelConfig.read(Fixtures.model("llama", "policy").resolve("config.json"));
        assertEquals(Architecture.LLAMA, l.architecture());
        assertEquals(2, l.numKvHeads());
        assertEquals(16, l.headDim());
        assertEquals(1e4, l.ropeTheta());
        assertFalse(l.tieWordEmbeddings());
        assertFalse(l.attentionBias());
        ModelConfig q = ModelConfig.read(Fixtures.model("qwen2", "policy").resolve("config.json"));
        assertEquals(Architecture.QWEN2, q.architecture());
        assertEquals(1e6, q.ropeTheta()); // from rope_parameters
        assertEquals(1e-6, q.normEps());
        assertTrue(q.attentionBias());
        assertFalse(q.outputBias());
        assertEquals(List.of(0), q.eosTokenIds());
        ModelConfig rm = ModelConfig.read(Fixtures.shared().resolve("fixtures/hf-tiny-rm/llama-rm/config.json"));
        assertEquals(ModelConfig.Head.SEQUENCE_CLASSIFICATION, rm.head());
        assertEquals(1, rm.numLabels());
    }

    @Test
    void topLevelRopeThetaAndMistral(@TempDir Path tmp) throws Exception {
        ObjectNode n = (ObjectNode) Json.MAPPER.readTree(Files.readString(Fixtures.model("llama", "policy").resolve("config.json")));
        n.remove("rope_parameters");
        n.put("rope_theta", 500000.0);
        n.putArray("architectures").add("MistralForCausalLM");
        n.put("model_type", "mistral");
        n.putArray("eos_token_id").add(2).add(3);
        Path f = tmp.resolve("config.json");
        Files.writeString(f, n.toString());
        ModelConfig c = ModelConfig.read(f);
        assertEquals(Architecture.MISTRAL, c.architecture());
        assertEquals(500000.0, c.ropeTheta());
        assertEquals(List.of(2, 3), c.eosTokenIds());
        assertEquals("MistralForCausalLM", c.toJson().get("architectures").get(0).asText());
    }

    @Test
    void badConfigsGiveOneLineErrorsNamingFileAndKey(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"architectures\":[\"BertForMaskedLM\"],\"model_type\":\"bert\"}");
        DataException e = assertThrows(DataException.class, () -> ModelConfig.read(f));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("BertForMaskedLM"), e.getMessage());
        Files.writeString(f, "{\"model_type\":\"llama\",\"hidden_size\":64,\"num_attention_heads\":4,\"num_hidden_layers\":2,\"intermediate_size\":8}");
        e = assertThrows(DataException.class, () -> ModelConfig.read(f));
        assertTrue(e.getMessage().contains("vocab_size") && e.getMessage().contains("missing"), e.getMessage());
        Files.writeString(f, "{\"model_type\":\"llama\",\"vocab_size\":10,\"hidden_size\":64,\"num_attention_heads\":4,\"num_key_value_heads\":3,"
                + "\"num_hidden_layers\":2,\"intermediate_size\":8}");
        e = assertThrows(DataException.class, () -> ModelConfig.read(f));
        assertTrue(e.getMessage().contains("num_key_value_heads"), e.getMessage());
        Files.writeString(f, "{\"model_type\":\"llama\",\"vocab_size\":10,\"hidden_size\":64,\"num_attention_heads\":4,"
                + "\"num_hidden_layers\":2,\"intermediate_size\":8,\"rope_parameters\":{\"rope_type\":\"longrope\",\"factor\":4}}");
        e = assertThrows(DataException.class, () -> ModelConfig.read(f));
        assertTrue(e.getMessage().contains("longrope"), e.getMessage());
        Files.writeString(f, "{not json");
        e = assertThrows(DataException.class, () -> ModelConfig.read(f));
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void missingOrMisshapenTensorIsAClearError(@TempDir Path tmp) throws Exception {
        Path src = Fixtures.model("llama", "policy");
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) Files.copy(src.resolve(f), tmp.resolve(f));
        LinkedHashMap<String, HostTensor> t = SafeTensors.read(src.resolve("model.safetensors"));
        t.remove("model.layers.1.mlp.up_proj.weight");
        SafeTensors.write(tmp.resolve("model.safetensors"), t, Map.of(), DType.F32);
        DataException e = assertThrows(DataException.class, () -> CausalLM.load(tmp));
        assertTrue(e.getMessage().contains("model.layers.1.mlp.up_proj.weight") && e.getMessage().contains("missing"), e.getMessage());
        t = SafeTensors.read(src.resolve("model.safetensors"));
        HostTensor n = t.get("model.norm.weight");
        t.put("model.norm.weight", new HostTensor(n.name(), n.storedAs(), new long[] {8, 8}, n.data()));
        SafeTensors.write(tmp.resolve("model.safetensors"), t, Map.of(), DType.F32);
        e = assertThrows(DataException.class, () -> CausalLM.load(tmp));
        assertTrue(e.getMessage().contains("model.norm.weight") && e.getMessage().contains("shape"), e.getMessage());
        DataException rm = assertThrows(DataException.class, () -> CausalLM.load(Fixtures.shared().resolve("fixtures/hf-tiny-rm/gpt2-rm")));
        assertTrue(rm.getMessage().contains("RewardModel"), rm.getMessage());
    }

    @Test
    void bf16AndF16CheckpointsAreWidened(@TempDir Path tmp) throws Exception {
        Path src = Fixtures.model("qwen2", "policy");
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) Files.copy(src.resolve(f), tmp.resolve(f));
        try (CausalLM lm = CausalLM.load(src)) {
            lm.save(tmp.resolve("bf16"), DType.BF16);
        }
        try (CausalLM lm = CausalLM.load(tmp.resolve("bf16"))) {
            assertEquals(DType.BF16, SafeTensors.read(tmp.resolve("bf16/model.safetensors")).get("model.norm.weight").storedAs());
            double s = lm.logps(List.of(new PromptResponse("the cat", " sat"))).get(0).sum();
            assertTrue(Double.isFinite(s));
        }
    }
}
