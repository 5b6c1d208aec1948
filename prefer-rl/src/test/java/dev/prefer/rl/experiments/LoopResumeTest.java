package dev.prefer.rl.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.rl.embed.ConditionedImitation;
import dev.prefer.rl.env.DeepSeaTreasure;
import dev.prefer.rl.policy.ConditionedDqn;
import dev.prefer.rl.policy.Cpl;
import dev.prefer.rl.policy.Dqn;
import dev.prefer.rl.policy.LoopCheckpoint;
import dev.prefer.rl.policy.LoopState;
import dev.prefer.rl.policy.Pebble;
import dev.prefer.rl.teacher.QuerySelection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mid-seed resume of the offline loops (session 10): each loop, on a small configuration, runs uninterrupted, then
 * is stopped at a hook call after one of its checkpoints (as a kill there would stop it) and run again from a fresh
 * start of the same call. The rerun must continue (its first hook is the next chunk's, not a restart), end with the
 * same curve and final weights, and write, at every later hook, a checkpoint byte-identical to the uninterrupted
 * run's (random streams, weights, Adam moments and step counts, curve so far).
 */
class LoopResumeTest {
    /** The uninterrupted run's result and those of the killed-then-resumed runs. */
    record Runs<T>(T whole, List<T> resumed) {
        T resumed(int i) {
            return resumed.get(i);
        }
    }

    private static final class Killed extends RuntimeException {
    }

    private static byte[] read(Path p) {
        try {
            return Files.exists(p) ? Files.readAllBytes(p) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs f uninterrupted (checkpointing to its own file); then, for each pair (killAfter, restartAt), runs it with a
     * fresh checkpoint file stopped when the hook sees killAfter and again: the rerun's first hook call must be
     * restartAt, and the checkpoint it has on disk at each later hook call must equal the uninterrupted run's.
     */
    static <T> Runs<T> killAndResume(Path dir, Function<LoopCheckpoint, T> f, int... killThenRestart) {
        Path wholeCk = dir.resolve("whole.ckpt");
        Map<Integer, byte[]> wholeStates = new HashMap<>();
        T whole = f.apply(new LoopCheckpoint(wholeCk, 1, s -> wholeStates.put(s, read(wholeCk))));
        List<T> resumed = new ArrayList<>();
        for (int k = 0; k < killThenRestart.length; k += 2) {
            int killAfter = killThenRestart[k];
            Path ck = dir.resolve("killed-" + killAfter + ".ckpt");
            assertThrows(Killed.class, () -> f.apply(new LoopCheckpoint(ck, 1, s -> {
                if (s == killAfter) {
                    throw new Killed();
                }
            })));
            assertTrue(Files.exists(ck));
            List<Integer> hooks = new ArrayList<>();
            Map<Integer, byte[]> states = new HashMap<>();
            resumed.add(f.apply(new LoopCheckpoint(ck, 1, s -> {
                hooks.add(s);
                states.put(s, read(ck));
            })));
            assertEquals(killThenRestart[k + 1], hooks.get(0), "first hook call after the resume from " + killAfter);
            for (int h : hooks) {
                assertNotNull(wholeStates.get(h), "hook " + h);
                assertArrayEquals(wholeStates.get(h), states.get(h), "checkpoint at hook " + h + " (killed after " + killAfter + ")");
            }
        }
        return new Runs<>(whole, resumed);
    }

    static void sameCurves(Pebble.Curve a, Pebble.Curve b) {
        assertArrayEquals(a.steps(), b.steps());
        assertArrayEquals(a.returns(), b.returns(), 0.0);
        assertEquals(a.labelsUsed(), b.labelsUsed());
    }

    /** 10 dataset episodes, 30 labels, 40 CPL steps in chunks of 10, batch 8, 2 evaluation episodes. */
    static ControlStudy.Config control() {
        Pebble.Config p = new Pebble.Config(100, 10, 10, 30, 5, 10, QuerySelection.UNIFORM, 2, "mistake:0.1", 2, 2,
                new Dqn.Config(8, 1e-3, 0.99, 8, 50), 50, 2);
        return new ControlStudy.Config(30, 1, 10, "mistake:0.1", 10, p, new Cpl.Config(0.1, 0.5, 1.0, 0.0, 40, 8, 1e-3), 10, 0);
    }

    /** Discrete CPL (fresh Adam per chunk): killed after chunk 2 of 4, resumed at chunk 3. */
    @Test
    void discreteCplContinuesToTheSameCurveAndPolicy(@TempDir Path dir) {
        var c = control();
        Runs<LoopState<dev.prefer.rl.policy.SoftmaxPolicy>> r = killAndResume(dir, ck -> ControlStudy.cplState(c, 4, ck), 20, 30);
        sameCurves(r.whole().curve(30), r.resumed(0).curve(30));
        assertArrayEquals(new int[] {10, 20, 30, 40}, r.whole().curve(30).steps());
        assertArrayEquals(r.whole().model.net().params(), r.resumed(0).model.net().params(), 0.0);
        sameCurves(ControlStudy.cpl(c, 4), r.whole().curve(30));           // checkpointing changes nothing
    }

    /** CPL with BC pre-training: killed right after pre-training (hook 0), the rerun skips it and resumes at chunk 1. */
    @Test
    void cplWithBcContinuesFromAfterPretraining(@TempDir Path dir) {
        var c = control();
        var r = killAndResume(dir, ck -> ControlStudy.cplWithBcState(c, 5, 20, 0.5, ck), 0, 10);
        sameCurves(r.whole().curve(30), r.resumed(0).curve(30));
        assertArrayEquals(new int[] {0, 10, 20, 30, 40}, r.whole().curve(30).steps());
        assertArrayEquals(r.whole().model.net().params(), r.resumed(0).model.net().params(), 0.0);
    }

    /** OPPO (encoder, contextual policy and z*): killed after chunk 1, resumed at chunk 2. */
    @Test
    void oppoContinuesToTheSameCurveAndWeights(@TempDir Path dir) {
        var c = control();
        var r = killAndResume(dir, ck -> ControlStudy.oppoState(c, 6, ck), 10, 20);
        sameCurves(r.whole().curve(30), r.resumed(0).curve(30));
        assertArrayEquals(r.whole().model.zStar(), r.resumed(0).model.zStar(), 0.0);
        assertArrayEquals(r.whole().model.contextual().policy().net().params(), r.resumed(0).model.contextual().policy().net().params(), 0.0);
        assertArrayEquals(r.whole().model.contextual().encoder().net().params(), r.resumed(0).model.contextual().encoder().net().params(), 0.0);
    }

    static DstStudy.Config dst(String queries) {
        return new DstStudy.Config(DeepSeaTreasure.Map.CONCAVE, 300, 400, "mistake:0.1", 16, new Cpl.Config(1, 1, 1, 0, 60, 32, 3e-3), 20, 5,
                0.05, 21, queries);
    }

    /** DST's conditioned CPL network (one Adam over 60 steps, checkpoints every 6): killed at step 30, resumed at 36. */
    @Test
    void dstConditionedCplContinuesToTheSameNetwork(@TempDir Path dir) {
        var c = dst("uniform");
        var r = killAndResume(dir, ck -> DstStudy.train(c, ck).net().params(), 30, 36);
        assertArrayEquals(r.whole(), r.resumed(0), 0.0);
        assertArrayEquals(DstStudy.train(c).net().params(), r.whole(), 0.0);
    }

    /**
     * DST's conditioned DQN (200 updates, checkpoints every 20) on the contested-query reward: killed in the reward
     * phase (after round 2, resumed at round 3, then through the DQN) and in the DQN phase (after 100 updates, resumed at 120).
     */
    @Test
    void dstConditionedDqnContinuesFromEitherPhaseToTheSameNetwork(@TempDir Path dir) {
        var c = dst("contested");
        var qc = new ConditionedDqn.Config(16, 1e-3, 0.999, 8, 200, 30);
        Function<LoopCheckpoint, double[]> f = ck -> DstStudy.trainPolicyNet(c, qc, ck).network().params();
        var r = killAndResume(dir, f, 2, 3, 100, 120);
        assertArrayEquals(r.whole(), r.resumed(0), 0.0);
        assertArrayEquals(r.whole(), r.resumed(1), 0.0);
        assertArrayEquals(DstStudy.trainPolicyNet(c, qc).network().params(), r.whole(), 0.0);
    }

    /**
     * DST's disagreement-query rounds (killed after round 2 of 3, resumed at round 3) and the distilled network (killed
     * in its distillation after step 280 of 400, checkpoints every 40: resumed at 320) end exactly where uninterrupted
     * runs do.
     */
    @Test
    void dstActiveRoundsAndDistillationContinueToTheSameParameters(@TempDir Path dir) throws IOException {
        var c = dst("contested");
        var active = killAndResume(Files.createDirectories(dir.resolve("active")), ck -> DstStudy.trainRewardActive(c, 3, 2, 4, ck), 2, 3);
        assertArrayEquals(DstStudy.trainRewardActive(c, 3, 2, 4), active.resumed(0), 0.0);
        var net = killAndResume(Files.createDirectories(dir.resolve("policy")), ck -> DstStudy.trainDistilled(c, 10, 400, ck).net().params(), 280, 320);
        assertArrayEquals(DstStudy.trainDistilled(c, 10, 400).net().params(), net.resumed(0), 0.0);
    }

    /**
     * SIRL: killed in the representation phase (after step 600 of 1500, checkpoints every 150: resumed at 750) and after
     * the phase's own end checkpoint (hook 1500: resumed at the first K); the same agreement rows either way.
     */
    @Test
    void sirlContinuesFromEitherPhaseToTheSameRows(@TempDir Path dir) {
        int[] ks = {3, 10};
        var r = killAndResume(dir, ck -> SirlStudy.run(1, 20, ks, ck), 600, 750, 1500, 1501);
        for (int k = 0; k < ks.length; k++) {
            assertArrayEquals(r.whole()[k], r.resumed(0)[k], 0.0);
            assertArrayEquals(r.whole()[k], r.resumed(1)[k], 0.0);
        }
    }

    /**
     * Demo-conditioned imitation (two Adams, the evaluation stream; 40 steps in chunks of 10): killed after chunk 2,
     * resumed at chunk 3, the same curve and result (BC baseline included); the checkpoint at step 40 (the end of the
     * conditioned phase) holds the final weights, compared by killAndResume.
     */
    @Test
    void styleImitationContinuesToTheSameCurveAndResult(@TempDir Path dir) {
        var sc = new StyleStudy.Config(3, 10, new ConditionedImitation.Config(4, 16, 40, 8, 3e-3), 2);
        List<List<Double>> curves = new ArrayList<>();
        var r = killAndResume(dir, ck -> {
            List<Double> curve = new ArrayList<>();
            curves.add(curve);
            return StyleStudy.run(sc, 2, 10, (x, acc) -> {
                curve.add((double) x);
                curve.add(acc);
            }, ck);
        }, 20, 30);
        assertEquals(r.whole(), r.resumed(0));
        assertEquals(curves.get(0), curves.get(2));
        assertEquals(8, curves.get(0).size());
        assertEquals(StyleStudy.run(sc, 2), r.whole());
    }
}
