package dev.prefer.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * BCO's running δ (TRL's RunningMoments mean), by hand. β = 0.5. Batch A: ρ = (1, −1, 2) → rewards (0.5, −0.5, 1),
 * sum 1, count 3. Batch B: ρ = (0, 4), labels (desirable, undesirable) → rewards (0, 2). Observing A then B gives
 * δ = (1 + 2) / 5 = 0.6 and B's loss ½ [−log σ(0 − 0.6) − log σ(−(2 − 0.6))] = ½ [softplus(0.6) + softplus(1.4)].
 */
class BcoRunningDeltaTest {
    static final Batch A = Batch.unpaired(new double[] {1, -1, 2}, new double[] {0, 0, 0}, new boolean[] {true, false, true});
    static final Batch B = Batch.unpaired(new double[] {0, 4}, new double[] {0, 0}, new boolean[] {true, false});

    @Test
    void runningMeanOfObservedRewards() {
        Bco bco = Bco.running(0.5, Layout.UNPAIRED);
        // nothing observed yet: the batch's own mean, as the non-running form
        assertEquals(new Bco(0.5, null, Layout.UNPAIRED).loss(B).value(), bco.loss(B).value(), 0.0);
        bco.observe(A);
        bco.observe(B);
        double expected = 0.5 * (Num.softplus(0.6) + Num.softplus(1.4));
        assertEquals(expected, bco.loss(B).value(), 1e-15);
        assertEquals(expected, new Bco(0.5, 0.6, Layout.UNPAIRED).loss(B).value(), 1e-15);
        try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
            TensorBatch t = TensorBatch.of(m, B, DataType.FLOAT64);
            assertEquals(expected, bco.loss(t).loss().getDouble(), 1e-12);
        }
        // checkpoint round trip
        Bco restored = Bco.running(0.5, Layout.UNPAIRED);
        restored.restore(bco.state());
        assertEquals(expected, restored.loss(B).value(), 1e-15);
    }

    @Test
    void catalogDefaultIsRunningAsTrl() {
        Objective o = ObjectiveCatalog.create("bco", Map.of("unpaired", 1.0, "beta", 0.5));
        ((RunningState) o).observe(A);
        // δ = 1/3 now, not B's own mean of 1: ½ [softplus(1/3) + softplus(2 − 1/3)]
        assertEquals(0.5 * (Num.softplus(1.0 / 3) + Num.softplus(5.0 / 3)), o.loss(B).value(), 1e-15);
        Objective perBatch = ObjectiveCatalog.create("bco", Map.of("unpaired", 1.0, "beta", 0.5, "running", 0.0));
        ((RunningState) perBatch).observe(A); // keeps no state in this mode
        assertEquals(0.5 * (Num.softplus(1) + Num.softplus(1)), perBatch.loss(B).value(), 1e-15);
    }
}
