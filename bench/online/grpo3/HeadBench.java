package dev.prefer.lm;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.*;
public class HeadBench {
  static long cpu() { return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L); }
  public static void main(String[] a) {
    int reps = Integer.parseInt(a[0]), n = 256;
    try (CausalLM lm = CausalLM.randomInit(ModelConfig.gpt2(50257, 1024, 768, 1, 12), 5, Precision.F32)) {
      Transformer m = lm.model(); m.setTrainable(true);
      Random rng = new Random(1);
      float[] x = new float[n * 768]; for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
      long[] lab = new long[n]; for (int i = 0; i < n; i++) lab[i] = rng.nextInt(50257);
      double[][] wall = new double[2][reps], cp = new double[2][reps];
      for (int r = 0; r < reps; r++) for (int k = 0; k < 2; k++) {
        m.zeroGradients();
        long t0 = System.nanoTime(), c0 = cpu();
        try (NDManager step = m.manager().newSubManager()) {
          NDArray h = step.create(x, new Shape(n, 768)); h.setRequiresGradient(true);
          try (GradientCollector gc = Torch.init().newGradientCollector()) {
            ChunkedHead.Out o = k == 0 ? ChunkedHead.logps(m, step, h, lab, false, ChunkedHead.chunkRows(50257)) : ChunkedHead.keptLogps(m, step, h, lab, false);
            NDArray loss = o.tokenLogps().sum();
            Transformer.backward(gc, loss);
          }
          h.getGradient().sum().getFloat();
        }
        wall[k][r] = (System.nanoTime() - t0) / 1e9; cp[k][r] = (cpu() - c0) / 1e9;
      }
      for (int k = 0; k < 2; k++) { double[] w = wall[k].clone(), c = cp[k].clone(); Arrays.sort(w); Arrays.sort(c);
        System.out.printf("%s wall median %.3f min %.3f  cpu median %.3f  all %s%n", k == 0 ? "chunked" : "kept   ", w[reps/2], w[0], c[reps/2], Arrays.toString(wall[k])); }
    }
  }
}
