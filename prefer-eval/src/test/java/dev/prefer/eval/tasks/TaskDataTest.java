package dev.prefer.eval.tasks;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskDataTest {

    @Test
    void splitsAreDisjointAcrossSeedsAndDeterministic() {
        ArithmeticTask task = ArithmeticTask.defaults();
        Set<String> train = new HashSet<>(), held = new HashSet<>();
        for (long seed = 0; seed < 3; seed++) {
            TaskData<ArithmeticTask.Sum> d = TaskData.generate(task, new TaskData.Config(500, 100, seed));
            assertEquals(500, d.train().size());
            assertEquals(100, d.heldOut().size());
            assertEquals(500, d.train().stream().map(Problem::prompt).distinct().count());
            d.train().forEach(p -> train.add(p.prompt()));
            d.heldOut().forEach(p -> held.add(p.prompt()));
            assertEquals(d, TaskData.generate(task, new TaskData.Config(500, 100, seed)));
        }
        Set<String> both = new HashSet<>(train);
        both.retainAll(held);
        assertEquals(Set.of(), both);
        assertNotEquals(TaskData.generate(task, new TaskData.Config(50, 10, 0)).train(),
                TaskData.generate(task, new TaskData.Config(50, 10, 1)).train());
    }

    @Test
    void heldOutShareOfTheWholeSpaceIsNearTheFraction() {
        // All 100 x 100 addition prompts; the hash split should hold ~20% of them (binomial sd = 40).
        int held = 0;
        for (int a = 0; a < 100; a++) for (int b = 0; b < 100; b++) if (TaskData.isHeldOut("arithmetic", a + "+" + b + "=", 0.2)) held++;
        assertTrue(Math.abs(held - 2000) < 200, "held out: " + held);
    }

    @Test
    void tooSmallAProblemSpaceIsAClearError() {
        ArithmeticTask tiny = new ArithmeticTask(0, 2, "+"); // 9 distinct prompts
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskData.generate(tiny, new TaskData.Config(100, 10, 0)));
        assertTrue(e.getMessage().startsWith("task arithmetic: found only"), e.getMessage());
    }

    @Test
    void writesSftAndPromptFiles(@TempDir Path dir) throws Exception {
        TaskData<FormatTask.Instruction> d = TaskData.generate(FormatTask.defaults(), new TaskData.Config(20, 5, 3));
        Path sft = d.writeSft(dir.resolve("sft.jsonl"));
        List<String> lines = Files.readAllLines(sft);
        assertEquals(20, lines.size());
        JsonNode first = Json.MAPPER.readTree(lines.get(0));
        assertEquals(d.train().get(0).prompt(), first.get("prompt").asText());
        assertEquals(d.train().get(0).reference(), first.get("completion").asText());

        Path prompts = TaskData.writePrompts(dir.resolve("heldout.jsonl"), "format", d.heldOut());
        JsonNode row = Json.MAPPER.readTree(Files.readAllLines(prompts).get(4));
        assertEquals("format", row.get("task").asText());
        // the verifier works from the prompt text alone
        assertTrue(FormatTask.defaults().verify(row.get("prompt").asText(), row.get("reference").asText()).pass());
    }

    @Test
    void tasksByName() {
        assertEquals("counting", Tasks.byName("counting").name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tasks.byName("chess"));
        assertTrue(e.getMessage().contains("[arithmetic, format, counting]"));
    }
}
