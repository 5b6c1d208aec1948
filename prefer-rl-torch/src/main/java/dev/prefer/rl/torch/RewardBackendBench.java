package dev.prefer.rl.torch;

import dev.prefer.rl.policy.SegmentData;
import dev.prefer.rl.reward.RewardEnsemble;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Time of one reward-ensemble minibatch (loss and gradient of one member: {@code batch} pairs of {@code segment}-step
 * segments) on the Java loop and on the PyTorch engine, alternated, medians of the repeats. Shapes: the inputs of
 * prefer-rl's tasks (reacher state + action: 6; gridworld one-hots: 30), hidden 32 as PEBBLE's reward nets here,
 * segments of 10 (our proxy tasks) and 50 steps.
 *
 * <p>Usage: {@code RewardBackendBench [REPEATS] [BATCH]}; threads from {@code -Dprefer.threads} (default: all cores).
 */
public final class RewardBackendBench {
    private RewardBackendBench() {}

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        double[] load = loadAverage();
        System.out.printf("reward minibatch: %d pairs, hidden 32, member loss + gradient, %d repeats, load %.2f %.2f %.2f%n",
                batch, repeats, load[0], load[1], load[2]);
        System.out.printf("%-8s %-8s %12s %12s %8s%n", "inputs", "segment", "java ms", "torch ms", "ratio");
        try (TorchRewardBackend torch = new TorchRewardBackend()) {
            for (int[] shape : new int[][] {{6, 10}, {6, 50}, {30, 10}, {30, 50}}) {
                int in = shape[0];
                int seg = shape[1];
                Random rng = new Random(1);
                RewardEnsemble ens = new RewardEnsemble(1, in, 0, 32, 3e-3, rng);
                List<RewardEnsemble.Pair> pairs = new ArrayList<>();
                for (int k = 0; k < batch; k++) {
                    pairs.add(new RewardEnsemble.Pair(segment(rng, seg, in), segment(rng, seg, in), k % 2));
                }
                double[] grad = new double[ens.member(0).params().length];
                for (int w = 0; w < 3; w++) {                      // warm-up both paths
                    ens.useBackend(null).lossAndGradient(0, pairs, grad);
                    ens.useBackend(torch).lossAndGradient(0, pairs, grad);
                }
                double[] java = new double[repeats];
                double[] tor = new double[repeats];
                int inner = Math.max(1, 2000 / (batch * seg));
                for (int r = 0; r < repeats; r++) {
                    java[r] = time(ens.useBackend(null), pairs, grad, inner);
                    tor[r] = time(ens.useBackend(torch), pairs, grad, inner);
                }
                double mj = median(java);
                double mt = median(tor);
                System.out.printf("%-8d %-8d %12.3f %12.3f %7.2fx%n", in, seg, mj, mt, mj / mt);
            }
        }
    }

    private static double time(RewardEnsemble ens, List<RewardEnsemble.Pair> pairs, double[] grad, int inner) {
        long t0 = System.nanoTime();
        for (int i = 0; i < inner; i++) {
            ens.lossAndGradient(0, pairs, grad);
        }
        return (System.nanoTime() - t0) / 1e6 / inner;
    }

    private static SegmentData segment(Random rng, int len, int in) {
        double[][] x = new double[len][in];
        for (double[] row : x) {
            for (int i = 0; i < in; i++) {
                row[i] = rng.nextGaussian();
            }
        }
        return new SegmentData(x, new int[len], new double[len][1]);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double[] loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (Exception e) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
    }
}
