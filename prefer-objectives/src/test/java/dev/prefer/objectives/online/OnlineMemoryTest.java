package dev.prefer.objectives.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A training-like loop over every online loss with per-step sub-managers holds no more arrays than after its first step. */
class OnlineMemoryTest {

    @Test
    void heldArraysDoNotGrowOverSteps() {
        Random r = new Random(9);
        List<OnlineLoss> losses = List.of(
                GrpoLoss.of(GrpoLoss.Aggregation.GRPO, 8).withBeta(0.04),
                GrpoLoss.of(GrpoLoss.Aggregation.DAPO, 8).withLevel(GrpoLoss.RatioLevel.SEQUENCE_TOKEN).withDelta(2),
                GrpoLoss.of(GrpoLoss.Aggregation.DR_GRPO, 8).withLevel(GrpoLoss.RatioLevel.SEQUENCE),
                RlooLoss.defaults(), new SppoLoss(2), new NashMdLoss(0.1));
        try (NDManager base = OnlineFixtures.manager()) {
            int afterFirst = -1;
            for (int step = 0; step < 20; step++) {
                for (OnlineLoss loss : losses) {
                    OnlineBatch h = OnlineIdentityTest.random(r, 4, 8, false).withEntropies(new double[32]);
                    try (NDManager stepManager = base.newSubManager()) {
                        OnlineTensorBatch tb = OnlineTensorBatch.of(stepManager, h, DataType.FLOAT32);
                        NDArray p = tb.logps();
                        p.setRequiresGradient(true);
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            OnlineLoss.Tensor out = loss.loss(tb.withLogps(p));
                            gc.backward(out.loss());
                            assertTrue(!out.metrics().isEmpty(), loss.name());
                        }
                    }
                }
                if (afterFirst < 0) afterFirst = base.getManagedArrays().size();
            }
            assertEquals(afterFirst, base.getManagedArrays().size());
        }
    }
}
