package dev.prefer.lm;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.prefer.lm.bench.GenerateBench;
import java.lang.reflect.Field;
import java.util.*;

/** scratch: paired CPU comparison of decode-step source variants (same state, interleaved calls). */
public class S3Pair {
    static Object get(Object o, String f) throws Exception { Field x = o.getClass().getDeclaredField(f); x.setAccessible(true); return x.get(o); }
    public static void main(String[] a) throws Exception {
        Torch.init();
        GenerateBench.Size size = GenerateBench.Size.named(a[0]);
        int iters = Integer.parseInt(a[1]);
        String[] files = Arrays.copyOfRange(a, 2, a.length);
        ModelConfig cfg = ModelConfig.gpt2(size.vocab(), size.ctx(), size.width(), size.layers(), size.heads());
        JniUtils.setGradMode(false);
        JniUtils.setGraphExecutorOptimize(false);
        JniUtils.setNumThreads(Integer.getInteger("threads", 1));
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        PtNDManager own = (PtNDManager) Torch.newManager();
        PtSymbolBlock[] mods = new PtSymbolBlock[files.length];
        for (int i = 0; i < files.length; i++) {
            String src = java.nio.file.Files.readString(java.nio.file.Path.of(files[i]));
            byte[] arch = FusedOps.archive("Gpt2Decode", "  def forward(self: __torch__.Gpt2Decode,\n    " + src);
            mods[i] = JniUtils.loadModule(own, new java.io.ByteArrayInputStream(arch), true, false);
        }
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
                IValue weights = (IValue) get(script, "weights"), state = (IValue) get(script, "state");
                IValue packed = (IValue) get(script, "packed"), unpacked = (IValue) get(script, "unpacked");
                IValue products = packed != null ? packed : unpacked;
                int len = Integer.getInteger("len", lmax + 32);
                long[] ints = new long[2 * b + 4];
                for (int r = 0; r < b; r++) { ints[r] = r; ints[b + r] = size.promptLen(r) + len - lmax - 1; }
                ints[2 * b] = len; ints[2 * b + 1] = cfg.numHeads(); ints[2 * b + 2] = 0; ints[2 * b + 3] = 1;
                double[] fl = new double[4 + b];
                fl[0] = 1.0; fl[1] = cfg.normEps(); fl[2] = Math.sqrt(cfg.headDim()); fl[3] = DecodeScript.headChunkRows(cfg.hiddenSize(), cfg.vocabSize());
                for (int r = 0; r < b; r++) fl[4 + r] = rng.nextDouble();
                double[][] cpu = new double[files.length][iters];
                double[][] outs = new double[files.length][];
                for (int it = 0; it < iters; it++) {
                    for (int k0 = 0; k0 < files.length; k0++) {
                        int k = (k0 + it) % files.length;
                        try (IValue in = IValue.listFrom(ints); IValue f = IValue.listFrom(fl)) {
                            long c0 = mx.getCurrentThreadCpuTime();
                            IValue out = IValueUtils.forward(mods[k], new IValue[] {in, f, weights, state, products});
                            cpu[k][it] = (mx.getCurrentThreadCpuTime() - c0) / 1e3;
                            if (it == 0) { var t = out.toTensorArray(own); outs[k] = t[0].toDoubleArray(); }
                            out.close();
                        }
                    }
                }
                for (int k = 0; k < files.length; k++) {
                    double[] c = cpu[k].clone(); Arrays.sort(c);
                    System.out.printf(Locale.ROOT, "%-20s median %.1f us  p25 %.1f  min %.1f  same-as-first %s%n", files[k], c[iters / 2], c[iters / 4], c[0],
                            Arrays.equals(outs[k], outs[0]));
                }
                script.close();
            }
        }
    }
}
