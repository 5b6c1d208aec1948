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
 * The fused kernels against double-precision formulas written out here (not against the composite ops they
 * replace): the tanh GELU and its derivative element by element, and attention softmax(q k^T s + bias) v with the
 * gradients of sum(w · out) by q, k and v, computed in Java doubles from the definition.
 */
class FusedOpsTest {

    @Test
    void kernelsLoad() {
        assertTrue(FusedOps.available(), "TorchScript modules compile on this libtorch");
    }

    @Test
    void geluTanhAndItsGradientMatchTheFormula() {
        Random r = new Random(7);
        int n = 257;
        float[] x = new float[n], w = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 3);
            w[i] = (float) r.nextGaussian();
        }
        try (NDManager m = Torch.newManager()) {
            NDArray xa = m.create(x).duplicate();
            xa.setRequiresGradient(true);
            float[] y, g;
            try (GradientCollector gc = Torch.init().newGradientCollector()) {
                NDArray out = FusedOps.geluTanh(xa);
                y = out.toFloatArray();
                gc.backward(out.mul(m.create(w).duplicate()).sum());
            }
            g = xa.getGradient().toFloatArray();
            double c = Math.sqrt(2 / Math.PI);
            for (int i = 0; i < n; i++) {
                double v = x[i], u = c * (v + 0.044715 * v * v * v), th = Math.tanh(u);
                double want = 0.5 * v * (1 + th);
                double dwant = 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * c * (1 + 3 * 0.044715 * v * v);
                assertEquals(want, y[i], 2e-6 * Math.max(1, Math.abs(want)), "gelu(" + v + ")");
                assertEquals(w[i] * dwant, g[i], 2e-6 * Math.max(1, Math.abs(w[i] * dwant)), "gelu'(" + v + ")");
            }
        }
    }

    @Test
    void attentionAndItsGradientsMatchTheDefinition() {
        int b = 2, h = 3, t = 5, s = 7, e = 4;
        double scale = 1 / Math.sqrt(e);
        Random r = new Random(11);
        float[] q = gauss(r, b * h * t * e), k = gauss(r, b * h * s * e), v = gauss(r, b * h * s * e), w = gauss(r, b * h * t * e);
        float[] bias = new float[b * t * s]; // (B, 1, T, S): per row, some keys masked, others offset
        for (int i = 0; i < bias.length; i++) bias[i] = (i % 5 == 3) ? Transformer.MASKED : (float) (0.3 * r.nextGaussian());
        for (int bi = 0; bi < b; bi++) for (int ti = 0; ti < t; ti++) bias[(bi * t + ti) * s] = 0f; // every query sees key 0
        float[] out, gq, gk, gv;
        try (NDManager m = Torch.newManager()) {
            NDArray qa = m.create(q, new Shape(b, h, t, e)).duplicate(), ka = m.create(k, new Shape(b, h, s, e)).duplicate();
            NDArray va = m.create(v, new Shape(b, h, s, e)).duplicate();
            for (NDArray a : new NDArray[] {qa, ka, va}) a.setRequiresGradient(true);
            try (GradientCollector gc = Torch.init().newGradientCollector()) {
                NDArray o = FusedOps.attention(qa, ka, va, m.create(bias, new Shape(b, 1, t, s)).duplicate(), scale);
                assertEquals(DataType.FLOAT32, o.getDataType());
                out = o.toFloatArray();
                gc.backward(o.mul(m.create(w, new Shape(b, h, t, e)).duplicate()).sum());
            }
            gq = qa.getGradient().toFloatArray();
            gk = ka.getGradient().toFloatArray();
            gv = va.getGradient().toFloatArray();
        }
        double[] wq = new double[q.length], wk = new double[k.length], wv = new double[v.length];
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                int qo = (bi * h + hi) * t * e, ko = (bi * h + hi) * s * e;
                for (int ti = 0; ti < t; ti++) {
                    double[] p = new double[s];
                    double max = Double.NEGATIVE_INFINITY, z = 0;
                    for (int si = 0; si < s; si++) {
                        double d = 0;
                        for (int ei = 0; ei < e; ei++) d += (double) q[qo + ti * e + ei] * k[ko + si * e + ei];
                        p[si] = d * scale + bias[(bi * t + ti) * s + si];
                        max = Math.max(max, p[si]);
                    }
                    for (int si = 0; si < s; si++) z += p[si] = Math.exp(p[si] - max);
                    for (int si = 0; si < s; si++) p[si] /= z;
                    // out = p v; d out = w; dp_j = w . v_j; dscore_j = p_j (dp_j - sum p dp)
                    double[] dp = new double[s];
                    double pdp = 0;
                    for (int si = 0; si < s; si++) {
                        for (int ei = 0; ei < e; ei++) dp[si] += (double) w[qo + ti * e + ei] * v[ko + si * e + ei];
                        pdp += p[si] * dp[si];
                    }
                    for (int ei = 0; ei < e; ei++) {
                        double o = 0;
                        for (int si = 0; si < s; si++) o += p[si] * v[ko + si * e + ei];
                        assertEquals(o, out[qo + ti * e + ei], 1e-5, "out");
                    }
                    for (int si = 0; si < s; si++) {
                        double ds = p[si] * (dp[si] - pdp) * scale;
                        for (int ei = 0; ei < e; ei++) {
                            wq[qo + ti * e + ei] += ds * k[ko + si * e + ei];
                            wk[ko + si * e + ei] += ds * q[qo + ti * e + ei];
                            wv[ko + si * e + ei] += p[si] * w[qo + ti * e + ei];
                        }
                    }
                }
            }
        }
        for (int i = 0; i < q.length; i++) assertEquals(wq[i], gq[i], 1e-5, "dq " + i);
        for (int i = 0; i < k.length; i++) assertEquals(wk[i], gk[i], 1e-5, "dk " + i);
        for (int i = 0; i < v.length; i++) assertEquals(wv[i], gv[i], 1e-5, "dv " + i);
    }

    @Test
    void groupedQueryAttentionReadsKeyHeadHOverG() {
        int b = 1, h = 4, kh = 2, t = 3, e = 2;
        Random r = new Random(3);
        float[] q = gauss(r, b * h * t * e), k = gauss(r, b * kh * t * e), v = gauss(r, b * kh * t * e);
        float[] bias = new float[t * t];
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) bias[i * t + j] = Transformer.MASKED;
        try (NDManager m = Torch.newManager()) {
            float[] out = FusedOps.attention(m.create(q, new Shape(b, h, t, e)).duplicate(), m.create(k, new Shape(b, kh, t, e)).duplicate(),
                    m.create(v, new Shape(b, kh, t, e)).duplicate(), m.create(bias, new Shape(1, 1, t, t)).duplicate(), 0.5).toFloatArray();
            for (int hi = 0; hi < h; hi++) {
                int g = hi / (h / kh);
                for (int ti = 0; ti < t; ti++) {
                    double[] p = new double[t];
                    double z = 0;
                    for (int si = 0; si <= ti; si++) {
                        double d = 0;
                        for (int ei = 0; ei < e; ei++) d += (double) q[(hi * t + ti) * e + ei] * k[(g * t + si) * e + ei];
                        z += p[si] = Math.exp(0.5 * d);
                    }
                    for (int ei = 0; ei < e; ei++) {
                        double o = 0;
                        for (int si = 0; si <= ti; si++) o += p[si] / z * v[(g * t + si) * e + ei];
                        assertEquals(o, out[(hi * t + ti) * e + ei], 1e-5, "head " + hi + " query " + ti);
                    }
                }
            }
        }
    }

    @Test
    void archiveIsAZipOfTheModuleSource() {
        byte[] a = FusedOps.archive("Probe", "  def forward(self: __torch__.Probe,\n    x: Tensor) -> Tensor:\n    return x\n");
        assertEquals('P', a[0]);
        assertEquals('K', a[1]);
        String text = new String(a, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("archive/code/__torch__.py") && text.contains("class Probe(Module):"), text);
    }

    private static float[] gauss(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
