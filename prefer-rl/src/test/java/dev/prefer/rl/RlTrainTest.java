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

    /**
     * Every checkpointed method killed mid-seed in process (the hook throws after the loop has saved at least once)
     * continues on the rerun from its checkpoint to a seed file identical to an uninterrupted run's: offline continuous
     * CPL on the reacher, the contested-query conditioned reward on DST, discrete CPL and the style imitation;
     * PEBBLE-SAC and PEBBLE-DQN below, the other loops in {@code experiments.LoopResumeTest}, on smaller configurations.
     */
    @Test
    void everyCheckpointedMethodKilledMidSeedContinuesToTheSameSeedFile(@TempDir Path dir) throws Exception {
        killAndResume(new RlTrain.Config("reacher", "cpl-nobc", "mistake:0.1", 40, 1, 0, 30), 10, 20, dir.resolve("cpl"));
        killAndResume(new RlTrain.Config("dst-concave", "mo-reward", "mistake:0.1", 400, 1, 0, 60), 2, 3, dir.resolve("dst"));
        killAndResume(new RlTrain.Config("reacher-discrete", "cpl", "mistake:0.1", 30, 1, 0, 30), 10, 15, dir.resolve("dcpl"));
        killAndResume(new RlTrain.Config("reacher-discrete", "style", "oracle", 0, 1, 0, 40), 20, 30, dir.resolve("style"));
    }

    /** PEBBLE-SAC (small networks, 300 steps, checkpoints every 30) killed after step 200 resumes at 181 to the same curve. */
    @Test
    void pebbleSacKilledMidSeedContinuesToTheSameCurve(@TempDir Path dir) {
        var sac = new dev.prefer.rl.policy.Sac.Config(16, 1e-3, 1e-3, 1e-3, 0.99, 0.005, 16, 0.1, true, -5, 2, 2);
        var c = new dev.prefer.rl.policy.PebbleSac.Config(300, 20, 60, 60, 20, 5, 10, dev.prefer.rl.teacher.QuerySelection.DISAGREEMENT, 2,
                "mistake:0.1", 2, 5, 10, sac, 100, 2);
        var make = dev.prefer.rl.experiments.ContinuousStudy.reacher();
        var mode = dev.prefer.rl.policy.Pebble.Mode.PEBBLE;
        var whole = dev.prefer.rl.policy.PebbleSac.run(make, c, mode, 3, null);
        Path ck = dir.resolve("seed-3.ckpt");
        class Killed extends RuntimeException {
        }
        assertThrows(Killed.class, () -> dev.prefer.rl.policy.PebbleSac.run(make, c, mode, 3, null,
                new dev.prefer.rl.policy.LoopCheckpoint(ck, 30, step -> {
                    if (step == 200) {
                        throw new Killed();
                    }
                })));
        List<Integer> stepsRun = new ArrayList<>();
        var resumed = dev.prefer.rl.policy.PebbleSac.run(make, c, mode, 3, null, new dev.prefer.rl.policy.LoopCheckpoint(ck, 30, stepsRun::add));
        assertEquals(181, stepsRun.get(0));
        assertArrayEquals(whole.steps(), resumed.steps());
        assertArrayEquals(whole.returns(), resumed.returns(), 0.0);
        assertEquals(whole.labelsUsed(), resumed.labelsUsed());
        assertEquals(20, whole.labelsUsed());
        var other = new dev.prefer.rl.policy.PebbleSac.Config(300, 20, 60, 60, 10, 5, 10, dev.prefer.rl.teacher.QuerySelection.DISAGREEMENT, 2,
                "mistake:0.1", 2, 5, 10, sac, 100, 2);
        assertThrows(IllegalArgumentException.class, () -> dev.prefer.rl.policy.PebbleSac.run(make, other, mode, 3, null,
                new dev.prefer.rl.policy.LoopCheckpoint(ck, 30, s -> { })));   // a checkpoint of another configuration
    }

    /** PEBBLE with DQN on the 9-action reacher (small networks, 240 steps, checkpoints every 30): killed after 150, resumed at 151. */
    @Test
    void pebbleDqnKilledMidSeedContinuesToTheSameCurve(@TempDir Path dir) {
        var c = new dev.prefer.rl.policy.Pebble.Config(240, 40, 40, 20, 5, 10, dev.prefer.rl.teacher.QuerySelection.DISAGREEMENT, 2,
                "mistake:0.1", 2, 5, new dev.prefer.rl.policy.Dqn.Config(16, 1e-3, 0.99, 16, 50), 80, 2);
        java.util.function.Supplier<dev.prefer.rl.env.Env> make = () -> new dev.prefer.rl.env.PointMassReacher(true);
        var mode = dev.prefer.rl.policy.Pebble.Mode.PEBBLE;
        var whole = dev.prefer.rl.policy.Pebble.run(make, c, mode, 1);
        Path ck = dir.resolve("seed-1.ckpt");
        class Killed extends RuntimeException {
        }
        assertThrows(Killed.class, () -> dev.prefer.rl.policy.Pebble.run(make, c, mode, 1, new dev.prefer.rl.policy.LoopCheckpoint(ck, 30, step -> {
            if (step == 150) {
                throw new Killed();
            }
        })));
        List<Integer> stepsRun = new ArrayList<>();
        var resumed = dev.prefer.rl.policy.Pebble.run(make, c, mode, 1, new dev.prefer.rl.policy.LoopCheckpoint(ck, 30, stepsRun::add));
        assertEquals(151, stepsRun.get(0));
        assertArrayEquals(whole.steps(), resumed.steps());
        assertArrayEquals(whole.returns(), resumed.returns(), 0.0);
        assertEquals(20, resumed.labelsUsed());
    }

    /** Kills the run when the hook sees killAfter; the rerun's first hook call must be restartAt (not a fresh start). */
    private static void killAndResume(RlTrain.Config c, int killAfter, int restartAt, Path dir) throws Exception {
        RlTrain.run(c, dir.resolve("whole"), s -> { });
        Path out = dir.resolve("killed");
        class Killed extends RuntimeException {
        }
        assertThrows(Killed.class, () -> RlTrain.run(c, out, s -> { }, step -> {
            if (step == killAfter) {
                throw new Killed();
            }
        }), c.method());
        assertTrue(Files.exists(out.resolve("seed-0.ckpt")) && !Files.exists(out.resolve("seed-0.json")), c.method());
        List<String> log = new ArrayList<>();
        List<Integer> stepsRun = new ArrayList<>();
        RlTrain.run(c, out, log::add, stepsRun::add);
        assertTrue(log.get(0).contains("continuing from seed-0.ckpt"), log.toString());
        assertEquals(restartAt, stepsRun.get(0), c.method());
        assertEquals(Files.readString(dir.resolve("whole/seed-0.json")), Files.readString(out.resolve("seed-0.json")), c.method());
        assertTrue(!Files.exists(out.resolve("seed-0.ckpt")), c.method());
    }

    /**
     * SIRL and demo-conditioned imitation as rl train methods: SIRL's curve is over 1, 3, 10 and 30 preferences; the
     * style agent trained in four chunks (with its curve) ends exactly where StyleStudy's uninterrupted training does.
     */
    @Test
    void sirlAndStyleRunAsTrainMethodsWithCurvesAndReports(@TempDir Path dir) throws Exception {
        var sirl = RlTrain.run(new RlTrain.Config("reacher-discrete", "sirl", "mistake:0.1", 30, 1, 0, 20), dir.resolve("sirl"), s -> { });
        assertArrayEquals(new int[] {1, 3, 10, 30}, sirl.get(0).x());
        for (double y : sirl.get(0).y()) {
            assertTrue(y >= 0 && y <= 1, "agreement " + y);
        }
        assertTrue(Files.readString(dir.resolve("sirl/report.md")).contains("| preferences | SIRL | raw linear | reward ensemble |"));
        var style = RlTrain.run(new RlTrain.Config("reacher-discrete", "style", "oracle", 0, 1, 2, 40), dir.resolve("style"), s -> { }).get(0);
        assertArrayEquals(new int[] {10, 20, 30, 40}, style.x());
        var d = dev.prefer.rl.experiments.StyleStudy.Config.defaults();
        var im = d.imitation();
        var whole = dev.prefer.rl.experiments.StyleStudy.run(new dev.prefer.rl.experiments.StyleStudy.Config(d.episodesPerStyle(), d.segment(),
                new dev.prefer.rl.embed.ConditionedImitation.Config(im.zdim(), im.hidden(), 40, im.batch(), im.lr()), d.evalEpisodes()), 2);
        assertEquals(whole.conditionedAccuracy(), style.finalReturn(), 0.0);
        assertEquals(whole.bcAccuracy(), ((Number) style.extra().get("bcAccuracy")).doubleValue(), 0.0);
        assertTrue(Files.readString(dir.resolve("style/report.md")).contains("| BC without style |"));
        // a rerun reads the seed files back (extra arrays as JSON lists) and rebuilds the same report
        String report = Files.readString(dir.resolve("sirl/report.md"));
        RlTrain.run(new RlTrain.Config("reacher-discrete", "sirl", "mistake:0.1", 30, 1, 0, 20), dir.resolve("sirl"), s -> { });
        assertEquals(report, Files.readString(dir.resolve("sirl/report.md")));
    }
}
