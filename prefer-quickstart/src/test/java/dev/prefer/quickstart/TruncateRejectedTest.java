package dev.prefer.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.eval.tasks.ArithmeticTask;
import dev.prefer.eval.tasks.PairBuilder;
import dev.prefer.eval.tasks.ScoredResponses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --truncate-rejected}: the rejected response keeps its first character that differs from the chosen one. */
class TruncateRejectedTest {

    @Test
    void cutsAfterTheFirstDifferingCharacter() {
        assertEquals("7", Quickstart.untilDivergence("85", "75"), "differs at once");
        assertEquals("12", Quickstart.untilDivergence("115", "125"), "shared prefix kept, first wrong digit kept");
        assertEquals("8", Quickstart.untilDivergence("85", "8"), "ends first: all of it");
        assertEquals("1155", Quickstart.untilDivergence("115", "1155"), "goes on where the chosen one ends: one character more");
        assertEquals("8x", Quickstart.untilDivergence("85", "8x9"));
        assertEquals("", Quickstart.untilDivergence("85", ""));
    }

    @Test
    void writesCutRejectedResponsesAndLeavesChosenOnes(@TempDir Path tmp) throws Exception {
        ArithmeticTask task = ArithmeticTask.defaults();
        List<ScoredResponses> scored = List.of(ScoredResponses.verify(task, task.parse("47+38="), List.of("85", "75", "85")),
                ScoredResponses.verify(task, task.parse("57+68="), List.of("115", "125")));
        PairBuilder pb = new PairBuilder(PairBuilder.Strategy.BEST_VS_WORST, 0.0, true);
        Path cut = tmp.resolve("cut.jsonl"), full = tmp.resolve("full.jsonl");
        assertEquals(2, Quickstart.writeTrainingData(scored, false, pb, true, cut));
        assertEquals(2, Quickstart.writeTrainingData(scored, false, pb, false, full));
        List<String> c = Files.readAllLines(cut), f = Files.readAllLines(full);
        JsonNode c0 = Json.MAPPER.readTree(c.get(0)), f0 = Json.MAPPER.readTree(f.get(0));
        assertEquals("85", c0.get("chosen").asText());
        assertEquals("7", c0.get("rejected").asText());
        assertEquals("75", f0.get("rejected").asText());
        JsonNode c1 = Json.MAPPER.readTree(c.get(1));
        assertEquals("125", c1.get("chosen").asText());
        assertEquals("11", c1.get("rejected").asText());
    }
}
