package dev.prefer.train;

import dev.prefer.data.pref.LengthConfig;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.ModelConfig;
import dev.prefer.lm.Precision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * DPO training-step throughput of the trainer's own step (the one loop's {@code Trainer.Run.trainStep}: the
 * objective's loss, backward, global-norm computation, AdamW) on the shapes of ../shared/bench/dpo_step_torch.py: a
 * GPT-2-shaped model with random weights, B pairs of (P prompt + R response) random tokens, chosen and rejected in one
 * batch, sigmoid DPO (beta 0.1), AdamW (lr 1e-6, weight decay 0, no clipping: the script's defaults), the same batch
 * every step. {@code prefer bench train} and {@code prefer bench lm} time it. Reference log-probs either from the cache (precomputed once, untimed, as the
 * script's {@code --no-ref}) or from a reference forward pass every step (a frozen copy of the initial policy); prefix
 * sharing on or off (the script does not share prefixes). tokens/s = 2·B·(P+R) / median seconds per step, as the
 * script counts them; CPU seconds per step are the process's (all threads) mean over the timed steps.
 */
public final class TrainBench {
    private TrainBench() {}

    public record Shape(int layers, int dModel, int heads, int vocab, int pairs, int promptLen, int responseLen, int steps, int warmup) {
        /** Tokens per step as the script counts them: 2·B·(P+R). */
        public int tokensPerStep() {
            return 2 * pairs * (promptLen + responseLen);
        }

        /**
         * The named sizes of {@code prefer bench lm}: {@code tiny} (2 layers, d 128, 4 heads, vocab 512, 8 pairs x
         * (64+64), the script's defaults) and {@code gpt2-small} (124M parameters, 1 pair x (128+128)).
         */
        public static Shape named(String name, int steps, int warmup) {
            switch (name) {
                case "tiny": return new Shape(2, 128, 4, 512, 8, 64, 64, steps, warmup);
                case "gpt2-small": return new Shape(12, 768, 12, 50257, 1, 128, 128, steps, warmup);
                default: throw new IllegalArgumentException("unknown bench size '" + name + "' (tiny, gpt2-small)");
            }
        }
    }

    /**
     * One mode's timings: seconds per step (median, min, max over the timed steps), tokens per second at the median,
     * mean CPU seconds per step (all threads), the model's parameter count, the loss of every step (warm-up
     * included; the first is ln 2 since the reference starts as a copy of the policy), the process's peak RSS and
     * the seconds of every timed step (the last one is the profiled step when profiling).
     */
    public record Result(String mode, double medianSeconds, double minSeconds, double maxSeconds, double tokensPerSecond,
                         double cpuSecondsPerStep, long parameters, double[] losses, double peakRssMiB, double[] seconds) {
        /** Tokens per CPU-second (all threads): throughput independent of how many cores the step got. */
        public double tokensPerCpuSecond() {
            return cpuSecondsPerStep > 0 ? tokensPerSecond * medianSeconds / cpuSecondsPerStep : Double.NaN;
        }
    }

    /** The four modes: cached or forward reference, without and with prefix sharing. */
    public static List<Result> run(Shape s) {
        List<Result> out = new ArrayList<>();
        for (boolean refForward : new boolean[] {false, true}) {
            for (TrainConfig.PrefixSharing sh : new TrainConfig.PrefixSharing[] {TrainConfig.PrefixSharing.OFF, TrainConfig.PrefixSharing.ON}) {
                out.add(run(s, refForward, sh, null));
            }
        }
        return out;
    }

    /**
     * One mode. {@code profileTrace} non-null: the last step runs under PyTorch's profiler (Chrome trace there).
     */
    public static Result run(Shape s, boolean referenceForward, TrainConfig.PrefixSharing sharing, Path profileTrace) {
        return run(s, referenceForward, sharing, profileTrace, 1e-6);
    }

    /** One mode at learning rate {@code lr} (the tests take a large one to see the loss fall within a few steps). */
    static Result run(Shape s, boolean referenceForward, TrainConfig.PrefixSharing sharing, Path profileTrace, double lr) {
        ModelConfig cfg = ModelConfig.gpt2(s.vocab(), Math.max(1024, s.promptLen() + s.responseLen()), s.dModel(), s.layers(), s.heads());
        Random rng = new Random(1);
        List<TrainExample> groups = new ArrayList<>();
        for (int i = 0; i < s.pairs(); i++) {
            long[] p = rng.longs(s.promptLen(), 1, s.vocab()).toArray();
            long[] c = rng.longs(s.responseLen(), 1, s.vocab()).toArray();
            long[] r = rng.longs(s.responseLen(), 1, s.vocab()).toArray();
            groups.add(new TrainExample(p, List.of(c, r), new double[] {1, 0}, 1, null, new double[0]));
        }
        TrainConfig c = TrainConfig.defaults(TrainConfig.Task.PREFERENCE, Path.of("<random>"), Path.of("<random>"), Path.of("<bench>"))
                .withObjective("dpo", Map.of("beta", 0.1)).withBatch(s.pairs(), 1).withLearningRate(lr).withMaxGradNorm(0)
                .withLength(LengthConfig.UNLIMITED).withPrefixSharing(sharing);
        double tokens = 2.0 * s.pairs() * (s.promptLen() + s.responseLen());
        String mode = (referenceForward ? "reference forward" : "cached reference") + ", sharing " + sharing.name().toLowerCase(java.util.Locale.ROOT);
        try (CausalLM policy = CausalLM.randomInit(cfg, 7, Precision.F32); CausalLM ref = CausalLM.randomInit(cfg, 7, Precision.F32)) {
            List<double[]> refs;
            if (referenceForward) {
                refs = new ArrayList<>();
                for (int i = 0; i < groups.size(); i++) refs.add(new double[2]);
            } else {
                refs = new ArrayList<>(RefLogpsCache.score(groups, ref, 2 * groups.size()));
            }
            double[][] t = Trainer.timeSteps(c, policy, groups, refs, referenceForward ? ref : null, s.warmup(), s.steps(), profileTrace);
            return summarize(mode, t, tokens, policy.model().parameterCount());
        }
    }

    private static Result summarize(String mode, double[][] t, double tokens, long parameters) {
        double[] secs = t[0], cpu = t[1];
        double[] x = secs.clone();
        Arrays.sort(x);
        double med = x.length % 2 == 1 ? x[x.length / 2] : 0.5 * (x[x.length / 2 - 1] + x[x.length / 2]);
        double cpuSum = 0;
        for (double v : cpu) cpuSum += v;
        return new Result(mode, med, x[0], x[x.length - 1], tokens / med, cpuSum / cpu.length, parameters, t[2], dev.prefer.lm.bench.Rss.peakMiB(), secs);
    }
}
