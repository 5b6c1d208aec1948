package dev.prefer.eval;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Hashes;
import dev.prefer.data.Json;
import dev.prefer.core.stats.Bootstrap;
import dev.prefer.lm.ModelConfig;
import dev.prefer.lm.ModelInit;
import dev.prefer.eval.tasks.ArithmeticTask;
import dev.prefer.lm.tokenizer.BpeTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSetupTest {
    static RunSetup.Config small(String task, long seed) {
        return new RunSetup.Config(task, 300, 30, 2, 320, 32, 64, 2, 4, 2, 128, seed);
    }

    @Test
    void preparesDataTokenizerAndModelDeterministically(@TempDir Path dir) throws Exception {
        RunSetup.Result r = RunSetup.prepare(small("arithmetic", 5), dir.resolve("a"));
        assertEquals(300, r.trainCount());
        assertEquals(30, r.heldOutCount());
        assertEquals(60, r.heldOutPairs());
        assertTrue(r.longestSequence() <= 128);
        List<String> sft = Files.readAllLines(r.dataDir().resolve("sft.jsonl"));
        assertEquals(300, sft.size());
        Set<String> trainPrompts = new HashSet<>();
        ArithmeticTask task = ArithmeticTask.defaults();
        for (String line : sft) {
            JsonNode row = Json.MAPPER.readTree(line);
            trainPrompts.add(row.get("prompt").asText());
            assertTrue(task.verify(row.get("prompt").asText(), row.get("completion").asText()).pass());
        }
        for (String line : Files.readAllLines(r.dataDir().resolve("heldout.jsonl"))) {
            assertFalse(trainPrompts.contains(Json.MAPPER.readTree(line).get("prompt").asText()), "held-out prompt in training data");
        }
        for (String line : Files.readAllLines(r.dataDir().resolve("heldout-pairs.jsonl"))) {
            JsonNode row = Json.MAPPER.readTree(line);
            assertTrue(task.verify(row.get("prompt").asText(), row.get("chosen").asText()).pass());
            assertFalse(task.verify(row.get("prompt").asText(), row.get("rejected").asText()).pass());
        }
        ModelConfig mc = ModelConfig.read(r.modelDir().resolve("config.json"));
        BpeTokenizer tok = BpeTokenizer.load(r.modelDir().resolve("tokenizer.json"));
        assertEquals(tok.vocabSize(), mc.vocabSize());
        assertEquals(ModelInit.parameterCount(mc), r.parameters());
        JsonNode manifest = Json.MAPPER.readTree(dir.resolve("a/manifest.json").toFile());
        assertEquals("sha256:" + Hashes.sha256(r.dataDir().resolve("sft.jsonl")), manifest.get("inputs").get("data/sft.jsonl").asText());

        // Same seed: byte-identical data and model; the manifest differs only in its creation time.
        RunSetup.prepare(small("arithmetic", 5), dir.resolve("b"));
        JsonNode manifestB = Json.MAPPER.readTree(dir.resolve("b/manifest.json").toFile());
        assertEquals(manifest.get("inputs"), manifestB.get("inputs"));
        assertEquals(manifest.get("config"), manifestB.get("config"));
        assertEquals(Hashes.sha256(dir.resolve("a/data")), Hashes.sha256(dir.resolve("b/data")));
        assertEquals(Hashes.sha256(dir.resolve("a/model-init/model.safetensors")), Hashes.sha256(dir.resolve("b/model-init/model.safetensors")));
        assertEquals(Hashes.sha256(dir.resolve("a/model-init/tokenizer.json")), Hashes.sha256(dir.resolve("b/model-init/tokenizer.json")));

        assertThrows(IllegalArgumentException.class, () -> RunSetup.prepare(small("arithmetic", 5), dir.resolve("a")), "not empty");
    }

    @Test
    void everyTaskPreparesAndTooShortContextsAreRefused(@TempDir Path dir) {
        for (String t : List.of("format", "counting")) {
            RunSetup.Result r = RunSetup.prepare(small(t, 1), dir.resolve(t));
            assertEquals(300, r.trainCount());
        }
        RunSetup.Config tiny = new RunSetup.Config("format", 50, 10, 1, 300, 32, 64, 1, 4, 2, 4, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunSetup.prepare(tiny, dir.resolve("x")));
        assertTrue(e.getMessage().contains("raise maxPositions"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunSetup.Config.defaults("chess", 0));
    }

    @Test
    void verifiesAResponsesFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("responses.jsonl");
        Files.writeString(f, String.join("\n",
                "{\"prompt\": \"12+35=\", \"response\": \"47\"}",
                "{\"prompt\": \"1+1=\", \"response\": \"2\"}",
                "{\"prompt\": \"9+9=\", \"completion\": \"18\"}",
                "{\"prompt\": \"50+50=\", \"response\": \"1000\"}") + "\n");
        VerifyResponses.Summary s = VerifyResponses.verify("arithmetic", f, Bootstrap.defaults());
        assertEquals(4, s.n());
        assertEquals(0.75, s.accuracy().value());
        assertEquals(0.75, s.wilson().value());
        assertEquals(0.75, s.components().get("correct"));
        assertEquals((2 + 1 + 2 + 4) / 4.0, s.lengths().mean());

        Files.writeString(f, "{\"prompt\": \"12+35=\", \"response\": \"47\"}\n{\"prompt\": \"twelve plus one\", \"response\": \"13\"}\n");
        DataException e = assertThrows(DataException.class, () -> VerifyResponses.verify("arithmetic", f, Bootstrap.defaults()));
        assertEquals(2, e.line());
        assertEquals("prompt", e.field());
        Files.writeString(f, "{\"prompt\": \"12+35=\"}\n");
        assertEquals("completion", assertThrows(DataException.class, () -> VerifyResponses.verify("arithmetic", f, Bootstrap.defaults())).field());
    }
}
