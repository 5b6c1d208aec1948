package dev.prefer.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RlTrainTest {

    @Test
    void runsResumesAndRefusesAnotherConfiguration(@TempDir Path dir) throws Exception {
        var c = new RlTrain.Config("delivery", "regret", "noisy:1", 40, 2, 3, 60);
        List<String> log = new ArrayList<>();
        List<RlTrain.SeedResult> first = RlTrain.run(c, dir, log::add);
        assertEquals(2, first.size());
        assertTrue(Files.readString(dir.resolve("report.md")).contains("regret on delivery"));
        assertTrue(Files.readString(dir.resolve("manifest.json")).contains("\"rl-train\""));
        // resume: seed 3 is kept, seed 4 is recomputed identically
        Files.delete(dir.resolve("seed-4.json"));
        log.clear();
        List<RlTrain.SeedResult> again = RlTrain.run(c, dir, log::add);
        assertTrue(log.get(0).contains("resumed"), log.get(0));
        assertTrue(log.get(1).startsWith("seed 4: final"), log.get(1));
        for (int i = 0; i < 2; i++) {
            assertEquals(first.get(i).finalReturn(), again.get(i).finalReturn(), 0.0);
            assertArrayEquals(first.get(i).y(), again.get(i).y(), 0.0);
        }
        var other = new RlTrain.Config("delivery", "partial-return", "noisy:1", 40, 2, 3, 60);
        assertThrows(IllegalArgumentException.class, () -> RlTrain.run(other, dir, s -> { }));
        assertThrows(IllegalArgumentException.class, () -> new RlTrain.Config("dst", "pebble", "oracle", 10, 1, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new RlTrain.Config("reacher", "cpl", "oracle", 10, 1, 0, 10));
        assertTrue(RlTrain.methods("reacher").containsAll(List.of("pebble", "true-reward", "random")));
        assertTrue(RlTrain.methods("reacher-discrete").containsAll(List.of("oppo", "cpl-bc")));
        assertTrue(RlTrain.methods("dst").containsAll(List.of("mo-policy", "mo-dqn", "mo-active")));
        assertThrows(IllegalArgumentException.class, () -> new RlTrain.Config("delivery", "regret", "grumpy", 10, 1, 0, 10));
    }
}
