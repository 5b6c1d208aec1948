package dev.prefer.lm;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.prefer.lm.bench.GenerateBench;
import java.util.*;

/** scratch: CPU per DecodeScript.step at a fixed slot, sampled mode. */
public class S3Step {
    public static void main(String[] a) throws Exception {
        Torch.init();
        GenerateBench.Size size0 = GenerateBench.Size.named(a[0]);
        GenerateBench.Size size = new GenerateBench.Size(size0.name(), size0.layers(), size0.width(), size0.heads(), size0.vocab(), size0.ctx(), Integer.getInteger("batch", size0.batch()), size0.minLen(), size0.maxLen(), size0.newTokens());
        int iters = Integer.parseInt(a[1]);
        ModelConfig cfg = ModelConfig.gpt2(size.vocab(), size.ctx(), size.width(), size.layers(), size.heads());
        JniUtils.setGradMode(false);
        JniUtils.setNumThreads(Integer.getInteger("threads", 1));
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        try (CausalLM lm = CausalLM.randomInit(cfg, 0, Precision.F32)) {
            Transformer model = lm.model();
            int b = size.batch(), lmax = size.maxLen();
            long[] ids = new long[b * lmax], pos = new long[b * lmax], offs = new long[b];
            boolean[] valid = new boolean[b * lmax];
            Random rng = new Random(1);
            for (int r = 0; r < b; r++) {
                offs[r] = lmax - size.promptLen(r);
                for (int j = 0; j < lmax; j++) {
                    ids[r * lmax + j] = rng.nextInt(size.vocab());
                    pos[r * lmax + j] = Math.max(0, j - offs[r]);
                    valid[r * lmax + j] = j >= offs[r];
                }
            }
            int smax = lmax + size.newTokens();
            try (NDManager m = model.manager().newSubManager(); Transformer.KvCache cache = model.newCache(m)) {
                model.forward(m, ids, pos, valid, b, cache, lmax - 1);
                DecodeScript script = DecodeScript.from(model, cache, smax, offs, m, 63);
                long[] next = new long[b], stepPos = new long[b];
                double[] u = new double[b];
                int len = lmax + 32;
                for (int r = 0; r < b; r++) { next[r] = r; stepPos[r] = size.promptLen(r) + 31; u[r] = rng.nextDouble(); }
                for (int round = 0; round < 5; round++) {
                    long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                    for (int i = 0; i < iters; i++) script.step(next, stepPos, len, 1.0, false, u);
                    double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / iters, wall = (System.nanoTime() - t0) / 1e3 / iters;
                    System.out.printf(Locale.ROOT, "%s step: cpu %.1f us wall %.1f us%n", size.name(), cpu, wall);
                }
                script.close();
            }
        }
    }
}
