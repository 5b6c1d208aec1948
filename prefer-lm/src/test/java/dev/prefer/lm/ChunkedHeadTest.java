package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The chunked LM head ({@link ChunkedHead}) against the plain pass it replaces (the whole (N, V) logits, log-softmax
 * and gather under autograd, one backward): the same per-token log-probs and entropies, and the same gradients of a
 * non-linear loss of them wrt the hidden rows and the head weight, for chunks of 1, 3 and all rows and for the kept
 * (recorded, small N·V) pass; in float64 also
 * against central finite differences of the chunked forward itself.
 */
class ChunkedHeadTest {
    private static final int N = 7, V = 41, D = 12;

    /** A non-linear loss of the per-token log-probs, so that ∂L/∂logp differs per token: Σ c_i t_i + (Σ t_i / N)². */
    private static NDArray loss(NDArray t, double[] c) {
        NDArray w = t.getManager().create(c).toType(t.getDataType(), false);
        NDArray mean = t.sum().div(Transformer.constant(t, N));
        return t.mul(w).sum().add(mean.mul(mean));
    }

    private record Grads(double[] values, double[] entropies, double[] hidden, double[] head, double loss) {}

    /** rows 0: the plain pass written here; -1: the head's own recorded pass ({@link ChunkedHead#keptLogps}); else chunks of {@code rows}. */
    private static Grads run(CausalLM lm, double[] x, long[] labels, double[] c, int rows, DataType hiddenType) {
        Transformer model = lm.model();
        NDArray w = model.outputEmbedding();
        model.zeroGradients();
        try (NDManager step = model.manager().newSubManager()) {
            NDArray hidden = step.create(x, new Shape(N, D)).toType(hiddenType, false);
            hidden.setRequiresGradient(true);
            double[] values, entropies;
            double l;
            try (GradientCollector gc = Torch.init().newGradientCollector()) {
                NDArray t;
                if (rows == 0) {
                    NDArray ls = model.logits(hidden).logSoftmax(-1);
                    t = ls.gather(Transformer.engineOwned(step.create(labels, new Shape(N, 1))), 1).reshape(N);
                    NDArray d = ls.stopGradient();
                    entropies = d.exp().mul(d).sum(new int[] {1}).neg().toType(DataType.FLOAT64, false).toDoubleArray();
                } else {
                    ChunkedHead.Out out = rows < 0 ? ChunkedHead.keptLogps(model, step, hidden, labels, false)
                            : ChunkedHead.logps(model, step, hidden, labels, false, rows);
                    t = out.tokenLogps();
                    entropies = out.entropies().toType(DataType.FLOAT64, false).toDoubleArray();
                }
                values = t.toType(DataType.FLOAT64, false).toDoubleArray();
                NDArray loss = loss(t, c);
                l = loss.toType(DataType.FLOAT64, false).getDouble();
                Transformer.backward(gc, loss);
            }
            return new Grads(values, entropies, hidden.getGradient().toType(DataType.FLOAT64, false).toDoubleArray(),
                    model.headTrainable() ? w.getGradient().toType(DataType.FLOAT64, false).toDoubleArray() : null, l);
        }
    }

    private static CausalLM model(Precision p) {
        return CausalLM.randomInit(ModelConfig.gpt2(V, 16, D, 1, 2), 5, p);
    }

    private static void assertClose(double[] want, double[] got, double rel, String what) {
        double scale = 0;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        assertTrue(scale > 0, what + ": all zero");
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], rel * scale, what + " [" + i + "]");
    }

    @Test
    void chunksMatchThePlainPassAndFiniteDifferences() {
        Random rng = new Random(3);
        double[] x = new double[N * D], c = new double[N];
        long[] labels = new long[N];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian();
        for (int i = 0; i < N; i++) {
            c[i] = rng.nextGaussian();
            labels[i] = rng.nextInt(V);
        }
        try (CausalLM lm = model(Precision.F64)) {
            lm.setTrainable(true);
            Grads plain = run(lm, x, labels, c, 0, DataType.FLOAT64);
            for (int rows : new int[] {1, 3, N, -1}) {
                Grads ch = run(lm, x, labels, c, rows, DataType.FLOAT64);
                assertClose(plain.values(), ch.values(), 1e-12, "log-probs, rows " + rows);
                assertClose(plain.entropies(), ch.entropies(), 1e-12, "entropies, rows " + rows);
                assertClose(plain.hidden(), ch.hidden(), 1e-12, "∂L/∂hidden, rows " + rows);
                assertClose(plain.head(), ch.head(), 1e-12, "∂L/∂W, rows " + rows);
            }
            // central differences of the chunked forward (no autograd) at a few hidden and weight coordinates
            Grads ch = run(lm, x, labels, c, 3, DataType.FLOAT64);
            double h = 1e-6;
            for (int k = 0; k < 4; k++) {
                int i = rng.nextInt(x.length);
                double[] xp = x.clone(), xm = x.clone();
                xp[i] += h;
                xm[i] -= h;
                double fd = (forward(lm, xp, labels, c) - forward(lm, xm, labels, c)) / (2 * h);
                assertEquals(fd, ch.hidden()[i], 1e-6 * Math.max(1, Math.abs(fd)), "finite difference, hidden " + i);
            }
            NDArray w = lm.model().outputEmbedding();
            for (int k = 0; k < 4; k++) {
                int i = rng.nextInt((int) w.size());
                double[] fx = new double[2];
                for (int s = 0; s < 2; s++) {
                    double[] d = new double[(int) w.size()];
                    d[i] = s == 0 ? h : -2 * h;
                    try (NDManager m = lm.model().manager().newSubManager()) {
                        w.addi(m.create(d, w.getShape()));
                    }
                    fx[s] = forward(lm, x, labels, c);
                }
                double[] back = new double[(int) w.size()];
                back[i] = h;
                try (NDManager m = lm.model().manager().newSubManager()) {
                    w.addi(m.create(back, w.getShape()));
                }
                double fd = (fx[0] - fx[1]) / (2 * h);
                assertEquals(fd, ch.head()[i], 1e-6 * Math.max(1, Math.abs(fd)), "finite difference, head weight " + i);
            }
        }
    }

    /** The loss of the chunked forward without autograd. */
    private static double forward(CausalLM lm, double[] x, long[] labels, double[] c) {
        boolean grad = ai.djl.pytorch.jni.JniUtils.isGradMode();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        try (NDManager step = lm.model().manager().newSubManager()) {
            NDArray hidden = step.create(x, new Shape(N, D));
            return loss(ChunkedHead.logps(lm.model(), step, hidden, labels, false, 3).tokenLogps(), c).getDouble();
        } finally {
            ai.djl.pytorch.jni.JniUtils.setGradMode(grad);
        }
    }

    @Test
    void mixedPrecisionChunksMatchThePlainPass() {
        // float16 hidden rows over float32 masters: the head weight is cast per chunk (recorded), logits back to float32
        Random rng = new Random(4);
        double[] x = new double[N * D], c = new double[N];
        long[] labels = new long[N];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian();
        for (int i = 0; i < N; i++) {
            c[i] = rng.nextGaussian();
            labels[i] = rng.nextInt(V);
        }
        try (CausalLM lm = model(Precision.F32)) {
            lm.setTrainable(true);
            Grads plain = run(lm, x, labels, c, 0, DataType.FLOAT16);
            for (int rows : new int[] {1, 3}) {
                Grads ch = run(lm, x, labels, c, rows, DataType.FLOAT16);
                assertClose(plain.values(), ch.values(), 1e-6, "log-probs, rows " + rows);
                assertClose(plain.hidden(), ch.hidden(), 2e-3, "∂L/∂hidden, rows " + rows);
                assertClose(plain.head(), ch.head(), 2e-3, "∂L/∂W, rows " + rows);
            }
        }
    }

    @Test
    void aFrozenHeadTakesTheHiddenGradientFromTheForward() {
        // LoRA: the head weight records no gradient; ∂logp/∂hidden comes from the forward, no recompute
        Random rng = new Random(5);
        double[] x = new double[N * D], c = new double[N];
        long[] labels = new long[N];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian();
        for (int i = 0; i < N; i++) {
            c[i] = rng.nextGaussian();
            labels[i] = rng.nextInt(V);
        }
        try (CausalLM lm = model(Precision.F64)) {
            lm.setTrainable(false);
            assertTrue(!lm.model().headTrainable());
            Grads plain = run(lm, x, labels, c, 0, DataType.FLOAT64);
            for (int rows : new int[] {1, 3, N}) {
                Grads ch = run(lm, x, labels, c, rows, DataType.FLOAT64);
                assertClose(plain.values(), ch.values(), 1e-12, "log-probs, rows " + rows);
                assertClose(plain.entropies(), ch.entropies(), 1e-12, "entropies, rows " + rows);
                assertClose(plain.hidden(), ch.hidden(), 1e-12, "∂L/∂hidden, rows " + rows);
            }
        }
        try (CausalLM lm = model(Precision.F16)) { // a float16 base, as LoRA over --precision fp16 keeps it
            lm.setTrainable(false);
            Grads plain = run(lm, x, labels, c, 0, DataType.FLOAT16);
            Grads ch = run(lm, x, labels, c, 3, DataType.FLOAT16);
            assertClose(plain.values(), ch.values(), 1e-6, "float16 log-probs");
            assertClose(plain.hidden(), ch.hidden(), 2e-3, "float16 ∂L/∂hidden");
        }
    }

    @Test
    void aPassWithoutBackwardIsDroppedWithItsStep() {
        try (CausalLM lm = model(Precision.F32)) {
            lm.setTrainable(true);
            double[] x = new double[N * D];
            long[] labels = new long[N];
            try (NDManager step = lm.model().manager().newSubManager(); GradientCollector gc = Torch.init().newGradientCollector()) {
                NDArray hidden = step.create(x, new Shape(N, D)).toType(DataType.FLOAT32, false);
                ChunkedHead.logps(lm.model(), step, hidden, labels, false, 2); // never back-propagated
            }
            double[] c = new double[N];
            java.util.Arrays.fill(c, 1);
            Grads g = run(lm, new Random(1).doubles(N * D).toArray(), labels, c, 2, DataType.FLOAT32);
            assertTrue(Double.isFinite(g.loss()));
        }
    }
}
