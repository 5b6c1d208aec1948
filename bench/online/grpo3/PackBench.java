package dev.prefer.lm;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.*;
public class PackBench {
  static long cpu() { return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L); }
  static void bump(Transformer m) {
    boolean g = JniUtils.isGradMode(); JniUtils.setGradMode(false);
    for (NDArray p : m.parameters().values()) p.addi(0f);
    JniUtils.setGradMode(g);
  }
  public static void main(String[] a) throws Exception {
    int reps = Integer.parseInt(a[0]);
    ModelConfig cfg = ModelConfig.gpt2(50257, 1024, 768, 12, 12);
    try (CausalLM lm = CausalLM.randomInit(cfg, 7, Precision.F32)) {
      Transformer m = lm.model();
      m.setTrainable(true);
      Random rng = new Random(1);
      List<long[]> rows = new ArrayList<>();
      for (int i = 0; i < 2; i++) { long[] p = rng.longs(64, 1, 50257).toArray(); for (int j = 0; j < 4; j++) rows.add(p); }
      double[][] t = new double[3][reps]; double[][] c = new double[3][reps];
      for (int r = 0; r < reps; r++) {
        GenerationConfig gc = GenerationConfig.sample(32, 1.0, 0, 1.0, 100 + r).withStopAtEos(false);
        bump(m);
        long t0 = System.nanoTime(), c0 = cpu();
        lm.generateIds(rows, gc);
        t[0][r] = (System.nanoTime() - t0) / 1e9; c[0][r] = (cpu() - c0) / 1e9;
        bump(m);
        t0 = System.nanoTime(); c0 = cpu();
        DecodeScript.Packed p = DecodeScript.Packed.of(m, true);
        t[1][r] = (System.nanoTime() - t0) / 1e9; c[1][r] = (cpu() - c0) / 1e9;
        p.release();
        t0 = System.nanoTime(); c0 = cpu();
        lm.generateIds(rows, gc);
        t[2][r] = (System.nanoTime() - t0) / 1e9; c[2][r] = (cpu() - c0) / 1e9;
        System.out.printf("rep %d unpacked %.3f (cpu %.3f) pack %.3f (cpu %.3f) packedgen %.3f (cpu %.3f) load %s%n", r, t[0][r], c[0][r], t[1][r], c[1][r], t[2][r], c[2][r], new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).trim());
      }
    }
  }
}
