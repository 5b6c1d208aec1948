package dev.prefer.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rounds can be scored by any reward source: with {@code verifier:counting} as an explicit source the first
 * round's preference data are the ones the built-in verifier gives (the same samples, the same scores, the same pairs),
 * and a weighted sum of a verifier and a reward model (the hf-tiny-rm fixture) runs through the whole pipeline.
 */
class QuickstartRewardSourceTest {

    private static QuickstartConfig tiny(Path out) {
        return QuickstartTest.tiny(out).withObjectives(List.of("dpo")).withRounds(1, 8, 3).withSftControl(false);
    }

    @Test
    void aVerifierSourceGivesTheVerifiersPairsAndSumsRun(@TempDir Path tmp) throws Exception {
        Quickstart.run(tiny(tmp.resolve("verifier")), null);
        Quickstart.run(tiny(tmp.resolve("source")).withRewards(List.of("verifier:counting")), null);
        String a = Files.readString(tmp.resolve("verifier/dpo/round-1/data.jsonl"));
        String b = Files.readString(tmp.resolve("source/dpo/round-1/data.jsonl"));
        assertTrue(!a.isBlank(), "the round made no pairs");
        assertEquals(a, b);
        JsonNode m = Json.MAPPER.readTree(tmp.resolve("source/manifest.json").toFile());
        assertEquals("verifier:counting", m.path("config").path("rewards").get(0).asText(), m.toString());

        Path rm = Path.of(System.getProperty("prefer.shared")).resolve("fixtures/hf-tiny-rm/llama-rm");
        Quickstart.Result r = Quickstart.run(tiny(tmp.resolve("sum")).withRewards(List.of("0.5*verifier:counting", "0.5*model:" + rm)), null);
        assertEquals(1, r.runs().size());
        assertTrue(Files.isRegularFile(tmp.resolve("sum/dpo/model.safetensors")));
    }
}
