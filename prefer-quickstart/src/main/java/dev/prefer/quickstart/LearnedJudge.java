package dev.prefer.quickstart;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Json;
import dev.prefer.eval.tasks.Problem;
import dev.prefer.eval.tasks.VerifiableTask;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Completion;
import dev.prefer.lm.GenerationConfig;
import dev.prefer.lm.GenerationRequest;
import dev.prefer.lm.PromptResponse;
import dev.prefer.reward.LmRewardModel;
import dev.prefer.reward.LmRewardTraining;
import dev.prefer.reward.ScoreHeadInit;
import dev.prefer.reward.source.ImplicitRewardSource;
import dev.prefer.train.TrainSet;
import dev.prefer.train.Trainer;
import dev.prefer.data.PreferencePair;
import dev.prefer.train.TrainConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A pairwise preference model learned from verifier-labelled pairs, for RL that never calls the verifier
 * ({@code prefer quickstart --method pref-grpo}; the experiment of docs/results/online.md): sample k completions of
 * each prompt from the SFT model, score each with the task's verifier, pair a higher-scored against a lower-scored
 * completion of the same prompt (arithmetic: correct against incorrect; distinct texts, up to {@code pairsPerPrompt}
 * per prompt, drawn at random), and train on them, from the SFT model, either a new scalar score head
 * ({@link ScoreHeadInit}, Bradley–Terry loss, {@link LmRewardTraining}) or the whole LM by DPO with the SFT model as
 * reference (the judge is then DPO's implicit reward, {@link ImplicitRewardSource}); a share of the prompts is kept
 * for validation pairs (every distinct pair). {@link Result#spec()} is the {@code pairwise:} spec that judges with
 * P(a ≻ b) = σ(r_a − r_b). The verifier is used only here, to label the pairs.
 */
public final class LearnedJudge {
    private LearnedJudge() {}

    /** What is trained on the pairs. */
    public enum Kind {
        /** The SFT model with a new scalar score head read at the eos, Bradley–Terry loss ({@link LmRewardTraining}). */
        SCORE_HEAD,
        /** The SFT model trained by DPO against itself; DPO's implicit reward β log π/π_ref judges ({@code pairwise:DIR?ref=SFT}). */
        IMPLICIT,
        /** The SFT model trained by SimPO (no reference); SimPO's implicit reward (β/|y|) log π judges ({@code pairwise:DIR?implicit=simpo}). */
        SIMPO
    }

    /**
     * @param kind               score head or DPO's implicit reward
     * @param prompts            prompts to sample (a seeded draw from the given pool; 0 = all)
     * @param samplesPerPrompt   k completions per prompt and temperature
     * @param temperatures       sampling temperatures (k samples at each: higher ones give the judge more varied mistakes)
     * @param pairsPerPrompt     training pairs per prompt at most
     * @param validationFraction share of the drawn prompts kept for validation pairs
     * @param steps              optimizer steps (AdamW; score head: cosine after 5% warm-up; implicit: constant after 10%)
     * @param batch              pairs per step
     * @param learningRate       peak learning rate
     * @param beta               DPO's beta (implicit reward only)
     * @param seed               prompt draw, sampling, pairing, head initialisation, data order
     */
    public record Config(Kind kind, int prompts, int samplesPerPrompt, List<Double> temperatures, int pairsPerPrompt, double validationFraction, int steps,
                         int batch, double learningRate, double beta, long seed) {
        public Config {
            java.util.Objects.requireNonNull(kind, "kind");
            if (prompts < 0 || samplesPerPrompt < 2 || pairsPerPrompt < 1 || steps < 1 || batch < 1) throw new IllegalArgumentException("bad learned-judge settings");
            if (!(validationFraction >= 0 && validationFraction < 1)) throw new IllegalArgumentException("validation fraction must be in [0, 1)");
            temperatures = List.copyOf(temperatures);
            if (temperatures.isEmpty() || temperatures.stream().anyMatch(t -> !(t > 0))) throw new IllegalArgumentException("temperatures must be > 0");
            if (!(learningRate > 0) || !(beta > 0)) throw new IllegalArgumentException("learning rate and beta must be > 0");
        }

        /** The settings of docs/results/online.md's Pref-GRPO rows. */
        public static Config defaults(long seed) {
            return new Config(Kind.SIMPO, 6000, 8, List.of(1.0, 1.5), 4, 500.0 / 6000, 1000, 32, 1e-5, 2.0, seed);
        }

        public Config withSeed(long s) {
            return new Config(kind, prompts, samplesPerPrompt, temperatures, pairsPerPrompt, validationFraction, steps, batch, learningRate, beta, s);
        }

        public Config withSteps(int s, double lr) {
            return new Config(kind, prompts, samplesPerPrompt, temperatures, pairsPerPrompt, validationFraction, s, batch, lr, beta, seed);
        }

        public Config withPrompts(int n) {
            return new Config(kind, n, samplesPerPrompt, temperatures, pairsPerPrompt, validationFraction, steps, batch, learningRate, beta, seed);
        }

        public Config withKind(Kind k) {
            return new Config(k, prompts, samplesPerPrompt, temperatures, pairsPerPrompt, validationFraction, steps, batch, learningRate, beta, seed);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
            m.put("prompts", prompts);
            m.put("samples_per_prompt", samplesPerPrompt);
            m.put("temperatures", temperatures);
            m.put("pairs_per_prompt", pairsPerPrompt);
            m.put("validation_fraction", validationFraction);
            m.put("steps", steps);
            m.put("batch", batch);
            m.put("learning_rate", learningRate);
            if (kind != Kind.SCORE_HEAD) m.put("beta", beta);
            m.put("seed", seed);
            return m;
        }
    }

    /** Rewards of (prompt, response) texts under a learned judge (P(a ≻ b) = σ(r_a − r_b)). */
    public interface Scorer extends AutoCloseable {
        double[] rewards(List<PromptResponse> texts);

        @Override
        void close();
    }

    /** The trained model's folder, its data sizes, and accuracies (r_chosen > r_rejected, ties ½). */
    public record Result(Kind kind, Path model, Path reference, double beta, int trainPairs, int validationPairs, double sampledAccuracy,
                         double trainAccuracy, double validationAccuracy, double seconds) {
        /** The reward spec that judges with it: {@code pairwise:MODEL} or {@code pairwise:MODEL?ref=REF&beta=B}. */
        public String spec() {
            return switch (kind) {
                case SCORE_HEAD -> "pairwise:" + model;
                case IMPLICIT -> "pairwise:" + model + "?ref=" + reference + "&beta=" + beta;
                case SIMPO -> "pairwise:" + model + "?implicit=simpo&beta=" + beta;
            };
        }

        /** Opens the judge for scoring texts. */
        public Scorer open() {
            return LearnedJudge.open(kind, model, reference, beta);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("spec", spec());
            m.put("train_pairs", trainPairs);
            m.put("validation_pairs", validationPairs);
            m.put("sft_sampled_accuracy", sampledAccuracy);
            m.put("train_pair_accuracy", trainAccuracy);
            m.put("validation_pair_accuracy", validationAccuracy);
            m.put("seconds", seconds);
            return m;
        }
    }

    /**
     * Samples from {@code sft}, labels, pairs and trains; writes {@code out/init} (the score-head start), {@code out/data}
     * (train-pairs.jsonl, validation-pairs.jsonl) and the model in {@code out/model}.
     */
    public static Result train(CausalLM sft, Path sftDir, VerifiableTask<? extends Problem> task, List<String> pool, Config c, int maxNew, Path out,
                               PrintStream console) {
        long t0 = System.nanoTime();
        List<String> shuffled = new ArrayList<>(pool);
        Collections.shuffle(shuffled, new Random(c.seed() * 7919 + 1));
        List<String> drawn = shuffled.subList(0, c.prompts() == 0 ? shuffled.size() : Math.min(c.prompts(), shuffled.size()));
        int nVal = (int) Math.round(c.validationFraction() * drawn.size());
        List<String> trainPrompts = drawn.subList(0, drawn.size() - nVal), valPrompts = drawn.subList(drawn.size() - nVal, drawn.size());
        List<List<String>> trainSamples = sample(sft, trainPrompts, c.samplesPerPrompt(), c.temperatures(), maxNew, c.seed() * 31 + 5);
        List<List<String>> valSamples = sample(sft, valPrompts, c.samplesPerPrompt(), c.temperatures(), maxNew, c.seed() * 31 + 7);
        Random rnd = new Random(c.seed() * 131 + 3);
        List<String[]> trainPairs = pairs(task, trainPrompts, trainSamples, c.pairsPerPrompt(), rnd);
        List<String[]> valPairs = pairs(task, valPrompts, valSamples, Integer.MAX_VALUE, rnd);
        if (trainPairs.isEmpty()) {
            // a property of the SFT model and the budget, not a bug: one line at the CLI (IllegalArgumentException)
            throw new IllegalArgumentException("learned judge: no prompt among " + trainPrompts.size() + " had samples of different verifier scores"
                    + " (sampled accuracy " + String.format(java.util.Locale.ROOT, "%.3f", sampledAccuracy(task, trainPrompts, trainSamples))
                    + "): nothing to learn a judge from; train the SFT model further or sample more prompts (--judge-prompts)");
        }
        Path data = out.resolve("data");
        writePairs(data.resolve("train-pairs.jsonl"), trainPairs);
        if (!valPairs.isEmpty()) writePairs(data.resolve("validation-pairs.jsonl"), valPairs);
        if (console != null) {
            console.printf(java.util.Locale.ROOT, "  judge data: %d prompts x %d samples (%.3f correct): %d training pairs, %d validation pairs%n",
                    drawn.size(), c.samplesPerPrompt() * c.temperatures().size(), sampledAccuracy(task, trainPrompts, trainSamples), trainPairs.size(), valPairs.size());
        }
        Path model = out.resolve("model");
        if (c.kind() == Kind.SCORE_HEAD) {
            Path init = ScoreHeadInit.fromCausalLm(sftDir, out.resolve("init"), c.seed());
            TrainConfig tc = TrainConfig.builder(TrainConfig.Task.REWARD).model(init).data(data.resolve("train-pairs.jsonl"))
                    .eval(valPairs.isEmpty() ? null : data.resolve("validation-pairs.jsonl"), 0).learningRate(c.learningRate())
                    .schedule(TrainConfig.Schedule.COSINE, c.steps() / 20).maxSteps(c.steps()).batchSize(c.batch()).seed(c.seed())
                    .every(Math.max(1, c.steps() / 10), 0, 0).out(model).build();
            LmRewardTraining.train(tc, console);
        } else {
            // DPO from the SFT model against itself (in memory), on the same pairs
            List<PreferencePair> ps = new ArrayList<>();
            for (String[] p : trainPairs) ps.add(new PreferencePair(p[0], p[1], p[2], null, 1.0, null, Map.of(), dev.prefer.data.Source.MEMORY)); // no margin offset
            TrainConfig tc = TrainConfig.builder(TrainConfig.Task.PREFERENCE).objective(c.kind() == Kind.SIMPO ? "simpo" : "dpo", Map.of("beta", c.beta()))
                    .learningRate(c.learningRate())
                    .schedule(TrainConfig.Schedule.CONSTANT, c.steps() / 10).maxSteps(c.steps()).batchSize(c.batch()).seed(c.seed())
                    .every(Math.max(1, c.steps() / 10), 0, 0).out(model).build();
            try (CausalLM policy = CausalLM.load(sftDir)) {
                Trainer.train(policy, c.kind() == Kind.SIMPO ? null : sft, tc, TrainSet.pairs(ps), null, console);
            }
        }
        double trainAcc, valAcc;
        try (Scorer judge = open(c.kind(), model, sftDir, c.beta())) {
            trainAcc = accuracy(judge, trainPairs.subList(0, Math.min(2000, trainPairs.size())));
            valAcc = valPairs.isEmpty() ? Double.NaN : accuracy(judge, valPairs);
        }
        Result r = new Result(c.kind(), model, sftDir, c.beta(), trainPairs.size(), valPairs.size(), sampledAccuracy(task, trainPrompts, trainSamples),
                trainAcc, valAcc, (System.nanoTime() - t0) / 1e9);
        Map<String, Object> summary = new LinkedHashMap<>(r.toMap());
        summary.put("config", c.toMap());
        AtomicFiles.writeString(out.resolve("judge.json"), Json.pretty(summary) + "\n");
        return r;
    }

    /** k samples per prompt at each temperature in turn (the t-th with seed + 100 t), concatenated per prompt. */
    public static List<List<String>> sample(CausalLM lm, List<String> prompts, int k, List<Double> temperatures, int maxNew, long seed) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) out.add(new ArrayList<>());
        for (int t = 0; t < temperatures.size(); t++) {
            List<List<String>> s = sample(lm, prompts, k, temperatures.get(t), maxNew, seed + 100L * t);
            for (int i = 0; i < prompts.size(); i++) out.get(i).addAll(s.get(i));
        }
        return out;
    }

    /** k samples per prompt (stop at eos, at most {@code maxNew} new tokens), batched; per prompt, its samples in order. */
    public static List<List<String>> sample(CausalLM lm, List<String> prompts, int k, double temperature, int maxNew, long seed) {
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) reqs.add(new GenerationRequest(lm.encodePrompt(prompts.get(i)), seed * 1_000_003L + i));
        List<List<String>> out = new ArrayList<>();
        for (List<Completion> cs : lm.complete(reqs, GenerationConfig.sample(maxNew, temperature, 0, 1.0, seed).withSamples(k))) {
            List<String> texts = new ArrayList<>();
            for (Completion c : cs) texts.add(c.text());
            out.add(texts);
        }
        return out;
    }

    /**
     * Up to {@code max} (prompt, chosen, rejected) pairs per prompt among its distinct completions, the chosen one with
     * the higher verifier score (arithmetic: correct against incorrect), drawn at random.
     */
    public static List<String[]> pairs(VerifiableTask<? extends Problem> task, List<String> prompts, List<List<String>> samples, int max, Random rnd) {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            List<String> distinct = new ArrayList<>(new LinkedHashSet<>(samples.get(i)));
            double[] score = new double[distinct.size()];
            for (int j = 0; j < score.length; j++) score[j] = task.verify(prompts.get(i), distinct.get(j)).score();
            List<String[]> all = new ArrayList<>();
            for (int a = 0; a < score.length; a++) {
                for (int b = 0; b < score.length; b++) if (score[a] > score[b]) all.add(new String[] {prompts.get(i), distinct.get(a), distinct.get(b)});
            }
            Collections.shuffle(all, rnd);
            out.addAll(all.subList(0, Math.min(max, all.size())));
        }
        return out;
    }

    static Scorer open(Kind kind, Path model, Path reference, double beta) {
        if (kind == Kind.SCORE_HEAD) {
            LmRewardModel rm = LmRewardModel.load(model);
            return new Scorer() {
                @Override public double[] rewards(List<PromptResponse> texts) { return rm.rewards(texts); }

                @Override public void close() { rm.close(); }
            };
        }
        CausalLM policy = CausalLM.load(model);
        CausalLM ref = null;
        try {
            if (kind != Kind.SIMPO) ref = CausalLM.load(reference);
        } catch (RuntimeException e) {
            policy.close();
            throw e;
        }
        ImplicitRewardSource source = new ImplicitRewardSource("implicit", policy, kind == Kind.SIMPO ? null : ref, beta);
        return new Scorer() {
            @Override public double[] rewards(List<PromptResponse> texts) { return source.rewards(texts); }

            @Override public void close() { source.close(); }
        };
    }

    /** Share of pairs with r(chosen) > r(rejected) (ties ½). */
    public static double accuracy(Scorer rm, List<String[]> pairs) {
        if (pairs.isEmpty()) return Double.NaN;
        List<PromptResponse> texts = new ArrayList<>();
        for (String[] p : pairs) {
            texts.add(new PromptResponse(p[0], p[1]));
            texts.add(new PromptResponse(p[0], p[2]));
        }
        double[] r = rm.rewards(texts);
        double acc = 0;
        for (int i = 0; i < pairs.size(); i++) acc += r[2 * i] > r[2 * i + 1] ? 1 : r[2 * i] == r[2 * i + 1] ? 0.5 : 0;
        return acc / pairs.size();
    }

    static double sampledAccuracy(VerifiableTask<? extends Problem> task, List<String> prompts, List<List<String>> samples) {
        double n = 0, ok = 0;
        for (int i = 0; i < prompts.size(); i++) {
            for (String c : samples.get(i)) {
                n++;
                ok += task.verify(prompts.get(i), c).pass() ? 1 : 0;
            }
        }
        return n == 0 ? Double.NaN : ok / n;
    }

    static void writePairs(Path file, List<String[]> pairs) {
        StringBuilder b = new StringBuilder();
        for (String[] p : pairs) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", p[0]);
            row.put("chosen", p[1]);
            row.put("rejected", p[2]);
            b.append(Json.line(row)).append('\n');
        }
        AtomicFiles.writeString(file, b.toString());
    }
}
