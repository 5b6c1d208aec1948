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
import java.util.*;

/** scratch: attention formulations for one decoding step (q len 1). */
public class S3Att {
    public static void main(String[] a) throws Exception {
        Torch.init();
        JniUtils.setGradMode(false);
        JniUtils.setGraphExecutorOptimize(false);
        JniUtils.setNumThreads(1);
        int r = Integer.parseInt(a[0]), h = Integer.parseInt(a[1]), e = Integer.parseInt(a[2]), smax = Integer.parseInt(a[3]), s = Integer.parseInt(a[4]);
        int iters = Integer.parseInt(a[5]);
        int d = h * e;
        PtNDManager m = (PtNDManager) Torch.newManager();
        String src = "q: Tensor, kc: Tensor, vc: Tensor, kd: Tensor, bias: Tensor, mode: int, s: int, h: int, iters: int) -> Tensor:\n"
            + "    b = q.size(0)\n"
            + "    e = q.size(3)\n"
            + "    d = h * e\n"
            + "    y = q\n"
            + "    sc = 1.0 / math.sqrt(e)\n"
            + "    for it in range(iters):\n"
            + "        if mode == 0:\n"
            + "            att = torch.matmul(q, kc.narrow(2, 0, s).transpose(2, 3)) * sc + bias.narrow(3, 0, s)\n"
            + "            y = torch.matmul(torch.softmax(att, -1), vc.narrow(2, 0, s))\n"
            + "        elif mode == 1:\n"
            + "            y = torch.scaled_dot_product_attention(q, kc.narrow(2, 0, s), vc.narrow(2, 0, s), bias.narrow(3, 0, s), 0.0, False, scale=sc)\n"
            + "        elif mode == 2:\n"
            + "            att = (q * kc.narrow(2, 0, s)).sum(-1) * sc + bias.narrow(3, 0, s).squeeze(2)\n"
            + "            y = (torch.softmax(att, -1).unsqueeze(-1) * vc.narrow(2, 0, s)).sum(2)\n"
            + "        elif mode == 3:\n"
            + "            # kd: (B, Smax, 2D) keys then values, heads interleaved as the qkv projection gives them\n"
            + "            k = kd.narrow(1, 0, s).narrow(2, 0, d)\n"
            + "            v = kd.narrow(1, 0, s).narrow(2, d, d)\n"
            + "            qb = torch.diag_embed(q.reshape(b, h, e).transpose(1, 2)).transpose(1, 2).reshape(b, d, h)\n"
            + "            att = torch.bmm(k, qb).transpose(1, 2) * sc + bias.narrow(3, 0, s).squeeze(2)\n"
            + "            full = torch.bmm(torch.softmax(att, -1), v)\n"
            + "            y = torch.diagonal(full.reshape(b, h, h, e), 0, 1, 2)\n"
            + "        elif mode == 4:\n"
            + "            att = torch.baddbmm(bias.narrow(3, 0, s).reshape(b, 1, s).expand(b, h, s).reshape(b * h, 1, s), q.reshape(b * h, 1, e), kc.narrow(2, 0, s).reshape(b * h, s, e).transpose(1, 2), beta=1.0, alpha=sc)\n"
            + "            y = torch.bmm(torch.softmax(att, -1), vc.narrow(2, 0, s).reshape(b * h, s, e))\n"
            + "        elif mode == 5:\n"
            + "            att = torch.matmul(kc.narrow(2, 0, s), q.transpose(2, 3)).transpose(2, 3) / sc + bias.narrow(3, 0, s)\n"
            + "            y = torch.matmul(torch.softmax(att, -1), vc.narrow(2, 0, s))\n"
            + "        elif mode == 6:\n"
            + "            att = torch.matmul(kc.narrow(2, 0, s), q.transpose(2, 3)).transpose(2, 3) / sc + bias.narrow(3, 0, s)\n"
            + "            y = torch.matmul(vc.narrow(2, 0, s).transpose(2, 3), torch.softmax(att, -1).transpose(2, 3)).transpose(2, 3)\n"
            + "        elif mode == 7:\n"
            + "            q3 = q.reshape(b * h, 1, e)\n"
            + "            att = torch.bmm(q3, kc.narrow(2, 0, s).reshape(b * h, s, e).transpose(1, 2)).reshape(b, h, 1, s) / sc + bias.narrow(3, 0, s)\n"
            + "            y = torch.bmm(torch.softmax(att, -1).reshape(b * h, 1, s), vc.narrow(2, 0, s).reshape(b * h, s, e))\n"
            + "        elif mode == 8:\n"
            + "            att = (q * kc.narrow(2, 0, s)).sum(-1).unsqueeze(2) / sc + bias.narrow(3, 0, s)\n"
            + "            y = torch.matmul(torch.softmax(att, -1), vc.narrow(2, 0, s))\n"
            + "        elif mode == 9:\n"
            + "            att = torch.einsum('bhqe,bhse->bhqs', q, kc.narrow(2, 0, s)) / sc + bias.narrow(3, 0, s)\n"
            + "            y = torch.einsum('bhqs,bhse->bhqe', torch.softmax(att, -1), vc.narrow(2, 0, s))\n"
            + "    return y\n";
        byte[] arch = FusedOps.archive("S3Att", "  def forward(self: __torch__.S3Att,\n    " + src.replace("math.sqrt(e)", "float(e) ** 0.5"));
        PtSymbolBlock mod = JniUtils.loadModule(m, new java.io.ByteArrayInputStream(arch), true, false);
        NDArray q = m.randomNormal(new Shape(r, h, 1, e)), kc = m.randomNormal(new Shape(r, h, smax, e)), vc = m.randomNormal(new Shape(r, h, smax, e));
        NDArray kd = m.randomNormal(new Shape(r, smax, 2 * d)), bias = m.zeros(new Shape(r, 1, 1, smax));
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 3; round++) {
            StringBuilder sb = new StringBuilder();
            for (int mode : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
                try (IValue iq = IValue.from((PtNDArray) q); IValue ik = IValue.from((PtNDArray) kc); IValue iv = IValue.from((PtNDArray) vc);
                     IValue ikd = IValue.from((PtNDArray) kd); IValue ib = IValue.from((PtNDArray) bias); IValue im = IValue.from((long) mode);
                     IValue is = IValue.from((long) s); IValue ih = IValue.from((long) h); IValue it = IValue.from((long) iters)) {
                    long c0 = mx.getCurrentThreadCpuTime();
                    IValue out = IValueUtils.forward(mod, new IValue[] {iq, ik, iv, ikd, ib, im, is, ih, it});
                    double us = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / iters;
                    out.close();
                    sb.append(String.format(Locale.ROOT, " mode%d %.1f", mode, us));
                }
            }
            System.out.println("us per attention (cpu):" + sb);
        }
    }
}
