package dev.prefer.train.online;

import dev.prefer.lm.CausalLM;
import dev.prefer.lm.ModelConfig;
import dev.prefer.lm.Precision;
import dev.prefer.train.TrainConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * One GRPO step's wall time on the shapes of bench/grpo_step_torch.py: a GPT-2-shaped model with random weights
 * (eos = token 0), B prompts of P random tokens, G sampled completions of each (temperature 1, at most R new tokens,
 * a row stops at eos), a seeded random reward per completion, group advantages, the dapo loss (β = 0, one iteration)
 * with forward and backward over the B·G sequences, gradient clipping to 1 and AdamW. Every step samples anew from
 * the updated policy, as the trainer does; the sampling call's share of the step is reported too.
 */
public final class OnlineBench {
    private OnlineBench() {}

    public record Shape(int layers, int dModel, int heads, int vocab, int prompts, int generations, int promptLen, int completionLen,
                        int steps, int warmup) {}

    /**
     * @param medianSeconds     median wall seconds per step
     * @param samplingShare     median over steps of sampling seconds / step seconds
     * @param cpuSecondsPerStep the process's CPU seconds (all threads) per timed step, mean
     * @param meanCompletion    mean completion length over the timed steps (tokens, eos included)
     */
    public record Result(double medianSeconds, double samplingShare, double cpuSecondsPerStep, double meanCompletion) {}

    public static Result run(Shape s, TrainConfig.PrefixSharing sharing) {
        return run(s, sharing, null);
    }

    /** As above, training LoRA adapters of {@code lora} (null: every weight), as {@code prefer train grpo --lora}. */
    public static Result run(Shape s, TrainConfig.PrefixSharing sharing, TrainConfig.LoraConfig lora) {
        ModelConfig cfg = ModelConfig.gpt2(s.vocab(), Math.max(1024, s.promptLen() + s.completionLen()), s.dModel(), s.layers(), s.heads());
        Random rng = new Random(1);
        List<OnlinePrompt> prompts = new ArrayList<>();
        for (int i = 0; i < s.prompts(); i++) prompts.add(OnlinePrompt.ofIds(rng.longs(s.promptLen(), 1, s.vocab()).toArray()));
        Random rewardRng = new Random(2);
        RewardFunction reward = new RewardFunction() {
            @Override
            public String name() {
                return "random";
            }

            @Override
            public double[] score(String prompt, List<String> completions, java.util.Map<String, Object> fields) {
                double[] r = new double[completions.size()];
                for (int i = 0; i < r.length; i++) r[i] = rewardRng.nextDouble();
                return r;
            }
        };
        int total = s.warmup() + s.steps();
        TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).learningRate(1e-5).schedule(TrainConfig.Schedule.CONSTANT, 0)
                .maxSteps(total).batchSize(s.prompts()).maxGradNorm(1.0).seed(3).prefixSharing(sharing).lora(lora).build();
        OnlineConfig o = OnlineConfig.builder(OnlineConfig.Method.GRPO).numGenerations(s.generations()).maxCompletionLength(s.completionLen())
                .build();
        double[] secs = new double[s.steps()], share = new double[s.steps()];
        double cpu = 0, len = 0;
        try (CausalLM policy = CausalLM.randomInit(cfg, 7, Precision.F32);
             OnlineTrainer.Run run = new OnlineTrainer.Run(policy, null, c, o, prompts, List.of(), List.of(reward), null)) {
            for (int i = 0; i < total; i++) {
                long t0 = System.nanoTime(), c0 = cpuNanos();
                var row = run.trainStep(i, 1e-5);
                if (i >= s.warmup()) {
                    int k = i - s.warmup();
                    secs[k] = (System.nanoTime() - t0) / 1e9;
                    share[k] = run.samplingSeconds / secs[k];
                    cpu += (cpuNanos() - c0) / 1e9;
                    len += ((Number) row.get("completions/mean_length")).doubleValue();
                }
            }
        }
        return new Result(median(secs), median(share), cpu / s.steps(), len / s.steps());
    }

    private static double median(double[] v) {
        double[] x = v.clone();
        Arrays.sort(x);
        return x.length % 2 == 1 ? x[x.length / 2] : 0.5 * (x[x.length / 2 - 1] + x[x.length / 2]);
    }

    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }
}
