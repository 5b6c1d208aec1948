package dev.prefer.lm;

import ai.djl.pytorch.jni.JniUtils;
import dev.prefer.lm.bench.GenerateBench;
import java.util.*;

/** scratch: thread invariance + per-call timing. */
public class S3Harness {
    public static void main(String[] a) throws Exception {
        Torch.init();
        GenerateBench.Size size = GenerateBench.Size.named(a[0]);
        String mode = a[1];
        int calls = Integer.parseInt(a[2]);
        ModelConfig cfg = ModelConfig.gpt2(size.vocab(), size.ctx(), size.width(), size.layers(), size.heads());
        try (CausalLM lm = CausalLM.randomInit(cfg, 0, Precision.F32)) {
            Random rng = new Random(1);
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < size.batch(); i++) {
                long[] ids = new long[size.promptLen(i)];
                for (int j = 0; j < ids.length; j++) ids[j] = rng.nextInt(size.vocab());
                reqs.add(new GenerationRequest(ids, i));
            }
            int nt = Integer.getInteger("newTokens", size.newTokens());
            GenerationConfig gc = new GenerationConfig(nt, false, 1.0, 0, 1.0, 0, false).withMaxBatch(size.batch());
            if (mode.equals("inv")) {
                List<List<Completion>> ref = null;
                for (int th : new int[] {1, 2, 1, 2}) {
                    JniUtils.setNumThreads(th);
                    List<List<Completion>> out = lm.complete(reqs, gc);
                    if (ref == null) { ref = out; continue; }
                    int diffIds = 0, diffLp = 0; double maxd = 0;
                    for (int i = 0; i < out.size(); i++) {
                        Completion x = out.get(i).get(0), y = ref.get(i).get(0);
                        if (!Arrays.equals(x.tokenIds(), y.tokenIds())) diffIds++;
                        for (int t = 0; t < Math.min(x.logps().length, y.logps().length); t++) {
                            if (x.logps()[t] != y.logps()[t]) { diffLp++; maxd = Math.max(maxd, Math.abs(x.logps()[t] - y.logps()[t])); }
                        }
                    }
                    System.out.println("threads " + th + " vs 1: rows with other ids " + diffIds + ", differing logps " + diffLp + " max " + maxd);
                }
            } else {
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                double[] w = new double[calls], c = new double[calls];
                for (int r = 0; r < calls + 2; r++) {
                    long t0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
                    lm.complete(reqs, gc);
                    if (r >= 2) { w[r - 2] = (System.nanoTime() - t0) / 1e6; c[r - 2] = (mx.getCurrentThreadCpuTime() - c0) / 1e6; }
                }
                Arrays.sort(w); Arrays.sort(c);
                System.out.printf(Locale.ROOT, "%s %s: wall ms median %.2f min %.2f | caller cpu median %.2f min %.2f | load %s%n", size.name(), mode,
                        w[calls / 2], w[0], c[calls / 2], c[0], java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
            }
        }
    }
}
