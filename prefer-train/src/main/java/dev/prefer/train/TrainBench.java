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
 * DPO training-step throughput on the shapes of ../shared/bench/dpo_step_torch.py: a GPT-2-shaped model with random
 * weights, B pairs of (P prompt + R response) random tokens, chosen and rejected in one batch, sigmoid DPO (beta 0.1),
 * AdamW, the same batch every step. Two modes: reference log-probs from the cache (precomputed once, untimed, as the
 * script's {@code --no-ref}) and a reference forward pass every step (a frozen copy of the initial policy).
 * tokens/s = 2·B·(P+R) / median seconds per step, as the script counts them.
 */
public final class TrainBench {
    private TrainBench() {}

    public record Shape(int layers, int dModel, int heads, int vocab, int pairs, int promptLen, int responseLen, int steps, int warmup) {}

    public record Result(String mode, double medianSeconds, double minSeconds, double maxSeconds, double tokensPerSecond) {}

    public static List<Result> run(Shape s) {
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
                .withObjective("dpo", Map.of("beta", 0.1)).withBatch(s.pairs(), 1).withLearningRate(1e-5).withMaxGradNorm(0)
                .withLength(LengthConfig.UNLIMITED);
        double tokens = 2.0 * s.pairs() * (s.promptLen() + s.responseLen());
        List<Result> out = new ArrayList<>();
        try (CausalLM policy = CausalLM.randomInit(cfg, 7, Precision.F32); CausalLM ref = CausalLM.randomInit(cfg, 7, Precision.F32)) {
            List<double[]> cached = new ArrayList<>(RefLogpsCache.score(groups, ref, 2 * groups.size()));
            out.add(summarize("cached reference log-probs", Trainer.timeSteps(c, policy, groups, cached, null, s.warmup(), s.steps()), tokens));
        }
        try (CausalLM policy = CausalLM.randomInit(cfg, 7, Precision.F32); CausalLM ref = CausalLM.randomInit(cfg, 7, Precision.F32)) {
            List<double[]> slots = new ArrayList<>();
            for (int i = 0; i < groups.size(); i++) slots.add(new double[2]);
            out.add(summarize("reference forward every step", Trainer.timeSteps(c, policy, groups, slots, ref, s.warmup(), s.steps()), tokens));
        }
        return out;
    }

    private static Result summarize(String mode, double[] secs, double tokens) {
        double[] x = secs.clone();
        Arrays.sort(x);
        double med = x.length % 2 == 1 ? x[x.length / 2] : 0.5 * (x[x.length / 2 - 1] + x[x.length / 2]);
        return new Result(mode, med, x[0], x[x.length - 1], tokens / med);
    }
}
