package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.util.*;

/** scratch: tiny products per step, several formulations. */
public class S3Mm {
    public static void main(String[] a) throws Exception {
        Torch.init();
        JniUtils.setGradMode(false);
        JniUtils.setGraphExecutorOptimize(false);
        JniUtils.setNumThreads(Integer.getInteger("threads", 1));
        int m = Integer.parseInt(a[0]), d = Integer.parseInt(a[1]), iters = Integer.parseInt(a[2]);
        PtNDManager nm = (PtNDManager) Torch.newManager();
        String src = "x: Tensor, ws: List[Tensor], pw: List[Tensor], mode: int, iters: int) -> Tensor:\n"
            + "    y = x\n"
            + "    d = x.size(1)\n"
            + "    for it in range(iters):\n"
            + "        for i in range(len(ws) // 2):\n"
            + "            w = ws[2 * i]\n"
            + "            xi = x if w.size(0) == d else torch.cat([x, x, x, x], 1)\n"
            + "            if mode == 0:\n"
            + "                y = torch.addmm(ws[2 * i + 1], xi, w)\n"
            + "            elif mode == 1:\n"
            + "                y = torch.mm(xi, w)\n"
            + "            elif mode == 2:\n"
            + "                y = torch.linear(xi, pw[i], ws[2 * i + 1])\n"
            + "            elif mode == 3:\n"
            + "                y = ops.mkldnn._linear_pointwise(xi, pw[i + 4], ws[2 * i + 1], \"none\", [], \"\")\n"
            + "            elif mode == 4:\n"
            + "                y = ops.mkl._mkl_linear(xi, pw[i + 8], pw[i], ws[2 * i + 1], xi.size(0))\n"
            + "            else:\n"
            + "                y = xi\n"
            + "    return y\n";
        byte[] arch = FusedOps.archive("S3Mm", "  def forward(self: __torch__.S3Mm,\n    " + src);
        PtSymbolBlock mod = JniUtils.loadModule(nm, new java.io.ByteArrayInputStream(arch), true, false);
        String packSrc = "ws: List[Tensor], m: int) -> List[Tensor]:\n"
            + "    out: List[Tensor] = []\n"
            + "    for i in range(len(ws) // 2):\n"
            + "        out.append(ws[2 * i].t().contiguous())\n"
            + "    for i in range(len(ws) // 2):\n"
            + "        out.append(ops.mkldnn._reorder_linear_weight(ws[2 * i].t().contiguous(), m))\n"
            + "    for i in range(len(ws) // 2):\n"
            + "        out.append(ops.mkl._mkl_reorder_linear_weight(ws[2 * i].t().contiguous(), m))\n"
            + "    return out\n";
        byte[] parch = FusedOps.archive("S3Pack", "  def forward(self: __torch__.S3Pack,\n    " + packSrc);
        PtSymbolBlock pmod = JniUtils.loadModule(nm, new java.io.ByteArrayInputStream(parch), true, false);
        int[][] shapes = {{d, 3 * d}, {d, d}, {d, 4 * d}, {4 * d, d}};
        List<PtNDArray> ws = new ArrayList<>();
        for (int[] s : shapes) { ws.add((PtNDArray) nm.randomNormal(new Shape(s[0], s[1]))); ws.add((PtNDArray) nm.zeros(new Shape(s[1]))); }
        NDArray x = nm.randomNormal(new Shape(m, d));
        IValue iws = IValue.listFrom(ws.toArray(PtNDArray[]::new));
        IValue pwl;
        try (IValue im = IValue.from((long) m); IValue out = IValueUtils.forward(pmod, new IValue[] {iws, im})) {
            pwl = IValue.listFrom(out.toTensorArray(nm));
        }
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 3; round++) {
            StringBuilder sb = new StringBuilder();
            for (int mode : new int[] {0, 1, 2, 3, 4, 5}) {
                try (IValue ix = IValue.from((PtNDArray) x); IValue im = IValue.from((long) mode); IValue it = IValue.from((long) iters)) {
                    long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                    IValue out = IValueUtils.forward(mod, new IValue[] {ix, iws, pwl, im, it});
                    double us = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / iters, wall = (System.nanoTime() - t0) / 1e3 / iters;
                    out.close();
                    sb.append(String.format(Locale.ROOT, " mode%d %.1f (%.1f)", mode, us, wall));
                }
            }
            System.out.println("us per 4 products cpu (wall):" + sb);
        }
    }
}
