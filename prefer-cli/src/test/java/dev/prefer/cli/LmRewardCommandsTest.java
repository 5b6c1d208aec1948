package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train reward --backbone DIR} (full and LoRA), then {@code score} and {@code eval reward} on its output; bad combinations exit 2. */
class LmRewardCommandsTest {
    static final Path SHARED = Path.of(System.getProperty("prefer.shared"));
    static final Path RM = SHARED.resolve("fixtures/hf-tiny-rm/llama-rm");
    static final Path PAIRS = SHARED.resolve("fixtures/hf-tiny/pairs.jsonl");

    @Test
    void trainFullThenScoreAndEval(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("rm");
        String t = RewardCommandsTest.run(0, "train", "reward", "--backbone", RM.toString(), "--data", PAIRS.toString(), "--out", out.toString(),
                "--lr", "1e-3", "--batch-size", "10", "--max-steps", "8", "--validation-fraction", "0", "--schedule", "CONSTANT");
        assertTrue(t.contains("saved " + out), t);
        JsonNode cfg = Json.readObject(out.resolve("config.json"));
        assertEquals("LlamaForSequenceClassification", cfg.get("architectures").get(0).asText());
        assertTrue(Files.exists(out.resolve("model.safetensors")) && Files.exists(out.resolve("tokenizer.json")) && Files.exists(out.resolve("manifest.json")));
        List<String> m = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(8, m.size());
        // the 9 pairs whose responses differ (row 6 has chosen == rejected, which no model ranks) are all learnt
        List<String> nine = new java.util.ArrayList<>(Files.readAllLines(PAIRS));
        nine.remove(5);
        Path data9 = dir.resolve("pairs9.jsonl");
        Files.write(data9, nine);
        String e = RewardCommandsTest.run(0, "eval", "reward", "--model", out.toString(), "--data", data9.toString(), "--json");
        JsonNode metrics = Json.MAPPER.readTree(e.substring(e.indexOf('{')));
        assertEquals(9, metrics.get("pairs").asInt());
        assertEquals(1.0, metrics.get("accuracy").asDouble(), 1e-12);
        Path scored = dir.resolve("scored.jsonl");
        RewardCommandsTest.run(0, "score", "--model", out.toString(), "--data", PAIRS.toString(), "--out", scored.toString());
        List<String> rows = Files.readAllLines(scored);
        assertEquals(10, rows.size());
        JsonNode r0 = Json.MAPPER.readTree(rows.get(0));
        double rc = r0.get("reward_chosen").asDouble(), rr = r0.get("reward_rejected").asDouble();
        assertEquals(1 / (1 + Math.exp(-(rc - rr))), r0.get("p_chosen").asDouble(), 1e-12);
        assertTrue(Files.exists(dir.resolve("scored.jsonl.manifest.json")));
    }

    @Test
    void trainLoraThenScoreTheAdapter(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("rm-lora");
        RewardCommandsTest.run(0, "train", "reward", "--backbone", RM.toString(), "--data", PAIRS.toString(), "--out", out.toString(),
                "--lora", "--lora-rank", "4", "--lr", "1e-2", "--batch-size", "8", "--max-steps", "3", "--validation-fraction", "0.2");
        assertEquals("SEQ_CLS", Json.readObject(out.resolve("adapter_config.json")).get("task_type").asText());
        List<String> nine = new java.util.ArrayList<>(Files.readAllLines(PAIRS));
        nine.remove(5); // chosen == rejected: a float-rounding tie
        Path data9 = dir.resolve("pairs9.jsonl");
        Files.write(data9, nine);
        String a = RewardCommandsTest.run(0, "eval", "reward", "--model", out.toString(), "--data", data9.toString(), "--json");
        String b = RewardCommandsTest.run(0, "eval", "reward", "--model", out.resolve("merged").toString(), "--data", data9.toString(), "--json");
        JsonNode ja = Json.MAPPER.readTree(a.substring(a.indexOf('{'))), jb = Json.MAPPER.readTree(b.substring(b.indexOf('{')));
        assertEquals(jb.get("accuracy").asDouble(), ja.get("accuracy").asDouble(), 1e-12);
        assertEquals(jb.get("logLikelihood").asDouble(), ja.get("logLikelihood").asDouble(), 1e-5);
    }

    @Test
    void badCombinationsExitWithOneLine(@TempDir Path dir) {
        String a = RewardCommandsTest.run(2, "train", "reward", "--backbone", "hash-64", "--lora", "--data", PAIRS.toString(), "--out", dir.resolve("x").toString());
        assertTrue(a.contains("--lora needs --backbone DIR"), a);
        String b = RewardCommandsTest.run(2, "train", "reward", "--backbone", RM.toString(), "--head", "pal", "--data", PAIRS.toString(), "--out", dir.resolve("y").toString());
        assertTrue(b.contains("--head pal"), b);
        String c = RewardCommandsTest.run(2, "score", "--model", RM.toString(), "--data", PAIRS.toString(), "--annotator", "alice");
        assertTrue(c.contains("no per-annotator parameters"), c);
        // one error line (the fixture's identical pair adds a counted warning line, which is not an error)
        assertEquals(1, c.strip().lines().filter(l -> !l.startsWith("prefer: warning: ")).count(), c);
        String d = RewardCommandsTest.run(2, "eval", "reward", "--model", SHARED.resolve("fixtures/hf-tiny/llama/policy").toString(), "--data", PAIRS.toString());
        assertTrue(d.contains("is a causal LM (LlamaForCausalLM), not a reward model"), d);
    }
}
