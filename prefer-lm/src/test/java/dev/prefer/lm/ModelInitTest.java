package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import dev.prefer.lm.tokenizer.BpeTokenizer;
import dev.prefer.lm.tokenizer.BpeTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fresh model folders (moved from prefer-eval's LlamaInitTest): names, shapes and statistics as transformers makes them. */
class ModelInitTest {

    static Path fixture() {
        return Fixtures.model("llama", "policy");
    }

    @Test
    void namesAndShapesEqualTheFixtureLlamas() {
        ModelConfig c = ModelConfig.read(fixture().resolve("config.json"));
        assertEquals(420, c.vocabSize());
        assertEquals(2, c.numKvHeads());
        assertEquals(10000.0, c.ropeTheta());
        Map<String, List<Long>> theirs = new TreeMap<>();
        for (SafeTensors.Entry e : SafeTensors.readHeader(fixture().resolve("model.safetensors")).entries()) {
            theirs.put(e.name(), Arrays.stream(e.shape()).boxed().toList());
        }
        Map<String, List<Long>> ours = new TreeMap<>();
        long params = 0;
        for (HostTensor t : ModelInit.tensors(c, 0).values()) {
            ours.put(t.name(), Arrays.stream(t.shape()).boxed().toList());
            params += t.numel();
        }
        assertEquals(theirs, ours);
        assertEquals(params, ModelInit.parameterCount(c));
    }

    @Test
    void configJsonHasTheFixturesKeysAndValues() throws Exception {
        JsonNode theirs = Json.MAPPER.readTree(fixture().resolve("config.json").toFile());
        JsonNode ours = ModelConfig.llama(420, 64, 176, 2, 4, 2, 128).toJson();
        for (Iterator<String> it = theirs.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.equals("transformers_version")) continue;
            assertTrue(ours.has(k), "missing key " + k);
            JsonNode a = theirs.get(k), b = ours.get(k);
            if (k.equals("initializer_range")) continue; // the fixture was made with 0.2, ModelConfig.llama uses 0.02
            if (a.isNumber()) assertEquals(a.asDouble(), b.asDouble(), 0.0, k);
            else assertEquals(a, b, k);
        }
        // Extra keys beyond the fixture: only the transformers-4 rope_theta.
        for (Iterator<String> it = ours.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            assertTrue(theirs.has(k) || k.equals("rope_theta"), "unexpected key " + k);
        }
    }

    @Test
    void initialisationStatisticsMatchTransformers() throws Exception {
        // The fixture (made by transformers) has std = initializer_range = 0.2, a zero padding row and unit norms.
        ModelConfig c = ModelConfig.read(fixture().resolve("config.json"));
        Map<String, HostTensor> t = ModelInit.tensors(c, 42);
        for (String name : List.of("model.embed_tokens.weight", "model.layers.1.mlp.down_proj.weight", "lm_head.weight")) {
            float[] x = t.get(name).data();
            double mean = 0, sq = 0;
            int n = 0;
            int from = name.startsWith("model.embed") ? c.hiddenSize() : 0; // skip the zero pad row
            for (int i = from; i < x.length; i++, n++) {
                mean += x[i];
                sq += (double) x[i] * x[i];
            }
            mean /= n;
            double sd = Math.sqrt(sq / n - mean * mean);
            assertEquals(0.0, mean, 4 * 0.2 / Math.sqrt(n), name);
            assertEquals(0.2, sd, 0.2 * 5 / Math.sqrt(n) + 1e-3, name);
        }
        float[] embed = t.get("model.embed_tokens.weight").data();
        for (int i = 0; i < c.hiddenSize(); i++) assertEquals(0f, embed[i], "pad row");
        for (float v : t.get("model.norm.weight").data()) assertEquals(1f, v);
        // Deterministic per seed; another seed differs; a tensor does not depend on the layer count.
        assertArrayEquals(embed, ModelInit.tensors(c, 42).get("model.embed_tokens.weight").data());
        assertFalse(Arrays.equals(embed, ModelInit.tensors(c, 43).get("model.embed_tokens.weight").data()));
        com.fasterxml.jackson.databind.node.ObjectNode one = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(
                Files.readString(fixture().resolve("config.json")));
        one.put("num_hidden_layers", 1);
        ModelConfig oneLayer = ModelConfig.parse(null, one);
        assertArrayEquals(t.get("model.layers.0.self_attn.q_proj.weight").data(),
                ModelInit.tensors(oneLayer, 42).get("model.layers.0.self_attn.q_proj.weight").data());
    }

    @Test
    void tiedHeadHasNoLmHead() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode n = ModelConfig.llama(300, 32, 64, 1, 4, 4, 64).toJson();
        n.put("tie_word_embeddings", true);
        ModelConfig tied = ModelConfig.parse(null, n);
        assertFalse(ModelInit.tensors(tied, 0).containsKey("lm_head.weight"));
        assertEquals(300L * 32 + (32L * 32 * 4 + 3L * 32 * 64 + 2 * 32) + 32, ModelInit.parameterCount(tied));
    }

    @Test
    void everyFamilyGetsItsWeights() {
        for (String name : FamilyReferenceTest.CASES) {
            ModelConfig c = ModelConfig.read(Path.of("src/test/resources/families").resolve(name).resolve("config.json"));
            Map<String, HostTensor> t = ModelInit.tensors(c, 1);
            assertEquals(Transformer.expectedShapes(c).keySet(), t.keySet(), name);
        }
    }

    @Test
    void writesALoadableFolder(@TempDir Path dir) throws Exception {
        BpeTokenizer tok = BpeTrainer.of(300).train(List.of("12+35=47", "count 3 to 11 by 2:3 5 7 9 11", "Write about ocean; 4 words"));
        ModelConfig c = ModelConfig.llama(tok.vocabSize(), 64, 128, 2, 4, 2, 64);
        Path out = ModelInit.write(dir.resolve("model"), c, tok, 7);
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "manifest.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        try (var s = Files.list(dir)) {
            assertEquals(List.of(out), s.toList(), "no temporary folder left behind");
        }
        LinkedHashMap<String, HostTensor> back = SafeTensors.read(out.resolve("model.safetensors"));
        assertEquals(ModelInit.tensors(c, 7), back);
        assertEquals(c.toJson(), ModelConfig.read(out.resolve("config.json")).toJson());
        try (CausalLM lm = CausalLM.load(out)) {
            assertEquals(ModelInit.parameterCount(c), lm.model().parameterCount());
        }
        assertArrayEquals(tok.encode("12+35="), BpeTokenizer.load(out.resolve("tokenizer.json")).encode("12+35="));
        JsonNode manifest = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
        assertEquals("init-llama", manifest.get("kind").asText());
        assertEquals(7, manifest.get("seed").asInt());
        assertEquals(ModelInit.parameterCount(c), manifest.get("config").get("parameters").asLong());

        IllegalArgumentException exists = assertThrows(IllegalArgumentException.class, () -> ModelInit.write(out, c, tok, 7));
        assertTrue(exists.getMessage().contains("not empty"));
        ModelConfig tooSmall = ModelConfig.llama(100, 64, 128, 2, 4, 2, 64);
        assertThrows(IllegalArgumentException.class, () -> ModelInit.write(dir.resolve("m2"), tooSmall, tok, 7));
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.llama(300, 64, 128, 2, 4, 3, 64), "3 kv heads do not divide 4");
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.llama(300, 64, 128, 2, 5, 5, 64), "5 heads do not divide 64");
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.llama(0, 64, 128, 2, 4, 2, 64), "no vocabulary");
    }
}
