package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.prefer.lm.Torch;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** AdamW on NDArrays against its double-precision twin; schedules against hand-computed values. */
class OptimizerTest {

    @Test
    void adamWMatchesTwinOverSeveralSteps() {
        Random rng = new Random(7);
        int n = 37;
        double[] p = new double[n], m = new double[n], v = new double[n];
        for (int i = 0; i < n; i++) p[i] = rng.nextGaussian();
        double lr = 0.01, b1 = 0.9, b2 = 0.95, eps = 1e-8, wd = 0.1;
        try (NDManager mgr = Torch.newManager(); AdamW opt = new AdamW(mgr, b1, b2, eps, wd)) {
            NDArray param = mgr.create(p.clone(), new Shape(n));
            for (int t = 1; t <= 5; t++) {
                double[] g = new double[n];
                for (int i = 0; i < n; i++) g[i] = rng.nextGaussian() * (t == 3 ? 100 : 1);
                try (NDManager s = mgr.newSubManager()) {
                    opt.step(Map.of("w", param), Map.of("w", s.create(g.clone(), new Shape(n))), lr);
                }
                AdamW.twin(p, g, m, v, t, lr, b1, b2, eps, wd);
                double[] got = param.toDoubleArray();
                for (int i = 0; i < n; i++) assertEquals(p[i], got[i], 1e-13, "step " + t + " entry " + i);
            }
            assertEquals(5, opt.stepCount());
        }
    }

    @Test
    void twinFirstStepIsSignedLearningRate() {
        // t = 1, no decay: m/(1-b1) = g, v/(1-b2) = g^2, so the update is lr * g / (|g| + eps) ~ lr * sign(g).
        double[] p = {1, 1}, m = new double[2], v = new double[2];
        AdamW.twin(p, new double[] {3, -0.5}, m, v, 1, 0.1, 0.9, 0.999, 0, 0);
        assertEquals(0.9, p[0], 1e-15);
        assertEquals(1.1, p[1], 1e-15);
        // decoupled decay: p *= 1 - lr*wd before the Adam step
        double[] q = {2}, mq = new double[1], vq = new double[1];
        AdamW.twin(q, new double[] {1}, mq, vq, 1, 0.1, 0.9, 0.999, 0, 0.5);
        assertEquals(2 * (1 - 0.05) - 0.1, q[0], 1e-15);
    }

    @Test
    void schedulesByHand() {
        LrSchedule lin = new LrSchedule(TrainConfig.Schedule.LINEAR, 1.0, 2, 10);
        assertEquals(0.0, lin.at(0), 0);
        assertEquals(0.5, lin.at(1), 1e-15);
        assertEquals(1.0, lin.at(2), 1e-15);
        assertEquals(0.5, lin.at(6), 1e-15); // (10 - 6) / (10 - 2)
        assertEquals(0.0, lin.at(10), 0);
        LrSchedule cos = new LrSchedule(TrainConfig.Schedule.COSINE, 2.0, 2, 10);
        assertEquals(2.0, cos.at(2), 1e-15);
        assertEquals(1.0, cos.at(6), 1e-12); // progress 1/2: 0.5 (1 + cos(pi/2)) = 0.5
        assertEquals(2.0 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), cos.at(4), 1e-12);
        assertEquals(0.0, cos.at(10), 1e-15);
        assertEquals(3.0, new LrSchedule(TrainConfig.Schedule.CONSTANT, 3.0, 0, 5).at(4), 0);
    }
}
