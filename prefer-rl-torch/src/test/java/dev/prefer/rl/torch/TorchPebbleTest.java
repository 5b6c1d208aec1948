package dev.prefer.rl.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.prefer.rl.RlTrain;
import dev.prefer.rl.experiments.ContinuousStudy;
import dev.prefer.rl.policy.LoopCheckpoint;
import dev.prefer.rl.policy.Pebble;
import dev.prefer.rl.policy.PebbleSac;
import dev.prefer.rl.policy.Sac;
import dev.prefer.rl.reward.RewardBackends;
import dev.prefer.rl.reward.RewardEnsemble;
import dev.prefer.rl.teacher.QuerySelection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PEBBLE-SAC with its reward ensemble on the PyTorch engine (found by name through {@link RewardBackends}): the same
 * curve as the Java loop on a small configuration, and a run killed mid-seed resumes with the backend attached again
 * (it is not part of the checkpoint) to the uninterrupted run's curve.
 */
class TorchPebbleTest {
    private static final Sac.Config SAC = new Sac.Config(16, 1e-3, 1e-3, 1e-3, 0.99, 0.005, 16, 0.1, true, -5, 2, 2);
    private static final PebbleSac.Config C = new PebbleSac.Config(300, 20, 60, 60, 20, 5, 10, QuerySelection.DISAGREEMENT, 2,
            "mistake:0.1", 2, 5, 10, SAC, 100, 2);

    @Test
    void pebbleSacOnTheTorchBackendFollowsTheJavaLoop(@TempDir Path dir) {
        RewardEnsemble.Backend torch = RewardBackends.named("torch");
        assertInstanceOf(TorchRewardBackend.class, torch);
        var make = ContinuousStudy.reacher();
        var java = PebbleSac.run(make, C, Pebble.Mode.PEBBLE, 3, null, LoopCheckpoint.NONE, null);
        var viaTorch = PebbleSac.run(make, C, Pebble.Mode.PEBBLE, 3, null, LoopCheckpoint.NONE, torch);
        assertEquals(20, viaTorch.labelsUsed());
        assertArrayEquals(java.steps(), viaTorch.steps());
        assertArrayEquals(java.returns(), viaTorch.returns(), 1e-6);

        Path ck = dir.resolve("seed-3.ckpt");
        class Killed extends RuntimeException {
        }
        assertThrows(Killed.class, () -> PebbleSac.run(make, C, Pebble.Mode.PEBBLE, 3, null, new LoopCheckpoint(ck, 30, step -> {
            if (step == 200) {
                throw new Killed();
            }
        }), torch));
        List<Integer> stepsRun = new ArrayList<>();
        var resumed = PebbleSac.run(make, C, Pebble.Mode.PEBBLE, 3, null, new LoopCheckpoint(ck, 30, stepsRun::add), torch);
        assertEquals(181, stepsRun.get(0));
        assertArrayEquals(viaTorch.returns(), resumed.returns(), 0.0);
    }

    @Test
    void onlyEnsembleMethodsTakeTheTorchBackend() {
        assertEquals("torch", new RlTrain.Config("reacher", "pebble-surf", "oracle", 10, 1, 0, 10, "torch").toMap().get("reward_backend"));
        assertEquals(null, new RlTrain.Config("reacher", "pebble", "oracle", 10, 1, 0, 10).toMap().get("reward_backend"));
        assertThrows(IllegalArgumentException.class, () -> new RlTrain.Config("reacher", "cpl", "oracle", 10, 1, 0, 10, "torch"));
        assertThrows(IllegalArgumentException.class, () -> new RlTrain.Config("reacher", "pebble", "oracle", 10, 1, 0, 10, "tpu"));
    }
}
