package dev.prefer.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A training-like loop with per-step sub-managers holds no more arrays after 200 steps than after the first. */
class MemoryTest {

    @Test
    void heldArraysDoNotGrowOverSteps() {
        Random r = new Random(1);
        try (NDManager base = Fixtures.manager()) {
            int afterFirst = -1;
            for (ObjectiveCatalog.Entry e : ObjectiveCatalog.entries()) {
                Objective o = e.create(ObjectiveCatalog.defaultsFor(e));
                for (int step = 0; step < 10; step++) {
                    Batch b = TwinAndGradientTest.randomBatch(o, r);
                    try (NDManager stepManager = base.newSubManager()) {
                        TensorBatch tb = TensorBatch.of(stepManager, b, DataType.FLOAT32);
                        NDArray p = tb.policy();
                        p.setRequiresGradient(true);
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            TensorLoss out = o.loss(tb.withPolicy(p));
                            gc.backward(out.loss());
                            Map<String, Double> m = out.metrics();
                            assertEquals(true, m.containsKey("rewards/chosen") || m.containsKey("rewards/rejected"), e.name());
                        }
                    }
                    if (afterFirst < 0) afterFirst = base.getManagedArrays().size();
                }
            }
            assertEquals(afterFirst, base.getManagedArrays().size());
        }
    }
}
