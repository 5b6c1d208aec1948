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

    /**
     * The flat-buffer update over several parameters of different shapes equals the twin per parameter (float64,
     * 1e-13), and state saved after step 2 (moments by name, as checkpoints store them) restored into a fresh
     * optimizer continues bit for bit like the uninterrupted one (float32).
     */
    @Test
    void flatStateOverSeveralParametersAndExactRestore() {
        Random rng = new Random(11);
        long[][] shapes = {{3, 4}, {5}, {2, 1, 3}};
        String[] names = {"a", "b", "c"};
        double lr = 0.02, b1 = 0.9, b2 = 0.99, eps = 1e-8, wd = 0.05;
        try (NDManager mgr = Torch.newManager(); AdamW opt = new AdamW(mgr, b1, b2, eps, wd)) {
            java.util.LinkedHashMap<String, NDArray> params = new java.util.LinkedHashMap<>();
            double[][] p = new double[3][], m = new double[3][], v = new double[3][];
            for (int k = 0; k < 3; k++) {
                int n = (int) new Shape(shapes[k]).size();
                p[k] = rng.doubles(n).map(x -> x - 0.5).toArray();
                m[k] = new double[n];
                v[k] = new double[n];
                params.put(names[k], mgr.create(p[k].clone(), new Shape(shapes[k])));
            }
            for (int t = 1; t <= 4; t++) {
                try (NDManager s = mgr.newSubManager()) {
                    java.util.LinkedHashMap<String, NDArray> grads = new java.util.LinkedHashMap<>();
                    for (int k = 0; k < 3; k++) {
                        double[] g = rng.doubles(p[k].length).map(x -> 2 * x - 1).toArray();
                        grads.put(names[k], s.create(g.clone(), new Shape(shapes[k])));
                        AdamW.twin(p[k], g, m[k], v[k], t, lr, b1, b2, eps, wd);
                    }
                    opt.step(params, grads, lr);
                }
                for (int k = 0; k < 3; k++) {
                    double[] got = params.get(names[k]).toDoubleArray();
                    for (int i = 0; i < got.length; i++) assertEquals(p[k][i], got[i], 1e-13, "step " + t + " " + names[k] + "[" + i + "]");
                }
            }
        }
        // float32: save after 2 steps, restore into a fresh optimizer, 2 more steps on both: identical bits
        try (NDManager mgr = Torch.newManager(); AdamW a = new AdamW(mgr, b1, b2, eps, wd); AdamW b = new AdamW(mgr, b1, b2, eps, wd)) {
            java.util.LinkedHashMap<String, NDArray> pa = new java.util.LinkedHashMap<>(), pb = new java.util.LinkedHashMap<>();
            for (int k = 0; k < 3; k++) {
                float[] init = new float[(int) new Shape(shapes[k]).size()];
                for (int i = 0; i < init.length; i++) init[i] = (float) rng.nextGaussian();
                pa.put(names[k], mgr.create(init.clone(), new Shape(shapes[k])));
                pb.put(names[k], mgr.create(init.clone(), new Shape(shapes[k])));
            }
            for (int t = 1; t <= 4; t++) {
                if (t == 3) {
                    java.util.Map<String, float[]> fm = new java.util.LinkedHashMap<>(), fv = new java.util.LinkedHashMap<>();
                    // as Checkpoints stores them: by name, read back in name order
                    for (java.util.Map.Entry<String, NDArray> e : new java.util.TreeMap<>(a.firstMoments()).entrySet()) fm.put(e.getKey(), e.getValue().toFloatArray());
                    for (java.util.Map.Entry<String, NDArray> e : new java.util.TreeMap<>(a.secondMoments()).entrySet()) fv.put(e.getKey(), e.getValue().toFloatArray());
                    for (int k = 0; k < 3; k++) pb.get(names[k]).muli(0).addi(pa.get(names[k]));
                    b.restore(a.stepCount(), fm, fv, pb);
                }
                try (NDManager s = mgr.newSubManager()) {
                    java.util.LinkedHashMap<String, NDArray> grads = new java.util.LinkedHashMap<>();
                    for (int k = 0; k < 3; k++) {
                        float[] g = new float[(int) new Shape(shapes[k]).size()];
                        for (int i = 0; i < g.length; i++) g[i] = (float) rng.nextGaussian();
                        grads.put(names[k], s.create(g, new Shape(shapes[k])));
                    }
                    a.step(pa, grads, lr);
                    if (t >= 3) b.step(pb, grads, lr);
                }
            }
            for (int k = 0; k < 3; k++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(pa.get(names[k]).toFloatArray(), pb.get(names[k]).toFloatArray(), names[k]);
            }
            assertEquals(4, b.stepCount());
        }
    }

    /**
     * Both update paths (libtorch's fused kernel, the default, and the whole-buffer ops) in float32 against the
     * float64 twin over 5 steps of two parameters, within 2e-6 relative: the fused kernel is really taken (it loads).
     */
    @Test
    void fusedAndCompositeFloat32UpdatesMatchTheTwin() {
        org.junit.jupiter.api.Assertions.assertTrue(dev.prefer.lm.FusedOps.available());
        boolean saved = AdamW.fused;
        try {
            for (boolean f : new boolean[] {true, false}) {
                AdamW.fused = f;
                Random rng = new Random(5);
                int n = 23;
                double[][] p = new double[2][n], m = new double[2][n], v = new double[2][n];
                for (double[] q : p) for (int i = 0; i < n; i++) q[i] = rng.nextGaussian();
                double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01;
                try (NDManager mgr = Torch.newManager(); AdamW opt = new AdamW(mgr, b1, b2, eps, wd)) {
                    NDArray a = mgr.create(toFloat(p[0]), new Shape(n)), b = mgr.create(toFloat(p[1]), new Shape(1, n));
                    for (int t = 1; t <= 5; t++) {
                        double[][] g = new double[2][n];
                        for (double[] q : g) for (int i = 0; i < n; i++) q[i] = (float) rng.nextGaussian();
                        try (NDManager s = mgr.newSubManager()) {
                            java.util.LinkedHashMap<String, NDArray> grads = new java.util.LinkedHashMap<>();
                            grads.put("a", s.create(toFloat(g[0]), new Shape(n)));
                            grads.put("b", s.create(toFloat(g[1]), new Shape(1, n)));
                            opt.step(Map.of("a", a, "b", b), grads, lr);
                        }
                        for (int k = 0; k < 2; k++) AdamW.twin(p[k], g[k], m[k], v[k], t, lr, b1, b2, eps, wd);
                        float[] ga = a.toFloatArray(), gb = b.toFloatArray();
                        for (int i = 0; i < n; i++) {
                            assertEquals(p[0][i], ga[i], 2e-6 * Math.max(1, Math.abs(p[0][i])), "fused " + f + " step " + t + " a[" + i + "]");
                            assertEquals(p[1][i], gb[i], 2e-6 * Math.max(1, Math.abs(p[1][i])), "fused " + f + " step " + t + " b[" + i + "]");
                        }
                    }
                }
            }
        } finally {
            AdamW.fused = saved;
        }
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
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
