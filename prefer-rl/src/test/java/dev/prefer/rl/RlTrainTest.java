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
        assertThrows(IllegalArgumentException.class, () -> new RlTrain.Config("reacher", "oppo", "oracle", 10, 1, 0, 10));
        assertTrue(RlTrain.methods("reacher").containsAll(List.of("pebble", "true-reward", "random")));
        assertTrue(RlTrain.methods("reacher-discrete").containsAll(List.of("oppo", "cpl-bc")));
        assertTrue(RlTrain.methods("dst").containsAll(List.of("mo-policy", "mo-dqn", "mo-active")));
        assertThrows(IllegalArgumentException.class, () -> new RlTrain.Config("delivery", "regret", "grumpy", 10, 1, 0, 10));
    }

    /**
     * The offloading run killed mid-seed (in process, after its checkpoint at step 320 of 400) continues from its
     * checkpoint on the rerun to exactly the result of an uninterrupted run; the checkpoint is removed when the seed
     * is done.
     */
    @Test
    void offloadSeedKilledMidRunContinuesFromItsCheckpointToTheSameResult(@TempDir Path dir) throws Exception {
        var c = new RlTrain.Config("offload", "true-reward", "oracle", 0, 1, 0, 400);
        RlTrain.SeedResult whole = RlTrain.run(c, dir.resolve("whole"), s -> { }).get(0);
        Path out = dir.resolve("killed");
        class Killed extends RuntimeException {
        }
        assertThrows(Killed.class, () -> RlTrain.run(c, out, s -> { }, step -> {
            if (step == 330) {
                throw new Killed();
            }
        }));
        assertTrue(Files.exists(out.resolve("seed-0.ckpt")) && !Files.exists(out.resolve("seed-0.json")));
        List<String> log = new ArrayList<>();
        List<Integer> stepsRun = new ArrayList<>();
        RlTrain.SeedResult resumed = RlTrain.run(c, out, log::add, stepsRun::add).get(0);
        assertTrue(log.get(0).contains("continuing from seed-0.ckpt"), log.toString());
        assertEquals(321, stepsRun.get(0));                  // checkpoints every 40 steps: the last before the kill after step 320
        assertEquals(whole.finalReturn(), resumed.finalReturn(), 0.0);
        List<?> a = (List<?>) whole.extra().get("points");
        List<?> b = (List<?>) resumed.extra().get("points");
        assertEquals(11, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals((double[]) a.get(i), (double[]) b.get(i), 0.0);
        }
        assertTrue(!Files.exists(out.resolve("seed-0.ckpt")));
        assertTrue(Files.readString(out.resolve("report.md")).contains("myopic cost-model planner"));
        assertTrue(RlTrain.methods("reacher").containsAll(List.of("cpl", "cpl-bc", "pebble-surf")));
    }
}
