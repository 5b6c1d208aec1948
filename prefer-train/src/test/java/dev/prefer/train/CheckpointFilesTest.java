package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue #16 items 3 and 4: a corrupt checkpoint is blamed on its own file; partial folders of a killed run are cleaned. */
class CheckpointFilesTest {

    private static Path step(Path out, int n, String state) throws Exception {
        Path d = Files.createDirectories(Checkpoints.root(out).resolve("step-" + n));
        if (state != null) Files.writeString(d.resolve("state.json"), state);
        Files.writeString(Checkpoints.root(out).resolve("latest"), "step-" + n + "\n");
        return d;
    }

    @Test
    void corruptStateIsBlamedOnStateJsonNotOnLatest(@TempDir Path out) throws Exception {
        Path d = step(out, 4, "{\n  \"step\": 4,\n  \"optimizer_step\": oops\n}\n");
        var e = assertThrows(DataException.class, () -> Checkpoints.latest(out));
        assertTrue(e.getMessage().startsWith(d.resolve("state.json") + ":3: corrupt checkpoint state: not valid JSON"), e.getMessage());

        Files.writeString(d.resolve("state.json"), "{\"step\": 4, \"optimizer_step\": -1, \"config\": {}}");
        assertEquals(d.resolve("state.json") + ": field 'optimizer_step': corrupt checkpoint state: expected a non-negative integer",
                assertThrows(DataException.class, () -> Checkpoints.latest(out)).getMessage());

        Files.delete(d.resolve("state.json"));
        assertEquals(d.resolve("state.json") + ": missing: the checkpoint folder is incomplete",
                assertThrows(DataException.class, () -> Checkpoints.latest(out)).getMessage());

        Files.writeString(Checkpoints.root(out).resolve("latest"), "../../etc\n");
        assertEquals(Checkpoints.root(out).resolve("latest") + ": names '../../etc', not a step-N checkpoint folder",
                assertThrows(DataException.class, () -> Checkpoints.latest(out)).getMessage());

        Files.writeString(d.resolve("state.json"), "{\"step\": 4, \"optimizer_step\": 4, \"config\": {\"seed\": 1}}");
        Files.writeString(Checkpoints.root(out).resolve("latest"), "step-4\n");
        Checkpoints.State s = Checkpoints.latest(out);
        assertEquals(4, s.step());
        assertEquals(1, Checkpoints.config(s).get("seed").asInt());
    }

    @Test
    void partialFoldersOfAKilledRunAreDeleted(@TempDir Path out) throws Exception {
        Path d = step(out, 2, "{\"step\": 2, \"optimizer_step\": 2, \"config\": {}}");
        Path partial = Files.createDirectories(Checkpoints.root(out).resolve(".tmp-step-3-123456"));
        Files.writeString(partial.resolve("trainable.safetensors"), "half");
        Path other = Files.createDirectories(Checkpoints.root(out).resolve("notes"));
        assertEquals(2, Checkpoints.latest(out).step());
        assertFalse(Files.exists(partial));
        assertTrue(Files.isDirectory(d));
        assertTrue(Files.isDirectory(other));
        assertEquals(0, Checkpoints.cleanPartial(out));
    }
}
