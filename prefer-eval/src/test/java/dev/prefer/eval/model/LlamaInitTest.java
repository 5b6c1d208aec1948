package dev.prefer.eval.model;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.eval.tokenizer.BpeTokenizer;
import dev.prefer.eval.tokenizer.BpeTrainer;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
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

class LlamaInitTest {

    static Path fixture() {
        String s = System.getProperty("prefer.shared");
        assertNotNull(s, "system property prefer.shared is not set (surefire sets it)");
        Path p = Path.of(s, "fixtures/hf-tiny/llama/policy");
        assertTrue(Files.isDirectory(p), "missing fixture " + p);
        return p;
    }

    @Test
    void namesAndShapesEqualTheFixtureLlamas() {
        LlamaConfig c = LlamaConfig.read(fixture().resolve("config.json"));
        assertEquals(420, c.vocabSize());
        assertEquals(2, c.numKeyValueHeads());
        assertEquals(10000.0, c.ropeTheta());
        Map<String, List<Long>> theirs = new TreeMap<>();
        for (SafeTensors.Entry e : SafeTensors.readHeader(fixture().resolve("model.safetensors")).entries()) {
            theirs.put(e.name(), Arrays.stream(e.shape()).boxed().toList());
        }
        Map<String, List<Long>> ours = new TreeMap<>();
        long params = 0;
        for (HostTensor t : LlamaInit.tensors(c, 0).values()) {
            ours.put(t.name(), Arrays.stream(t.shape()).boxed().toList());
            params += t.numel();
        }
        assertEquals(theirs, ours);
        assertEquals(params, c.parameterCount());
    }

    @Test
    void configJsonHasTheFixturesKeysAndValues() throws Exception {
        JsonNode theirs = Json.MAPPER.readTree(fixture().resolve("config.json").toFile());
        JsonNode ours = Json.MAPPER.valueToTree(LlamaConfig.read(fixture().resolve("config.json")).toConfigJson());
        for (Iterator<String> it = theirs.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.equals("transformers_version")) continue;
            assertTrue(ours.has(k), "missing key " + k);
            JsonNode a = theirs.get(k), b = ours.get(k);
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
    void initialisationStatisticsMatchTransformers() {
        // The fixture (made by transformers) has std = initializer_range = 0.2, a zero padding row and unit norms.
        LlamaConfig c = LlamaConfig.read(fixture().resolve("config.json"));
        Map<String, HostTensor> t = LlamaInit.tensors(c, 42);
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
        assertArrayEquals(embed, LlamaInit.tensors(c, 42).get("model.embed_tokens.weight").data());
        assertFalse(Arrays.equals(embed, LlamaInit.tensors(c, 43).get("model.embed_tokens.weight").data()));
        LlamaConfig oneLayer = new LlamaConfig(c.vocabSize(), c.hiddenSize(), c.intermediateSize(), 1, c.numAttentionHeads(),
                c.numKeyValueHeads(), c.headDim(), c.maxPositionEmbeddings(), c.rmsNormEps(), c.ropeTheta(), c.tieWordEmbeddings(),
                c.initializerRange(), c.bosTokenId(), c.eosTokenId(), c.padTokenId());
        assertArrayEquals(t.get("model.layers.0.self_attn.q_proj.weight").data(),
                LlamaInit.tensors(oneLayer, 42).get("model.layers.0.self_attn.q_proj.weight").data());
    }

    @Test
    void tiedHeadHasNoLmHead() {
        LlamaConfig tied = new LlamaConfig(300, 32, 64, 1, 4, 4, 8, 64, 1e-5, 1e4, true, 0.02, 0, 0, 0);
        assertFalse(LlamaInit.tensors(tied, 0).containsKey("lm_head.weight"));
        assertEquals(300L * 32 + (32L * 32 * 4 + 3L * 32 * 64 + 2 * 32) + 32, tied.parameterCount());
    }

    @Test
    void writesALoadableFolder(@TempDir Path dir) throws Exception {
        BpeTokenizer tok = BpeTrainer.of(300).train(List.of("12+35=47", "count 3 to 11 by 2:3 5 7 9 11", "Write about ocean; 4 words"));
        LlamaConfig c = LlamaConfig.small(tok.vocabSize(), 64, 128, 2, 4, 2, 64);
        Path out = LlamaInit.write(dir.resolve("model"), c, tok, 7);
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "manifest.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        try (var s = Files.list(dir)) {
            assertEquals(List.of(out), s.toList(), "no temporary folder left behind");
        }
        LinkedHashMap<String, HostTensor> back = SafeTensors.read(out.resolve("model.safetensors"));
        assertEquals(LlamaInit.tensors(c, 7), back);
        assertEquals(c, LlamaConfig.read(out.resolve("config.json")));
        assertArrayEquals(tok.encode("12+35="), BpeTokenizer.load(out.resolve("tokenizer.json")).encode("12+35="));
        JsonNode manifest = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
        assertEquals("init-llama", manifest.get("kind").asText());
        assertEquals(7, manifest.get("seed").asInt());
        assertEquals(c.parameterCount(), manifest.get("config").get("parameters").asLong());

        IllegalArgumentException exists = assertThrows(IllegalArgumentException.class, () -> LlamaInit.write(out, c, tok, 7));
        assertTrue(exists.getMessage().contains("not empty"));
        LlamaConfig tooSmall = LlamaConfig.small(100, 64, 128, 2, 4, 2, 64);
        assertThrows(IllegalArgumentException.class, () -> LlamaInit.write(dir.resolve("m2"), tooSmall, tok, 7));
    }

    @Test
    void validationAndBadConfigFiles(@TempDir Path dir) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> LlamaConfig.small(300, 64, 128, 2, 4, 3, 64), "3 kv heads do not divide 4");
        assertThrows(IllegalArgumentException.class, () -> LlamaConfig.small(300, 64, 128, 2, 5, 5, 64), "5 heads do not divide 64");
        assertThrows(IllegalArgumentException.class, () -> new LlamaConfig(300, 64, 128, 2, 4, 2, 16, 64, 1e-5, 1e4, false, 0.02, 0, 300, 0));
        Files.writeString(dir.resolve("gpt2.json"), "{\"model_type\": \"gpt2\"}");
        DataException e = assertThrows(DataException.class, () -> LlamaConfig.read(dir.resolve("gpt2.json")));
        assertEquals("model_type", e.field());
        Files.writeString(dir.resolve("nohidden.json"), "{\"model_type\": \"llama\", \"num_attention_heads\": 4}");
        assertEquals("hidden_size", assertThrows(DataException.class, () -> LlamaConfig.read(dir.resolve("nohidden.json"))).field());
        // Several eos ids (as in Llama 3 configs): the first one; a null pad id: the default 0.
        Files.writeString(dir.resolve("eoslist.json"), "{\"model_type\": \"llama\", \"vocab_size\": 300, \"hidden_size\": 64, \"intermediate_size\": 128,"
                + " \"num_hidden_layers\": 1, \"num_attention_heads\": 4, \"eos_token_id\": [7, 9], \"bos_token_id\": 1, \"pad_token_id\": null}");
        LlamaConfig multi = LlamaConfig.read(dir.resolve("eoslist.json"));
        assertEquals(7, multi.eosTokenId());
        assertEquals(0, multi.padTokenId());
        assertEquals(16, multi.headDim());
    }
}
