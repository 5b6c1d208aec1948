package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.util.*;

/**
 * Microbenchmark of GPT-2-small decoding products through TorchScript and DJL (docs/results/generate.md, "Speed2"):
 * the 48 layer products (or {@code -Dhead=true -Dlayers=1}: the LM head) for M rows, per sweep, wall and thread CPU.
 * Modes ({@code -Dmodes=0,3}): 0 {@code addmm} on the (in, out) weights; 1 {@code linear} on an (out, in) copy;
 * 2 MKL packed ({@code mkl::_mkl_linear}, packed for {@code -Dpackbs}); 3 oneDNN packed ({@code _linear_pointwise});
 * 4 a plain read ({@code sum}); 5 contiguous row pieces of ~1 MiB accumulated with {@code addmm_}; 6 an (out, in)
 * copy in 1 MiB pieces. Other knobs: {@code -Dms=1,4,8,16 -Dthreads=1,2 -Drounds=5 -Dreps=3}. Run from the
 * repository root after {@code mvn -pl prefer-lm -am verify} and {@code ./prefer --help}:
 * {@code java -cp prefer-lm/target/test-classes:prefer-cli/target/prefer-cli.jar:'prefer-cli/target/lib/*'
 * dev.prefer.lm.DecodeProductsBench}. A benchmark: it asserts nothing.
 */
public class DecodeProductsBench {
    static PtSymbolBlock load(PtNDManager owner, String cls, String src) throws Exception {
        byte[] a = FusedOps.archive(cls, "  def forward(self: __torch__." + cls + ",\n    " + src);
        return JniUtils.loadModule(owner, new ByteArrayInputStream(a), true, false);
    }
    public static void main(String[] args) throws Exception {
        Torch.init();
        JniUtils.setGradMode(false);
        JniUtils.setGraphExecutorOptimize(false);
        PtNDManager m = (PtNDManager) Torch.newManager();
        String pack = "ws: List[Tensor], mode: int, bs: int) -> List[Tensor]:\n"
            + "    out: List[Tensor] = []\n"
            + "    for i in range(len(ws) // 2):\n"
            + "        w = ws[2 * i]\n"
            + "        if mode == 0:\n"
            + "            out.append(w)\n"
            + "        elif mode == 1:\n"
            + "            out.append(w.t().contiguous())\n"
            + "        elif mode == 2:\n"
            + "            out.append(ops.mkl._mkl_reorder_linear_weight(w.t().contiguous(), bs))\n"
            + "        elif mode == 3:\n"
            + "            out.append(ops.mkldnn._reorder_linear_weight(w.t().contiguous(), bs))\n"
            + "        elif mode == 6:\n"
            + "            out.append(w.t().contiguous())\n"
            + "        else:\n"
            + "            out.append(w)\n"
            + "    return out\n";
        String run = "x: Tensor, ws: List[Tensor], pw: List[Tensor], mode: int, bs: int, reps: int) -> Tensor:\n"
            + "    acc = torch.zeros([1])\n"
            + "    for r in range(reps):\n"
            + "        for i in range(len(pw)):\n"
            + "            w = ws[2 * i]\n"
            + "            b = ws[2 * i + 1]\n"
            + "            xi = x.narrow(1, 0, w.size(0)).contiguous()\n"
            + "            if mode == 0:\n"
            + "                y = torch.addmm(b, xi, w)\n"
            + "            elif mode == 1:\n"
            + "                y = torch.linear(xi, pw[i], b)\n"
            + "            elif mode == 2:\n"
            + "                y = ops.mkl._mkl_linear(xi, pw[i], w.t(), b, bs)\n"
            + "            elif mode == 3:\n"
            + "                y = ops.mkldnn._linear_pointwise(xi, pw[i], b, \"none\", [], \"\")\n"
            + "            elif mode == 5:\n"
            + "                c = max(1, 262144 // w.size(1))\n"
            + "                y = torch.addmm(b, xi.narrow(1, 0, c), w.narrow(0, 0, c))\n"
            + "                k0 = c\n"
            + "                while k0 < w.size(0):\n"
            + "                    cc = min(c, w.size(0) - k0)\n"
            + "                    y.addmm_(xi.narrow(1, k0, cc), w.narrow(0, k0, cc))\n"
            + "                    k0 += cc\n"
            + "            elif mode == 6:\n"
            + "                c = max(1, 262144 // pw[i].size(1))\n"
            + "                y = torch.cat([torch.mm(xi, ch.t()) for ch in torch.split(pw[i], c)], 1) + b\n"
            + "            else:\n"
            + "                y = w.sum().reshape([1, 1])\n"
            + "            acc = acc + y.narrow(0, 0, 1).narrow(1, 0, 1).reshape([1])\n"
            + "    return acc\n";
        PtSymbolBlock packM = load(m, "DecodeProductsPack", pack), runM = load(m, "DecodeProductsRun", run);
        int[][] shapes = Boolean.getBoolean("head") ? new int[][] {{768, 50257}} : new int[][] {{768, 2304}, {768, 768}, {768, 3072}, {3072, 768}};
        int layers = Integer.getInteger("layers", 12);
        List<PtNDArray> ws = new ArrayList<>();
        Random rng = new Random(1);
        for (int l = 0; l < layers; l++) for (int[] s : shapes) {
            ws.add((PtNDArray) m.randomNormal(0, 0.02f, new Shape(s[0], s[1]), ai.djl.ndarray.types.DataType.FLOAT32));
            ws.add((PtNDArray) m.randomNormal(0, 0.02f, new Shape(s[1]), ai.djl.ndarray.types.DataType.FLOAT32));
        }
        long bytes = 0;
        for (int l = 0; l < layers; l++) for (int[] s : shapes) bytes += 4L * s[0] * s[1];
        int[] ms = Arrays.stream(System.getProperty("ms", "1,4,8,16").split(",")).mapToInt(Integer::parseInt).toArray();
        int[] modes = Arrays.stream(System.getProperty("modes", "0,1,2,3,4").split(",")).mapToInt(Integer::parseInt).toArray();
        int[] threads = Arrays.stream(System.getProperty("threads", "1,2").split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = Integer.getInteger("rounds", 5), reps = Integer.getInteger("reps", 3);
        IValue wsv = IValue.listFrom(ws.toArray(PtNDArray[]::new));
        for (int bs : ms) {
            PtNDArray x = (PtNDArray) m.randomNormal(new Shape(bs, 3072));
            IValue[] packed = new IValue[modes.length];
            long tp = 0;
            for (int i = 0; i < modes.length; i++) {
                tp = System.nanoTime();
                try (IValue md = IValue.from(modes[i]); IValue b = IValue.from(Integer.getInteger("packbs", bs));
                     IValue o = IValueUtils.forward(packM, new IValue[] {wsv, md, b})) {
                    packed[i] = IValue.listFrom(o.toTensorArray(m));
                    System.out.printf("pack mode %d: %.1f ms%n", modes[i], (System.nanoTime() - tp) / 1e6);
                }
            }
            // check equality of results vs mode 0 for first product
            Map<String, List<Double>> times = new TreeMap<>();
            for (int round = 0; round < rounds; round++) {
                for (int t : threads) {
                    JniUtils.setNumThreads(t);
                    for (int i = 0; i < modes.length; i++) {
                        try (IValue md = IValue.from(modes[i]); IValue b = IValue.from(bs); IValue rp = IValue.from(reps); IValue xv = IValue.from(x)) {
                            long c0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                            long t0 = System.nanoTime();
                            IValue o = IValueUtils.forward(runM, new IValue[] {xv, wsv, packed[i], md, b, rp});
                            double ms1 = (System.nanoTime() - t0) / 1e6 / reps;
                            double cms = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - c0) / 1e6 / reps;
                            o.close();
                            if (round > 0) { times.computeIfAbsent("M=" + bs + " t=" + t + " mode=" + modes[i], k -> new ArrayList<>()).add(ms1); times.computeIfAbsent("M=" + bs + " t=" + t + " mode=" + modes[i] + " cpu", k -> new ArrayList<>()).add(cms); }
                        }
                    }
                }
            }
            for (var e : times.entrySet()) {
                List<Double> v = new ArrayList<>(e.getValue());
                Collections.sort(v);
                double med = v.get(v.size() / 2);
                System.out.printf(Locale.ROOT, "%s: median %.2f ms per sweep (%.1f GB/s)  all %s%n", e.getKey(), med, bytes / med / 1e6, v);
            }
        }
    }
}
