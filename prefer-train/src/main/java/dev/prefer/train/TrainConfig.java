package dev.prefer.train;

import dev.prefer.data.pref.LengthConfig;
import dev.prefer.lm.Precision;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a training run needs, validated on construction; immutable. Defaults ({@link #defaults}) follow
 * Hugging Face's {@code TrainingArguments} / TRL's {@code DPOConfig} where they exist.
 *
 * @param task              {@link Task#PREFERENCE} (an objective over pairs or lists), {@link Task#SFT}, or
 *                          {@link Task#REWARD} (a sequence-classification reward model, {@link RewardTrainer};
 *                          {@code objectiveParams} then hold {@link RewardLoss}'s options)
 * @param model             Hugging Face model folder of the initial policy
 * @param ref               reference model folder; null = the initial policy (ignored for reference-free objectives)
 * @param data              training file (JSONL or gzip JSONL)
 * @param evalData          evaluation file, or null
 * @param evalFraction      when {@code evalData} is null: the fraction of the data held out (seeded), default 0
 * @param out               output folder (model or adapter, manifest.json, metrics.jsonl, checkpoints/)
 * @param objective         objective name from {@code ObjectiveCatalog} (default {@code dpo}; ignored for SFT)
 * @param objectiveParams   its parameters, e.g. {@code beta=0.1}
 * @param learningRate      peak learning rate (default 1e-6, TRL's DPO default)
 * @param weightDecay       AdamW decoupled weight decay (default 0)
 * @param adamBeta1         default 0.9
 * @param adamBeta2         default 0.999
 * @param adamEpsilon       default 1e-8
 * @param schedule          learning-rate schedule after warm-up (default LINEAR decay to 0)
 * @param warmupSteps       linear warm-up steps from 0 (default 0)
 * @param maxSteps          optimizer steps; 0 = {@code epochs} passes over the data (default 0)
 * @param epochs            passes over the data when {@code maxSteps} is 0 (default 1)
 * @param batchSize         groups (pairs, lists or SFT rows) per forward pass (default 4)
 * @param gradAccumulation  forward passes per optimizer step (default 1)
 * @param maxGradNorm       clip the global gradient norm to this; 0 = off (default 1.0)
 * @param seed              data order, LoRA init and dropout (default 42)
 * @param logEvery          steps between metric lines (default 1)
 * @param saveEvery         steps between checkpoints; 0 = none (default 0)
 * @param evalEvery         steps between evaluations; 0 = only at the end (default 0)
 * @param lora              LoRA settings, or null for full fine-tuning
 * @param length            prompt/total length limits (default: unlimited up to the model's positions)
 * @param cacheDir          reference log-prob cache (default {@code ~/.cache/prefer/ref-logps})
 * @param skipBadRows       skip and count bad rows instead of failing
 * @param precision         F32 (default) or F64 (the double-precision twin, for tests)
 * @param resume            continue from the last checkpoint in {@code out/checkpoints}
 * @param prefixSharing     run each group's shared prompt once per forward pass (default AUTO; see {@link PrefixSharing})
 */
public record TrainConfig(Task task, Path model, Path ref, Path data, Path evalData, double evalFraction, Path out,
                          String objective, Map<String, Double> objectiveParams, double learningRate, double weightDecay,
                          double adamBeta1, double adamBeta2, double adamEpsilon, Schedule schedule, int warmupSteps,
                          int maxSteps, int epochs, int batchSize, int gradAccumulation, double maxGradNorm, long seed,
                          int logEvery, int saveEvery, int evalEvery, LoraConfig lora, LengthConfig length, Path cacheDir,
                          boolean skipBadRows, Precision precision, boolean resume, PrefixSharing prefixSharing) {

    /** What is trained. */
    public enum Task { PREFERENCE, SFT, REWARD }

    /**
     * Prefix sharing: the responses of a group (a pair, a list) share the prompt, so each group is one packed row
     * (the prompt once, then every response, each attending to the prompt and itself; {@code CausalLM.logpsTensors}
     * with groups); the numbers are those of the unshared pass up to float rounding. AUTO shares when a FLOP
     * estimate says the packed pass is at least 5% cheaper ({@code CausalLM.sharingPays}; docs/train.md, speed).
     */
    public enum PrefixSharing { AUTO, ON, OFF }

    /** Learning rate after warm-up. */
    public enum Schedule { CONSTANT, LINEAR, COSINE }

    public TrainConfig {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(length, "length");
        Objects.requireNonNull(precision, "precision");
        prefixSharing = prefixSharing == null ? PrefixSharing.AUTO : prefixSharing;
        objective = objective == null ? "dpo" : objective;
        objectiveParams = Map.copyOf(objectiveParams == null ? Map.of() : objectiveParams);
        cacheDir = cacheDir == null ? Path.of(System.getProperty("user.home"), ".cache", "prefer", "ref-logps") : cacheDir;
        require(evalFraction >= 0 && evalFraction < 1, "eval fraction must be in [0, 1)");
        require(learningRate >= 0 && Double.isFinite(learningRate), "learning rate must be >= 0");
        require(weightDecay >= 0, "weight decay must be >= 0");
        require(adamBeta1 >= 0 && adamBeta1 < 1, "adam beta1 must be in [0, 1)");
        require(adamBeta2 >= 0 && adamBeta2 < 1, "adam beta2 must be in [0, 1)");
        require(adamEpsilon > 0, "adam epsilon must be > 0");
        require(warmupSteps >= 0, "warm-up steps must be >= 0");
        require(maxSteps >= 0, "max steps must be >= 0");
        require(epochs >= 1, "epochs must be >= 1");
        require(batchSize >= 1, "batch size must be >= 1");
        require(gradAccumulation >= 1, "gradient accumulation must be >= 1");
        require(maxGradNorm >= 0, "max grad norm must be >= 0 (0 = off)");
        require(logEvery >= 1, "log every must be >= 1");
        require(saveEvery >= 0, "save every must be >= 0");
        require(evalEvery >= 0, "eval every must be >= 0");
    }

    /** As the canonical constructor with {@code prefixSharing} AUTO (the signature before that component existed). */
    public TrainConfig(Task task, Path model, Path ref, Path data, Path evalData, double evalFraction, Path out,
                       String objective, Map<String, Double> objectiveParams, double learningRate, double weightDecay,
                       double adamBeta1, double adamBeta2, double adamEpsilon, Schedule schedule, int warmupSteps,
                       int maxSteps, int epochs, int batchSize, int gradAccumulation, double maxGradNorm, long seed,
                       int logEvery, int saveEvery, int evalEvery, LoraConfig lora, LengthConfig length, Path cacheDir,
                       boolean skipBadRows, Precision precision, boolean resume) {
        this(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay,
                adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation,
                maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, precision, resume,
                PrefixSharing.AUTO);
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** The defaults documented above, for a task, model, data and output folder. */
    public static TrainConfig defaults(Task task, Path model, Path data, Path out) {
        return new TrainConfig(task, model, null, data, null, 0, out, "dpo", Map.of("beta", 0.1), 1e-6, 0, 0.9, 0.999,
                1e-8, Schedule.LINEAR, 0, 0, 1, 4, 1, 1.0, 42, 1, 0, 0, null, LengthConfig.UNLIMITED, null, false,
                Precision.F32, false, PrefixSharing.AUTO);
    }

    /**
     * LoRA (Hu et al. 2021, arXiv 2106.09685): W' = W + (alpha / rank) B A on each target module, A (rank, in)
     * initialised uniform(±1/sqrt(in)), B (out, rank) zero, dropout on the module input of the low-rank path.
     *
     * @param rank          r (default 8)
     * @param alpha         scale numerator (default 16)
     * @param dropout       dropout probability on the LoRA path (default 0)
     * @param targetModules module name suffixes (e.g. {@code q_proj}); empty = the architecture's default
     *                      (Llama family: q_proj, v_proj; GPT-2: c_attn, as PEFT's defaults)
     * @param merge         also write the merged model to {@code out/merged} (default true)
     * @param init          a PEFT adapter folder to start from instead of a fresh A/B (PEFT's
     *                      {@code PeftModel.from_pretrained(..., is_trainable=True)}); its r, alpha and target modules
     *                      must equal these; null = fresh
     */
    public record LoraConfig(int rank, double alpha, double dropout, List<String> targetModules, boolean merge, Path init) {
        public LoraConfig {
            require(rank >= 1, "lora rank must be >= 1");
            require(alpha > 0, "lora alpha must be > 0");
            require(dropout >= 0 && dropout < 1, "lora dropout must be in [0, 1)");
            targetModules = List.copyOf(targetModules == null ? List.of() : targetModules);
        }

        /** Fresh adapters. */
        public LoraConfig(int rank, double alpha, double dropout, List<String> targetModules, boolean merge) {
            this(rank, alpha, dropout, targetModules, merge, null);
        }

        public LoraConfig withInit(Path adapter) {
            return new LoraConfig(rank, alpha, dropout, targetModules, merge, adapter);
        }

        public static LoraConfig defaults() {
            return new LoraConfig(8, 16, 0, List.of(), true);
        }

        public double scale() {
            return alpha / rank;
        }
    }

    // --- withers (records have no builder; these keep call sites short) ---
    public TrainConfig withRef(Path v) { return new TrainConfig(task, model, v, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, precision, resume, prefixSharing); }
    public TrainConfig withEval(Path file, double fraction) { return new TrainConfig(task, model, ref, data, file, fraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, precision, resume, prefixSharing); }
    public TrainConfig withObjective(String name, Map<String, Double> params) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, name, params, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, precision, resume, prefixSharing); }
    public TrainConfig withOptimizer(double lr, double wd, double b1, double b2, double eps) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, lr, wd, b1, b2, eps, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, precision, resume, prefixSharing); }
    public TrainConfig withLearningRate(double lr) { return withOptimizer(lr, weightDecay, adamBeta1, adamBeta2, adamEpsilon); }
    public TrainConfig withSchedule(Schedule s, int warmup) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, s, warmup, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, precision, resume, prefixSharing); }
    public TrainConfig withSteps(int max, int ep) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, max, ep, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, precision, resume, prefixSharing); }
    public TrainConfig withBatch(int size, int accumulation) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, size, accumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, precision, resume, prefixSharing); }
    public TrainConfig withMaxGradNorm(double v) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, v, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, precision, resume, prefixSharing); }
    public TrainConfig withSeed(long v) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, v, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, precision, resume, prefixSharing); }
    public TrainConfig withEvery(int log, int save, int eval) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, log, save, eval, lora, length, cacheDir, skipBadRows, precision, resume, prefixSharing); }
    public TrainConfig withLora(LoraConfig v) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, v, length, cacheDir, skipBadRows, precision, resume, prefixSharing); }
    public TrainConfig withLength(LengthConfig v) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, v, cacheDir, skipBadRows, precision, resume, prefixSharing); }
    public TrainConfig withCacheDir(Path v) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, v, skipBadRows, precision, resume, prefixSharing); }
    public TrainConfig withSkipBadRows(boolean v) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, v, precision, resume, prefixSharing); }
    public TrainConfig withPrecision(Precision v) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, v, resume, prefixSharing); }
    public TrainConfig withPrefixSharing(PrefixSharing v) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, precision, resume, v); }
    public TrainConfig withResume(boolean v) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, out, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, precision, v, prefixSharing); }
    public TrainConfig withOut(Path v) { return new TrainConfig(task, model, ref, data, evalData, evalFraction, v, objective, objectiveParams, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, schedule, warmupSteps, maxSteps, epochs, batchSize, gradAccumulation, maxGradNorm, seed, logEvery, saveEvery, evalEvery, lora, length, cacheDir, skipBadRows, precision, resume, prefixSharing); }

    /** The config as a JSON-friendly map (for the manifest and the checkpoint compatibility check). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", task.name());
        m.put("model", model.toString());
        if (ref != null) m.put("ref", ref.toString());
        m.put("data", data.toString());
        if (evalData != null) m.put("eval_data", evalData.toString());
        m.put("eval_fraction", evalFraction);
        m.put("objective", objective);
        m.put("objective_params", new java.util.TreeMap<>(objectiveParams));
        m.put("learning_rate", learningRate);
        m.put("weight_decay", weightDecay);
        m.put("adam_beta1", adamBeta1);
        m.put("adam_beta2", adamBeta2);
        m.put("adam_epsilon", adamEpsilon);
        m.put("schedule", schedule.name());
        m.put("warmup_steps", warmupSteps);
        m.put("max_steps", maxSteps);
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("grad_accumulation", gradAccumulation);
        m.put("max_grad_norm", maxGradNorm);
        m.put("seed", seed);
        m.put("log_every", logEvery);
        m.put("save_every", saveEvery);
        m.put("eval_every", evalEvery);
        if (lora != null) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("rank", lora.rank());
            l.put("alpha", lora.alpha());
            l.put("dropout", lora.dropout());
            l.put("target_modules", lora.targetModules());
            l.put("merge", lora.merge());
            if (lora.init() != null) l.put("init", lora.init().toAbsolutePath().normalize().toString());
            m.put("lora", l);
        }
        m.put("length", Map.of("max_prompt_length", length.maxPromptLength(), "max_length", length.maxLength(),
                "truncation_side", length.truncationSide().name(), "overflow", length.overflow().name()));
        m.put("skip_bad_rows", skipBadRows);
        m.put("precision", precision.name());
        m.put("prefix_sharing", prefixSharing.name());
        return m;
    }
}
