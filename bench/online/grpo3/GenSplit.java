package dev.prefer.lm;
import java.util.*;
public class GenSplit {
  static long cpu() { return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L); }
  public static void main(String[] a) {
    int reps = Integer.parseInt(a[0]);
    try (CausalLM lm = CausalLM.randomInit(ModelConfig.gpt2(50257, 1024, 768, 12, 12), 7, Precision.F32)) {
      lm.setTrainable(true);
      Random rng = new Random(1);
      List<long[]> rows = new ArrayList<>();
      for (int i = 0; i < 2; i++) { long[] p = rng.longs(64, 1, 50257).toArray(); for (int j = 0; j < 4; j++) rows.add(p); }
      for (int r = 0; r < reps; r++) {
        StringBuilder sb = new StringBuilder("rep " + r);
        for (int len : new int[] {1, 2, 32}) {
          long c0 = cpu(), t0 = System.nanoTime();
          boolean packed = len > 1 && lm.packDecodingWeights();
          long c1 = cpu();
          lm.generateIds(rows, GenerationConfig.sample(len, 1.0, 0, 1.0, 100 + r).withStopAtEos(false));
          if (packed) lm.dropDecodingWeights();
          sb.append(String.format("  len %d: cpu %.3f (pack %.3f) wall %.3f", len, (cpu() - c0) / 1e9, (c1 - c0) / 1e9, (System.nanoTime() - t0) / 1e9));
        }
        System.out.println(sb);
      }
    }
  }
}
