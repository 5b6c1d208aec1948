package dev.prefer.train;

import dev.prefer.data.pref.LengthConfig;
import dev.prefer.lm.Precision;
import dev.prefer.objectives.Objective;
import dev.prefer.objectives.ObjectiveCatalog;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a training run needs, as small nested records validated on construction; immutable. Build one with
 * {@link #builder(Task)} (defaults follow Hugging Face's {@code TrainingArguments} / TRL's {@code DPOConfig} where
 * they exist) or change one with {@link #toBuilder()}:
 *
 * <pre>{@code
 * TrainConfig c = TrainConfig.builder(Task.PREFERENCE)
 *         .objective(new Dpo(0.1))                     // or .objective("ipo", Map.of("tau", 0.05))
 *         .learningRate(5e-6).maxSteps(100).batchSize(8)
 *         .build();
 * }</pre>
 *
 * @param task      {@link Task#PREFERENCE} (an objective over pairs, lists, unpaired rows or joint pairs),
 *                  {@link Task#SFT}, or {@link Task#REWARD} (a sequence-classification reward model)
 * @param objective the preference objective, a typed value with its own defaults (PREFERENCE only; default
 *                  {@code dpo} with beta 0.1); ignored for SFT and REWARD
 * @param reward    the reward-model loss (REWARD only; default {@link RewardLoss#DEFAULT})
 * @param models    policy and reference folders, precision, device
 * @param data      training/evaluation files (file runs only), length limits, bad-row policy
 * @param optimizer AdamW, schedule and clipping
 * @param loop      steps, batches, seed and the logging/saving/evaluation cadence
 * @param lora      LoRA settings, or null for full fine-tuning
 * @param output    the output folder (null for an in-memory run that writes nothing) and the reference cache
 */
public record TrainConfig(Task task, Objective objective, RewardLoss reward, Models models, Data data, Optimizer optimizer,
                          Loop loop, LoraConfig lora, Output output) {

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
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(output, "output");
        if (task == Task.PREFERENCE && objective == null) objective = ObjectiveCatalog.create("dpo", Map.of());
        if (task == Task.REWARD && reward == null) reward = RewardLoss.DEFAULT;
        require(loop.saveEvery() == 0 || output.dir() != null, "checkpoints (save every > 0) need an output folder");
        require(!loop.resume() || output.dir() != null, "resume needs an output folder");
    }

    /**
     * The models: the initial policy's Hugging Face folder (null when the caller hands a loaded model to
     * {@link Trainer#train}), the reference folder (null = the initial policy; ignored by reference-free objectives),
     * the precision ({@link Precision#F32}; F64 is the double-precision twin for tests) and the device.
     */
    public record Models(Path model, Path ref, Precision precision, Device device, boolean gradientCheckpointing) {
        public Models {
            Objects.requireNonNull(precision, "precision");
            device = device == null ? Device.CPU : device;
        }

        public static Models of(Path model) {
            return new Models(model, null, Precision.F32, Device.CPU, false);
        }
    }

    /** Where tensors live: the CPU, or the GPU engine (needs a CUDA build of libtorch; see {@link Device#require}). */
    public enum Device {
        CPU, GPU;

        /** Fails with one line naming what is missing when this device cannot be used here. */
        public void require() {
            if (this == GPU && !dev.prefer.lm.Torch.gpuAvailable()) {
                throw new IllegalArgumentException("--device gpu: no GPU engine here (" + dev.prefer.lm.Torch.gpuMissingReason()
                        + "); use --device cpu");
            }
        }
    }

    /**
     * Training data for file runs: the training file (JSONL or gzip JSONL; null for in-memory runs), an evaluation
     * file or, when that is null, the seeded fraction held out (default 0), the prompt/total length limits (default
     * unlimited up to the model's positions) and whether bad rows are skipped and counted instead of failing.
     */
    public record Data(Path train, Path eval, double evalFraction, LengthConfig length, boolean skipBadRows) {
        public Data {
            Objects.requireNonNull(length, "length");
            require(evalFraction >= 0 && evalFraction < 1, "eval fraction must be in [0, 1)");
        }

        public static final Data DEFAULT = new Data(null, null, 0, LengthConfig.UNLIMITED, false);
    }

    /**
     * AdamW (decoupled weight decay) with a warm-up schedule and global-norm clipping.
     *
     * @param learningRate peak learning rate (default 1e-6, TRL's DPO default)
     * @param weightDecay  default 0
     * @param beta1        default 0.9
     * @param beta2        default 0.999
     * @param epsilon      default 1e-8
     * @param schedule     after warm-up (default LINEAR decay to 0)
     * @param warmupSteps  linear warm-up steps from 0 (default 0)
     * @param maxGradNorm  clip the global gradient norm to this; 0 = off (default 1.0)
     */
    public record Optimizer(double learningRate, double weightDecay, double beta1, double beta2, double epsilon,
                            Schedule schedule, int warmupSteps, double maxGradNorm) {
        public Optimizer {
            Objects.requireNonNull(schedule, "schedule");
            require(learningRate >= 0 && Double.isFinite(learningRate), "learning rate must be >= 0");
            require(weightDecay >= 0, "weight decay must be >= 0");
            require(beta1 >= 0 && beta1 < 1, "adam beta1 must be in [0, 1)");
            require(beta2 >= 0 && beta2 < 1, "adam beta2 must be in [0, 1)");
            require(epsilon > 0, "adam epsilon must be > 0");
            require(warmupSteps >= 0, "warm-up steps must be >= 0");
            require(maxGradNorm >= 0, "max grad norm must be >= 0 (0 = off)");
        }

        public static final Optimizer DEFAULT = new Optimizer(1e-6, 0, 0.9, 0.999, 1e-8, Schedule.LINEAR, 0, 1.0);
    }

    /**
     * The step loop.
     *
     * @param maxSteps         optimizer steps; 0 = {@code epochs} passes over the data (default 0)
     * @param epochs           passes over the data when {@code maxSteps} is 0 (default 1)
     * @param batchSize        groups (pairs, lists or SFT rows) per forward pass (default 4)
     * @param gradAccumulation forward passes per optimizer step (default 1)
     * @param seed             data order, LoRA init and dropout (default 42)
     * @param logEvery         steps between metric lines (default 1)
     * @param saveEvery        steps between checkpoints; 0 = none (default 0)
     * @param evalEvery        steps between evaluations; 0 = only at the end (default 0)
     * @param prefixSharing    run each group's shared prompt once per forward pass (default AUTO)
     * @param resume           continue from the last checkpoint in {@code out/checkpoints}
     * @param patience         early stopping: stop after this many evaluations in a row without a lower
     *                         {@code eval/loss} (by more than 1e-9); 0 = off (default 0)
     */
    public record Loop(int maxSteps, int epochs, int batchSize, int gradAccumulation, long seed, int logEvery, int saveEvery,
                       int evalEvery, PrefixSharing prefixSharing, boolean resume, int patience) {
        /** Without early stopping. */
        public Loop(int maxSteps, int epochs, int batchSize, int gradAccumulation, long seed, int logEvery, int saveEvery,
                    int evalEvery, PrefixSharing prefixSharing, boolean resume) {
            this(maxSteps, epochs, batchSize, gradAccumulation, seed, logEvery, saveEvery, evalEvery, prefixSharing, resume, 0);
        }

        public Loop {
            prefixSharing = prefixSharing == null ? PrefixSharing.AUTO : prefixSharing;
            require(maxSteps >= 0, "max steps must be >= 0");
            require(epochs >= 1, "epochs must be >= 1");
            require(batchSize >= 1, "batch size must be >= 1");
            require(gradAccumulation >= 1, "gradient accumulation must be >= 1");
            require(logEvery >= 1, "log every must be >= 1");
            require(saveEvery >= 0, "save every must be >= 0");
            require(evalEvery >= 0, "eval every must be >= 0");
            require(patience >= 0, "patience must be >= 0 (0 = no early stopping)");
        }

        public static final Loop DEFAULT = new Loop(0, 1, 4, 1, 42, 1, 0, 0, PrefixSharing.AUTO, false);
    }

    /**
     * Files: the output folder (model or adapter, manifest.json, metrics.jsonl, checkpoints/; null = write nothing,
     * metrics are only returned) and the reference log-prob cache (default {@code ~/.cache/prefer/ref-logps}; with
     * no output folder reference log-probs are computed in memory unless a cache folder is given).
     */
    public record Output(Path dir, Path cacheDir) {
        public static Output to(Path dir) {
            return new Output(dir, null);
        }

        /** The cache folder, or the default one under the user's home. */
        public Path cacheDirOrDefault() {
            return cacheDir != null ? cacheDir : Path.of(System.getProperty("user.home"), ".cache", "prefer", "ref-logps");
        }
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

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    // --- shortcuts to the nested records, for the code that reads them most ---

    /** The output folder, or null when the run writes nothing. */
    public Path out() {
        return output.dir();
    }

    public long seed() {
        return loop.seed();
    }

    public LengthConfig length() {
        return data.length();
    }

    public Precision precision() {
        return models.precision();
    }

    // --- building ---

    public static Builder builder(Task task) {
        return new Builder(task);
    }

    /** The documented defaults for a task, model, data file and output folder (the file-run shape). */
    public static TrainConfig defaults(Task task, Path model, Path data, Path out) {
        return builder(task).model(model).data(data).out(out).build();
    }

    public Builder toBuilder() {
        Builder b = new Builder(task);
        b.objective = objective;
        b.reward = reward;
        b.models = models;
        b.data = data;
        b.optimizer = optimizer;
        b.loop = loop;
        b.lora = lora;
        b.output = output;
        return b;
    }

    /** Fluent construction; each setter replaces one field of one nested record, validated at {@link #build()}. */
    public static final class Builder {
        private Task task;
        private Objective objective;
        private RewardLoss reward;
        private Models models = new Models(null, null, Precision.F32, Device.CPU, false);
        private Data data = Data.DEFAULT;
        private Optimizer optimizer = Optimizer.DEFAULT;
        private Loop loop = Loop.DEFAULT;
        private LoraConfig lora;
        private Output output = new Output(null, null);

        private Builder(Task task) {
            this.task = Objects.requireNonNull(task, "task");
        }

        public TrainConfig build() {
            return new TrainConfig(task, objective, reward, models, data, optimizer, loop, lora, output);
        }

        public Builder task(Task v) { task = Objects.requireNonNull(v, "task"); return this; }
        public Builder objective(Objective v) { objective = v; return this; }
        /** By catalog name with overrides of its own defaults, e.g. {@code ("ipo", Map.of("tau", 0.05))}. */
        public Builder objective(String name, Map<String, Double> overrides) { objective = ObjectiveCatalog.create(name, overrides); return this; }
        public Builder reward(RewardLoss v) { reward = v; return this; }
        public Builder models(Models v) { models = Objects.requireNonNull(v); return this; }
        public Builder data(Data v) { data = Objects.requireNonNull(v); return this; }
        public Builder optimizer(Optimizer v) { optimizer = Objects.requireNonNull(v); return this; }
        public Builder loop(Loop v) { loop = Objects.requireNonNull(v); return this; }
        public Builder lora(LoraConfig v) { lora = v; return this; }
        public Builder output(Output v) { output = Objects.requireNonNull(v); return this; }

        public Builder model(Path v) { models = new Models(v, models.ref(), models.precision(), models.device(), models.gradientCheckpointing()); return this; }
        public Builder ref(Path v) { models = new Models(models.model(), v, models.precision(), models.device(), models.gradientCheckpointing()); return this; }
        public Builder precision(Precision v) { models = new Models(models.model(), models.ref(), v, models.device(), models.gradientCheckpointing()); return this; }
        public Builder device(Device v) { models = new Models(models.model(), models.ref(), models.precision(), v, models.gradientCheckpointing()); return this; }
        /** Recompute each block's activations in the backward pass instead of keeping them (transformers' {@code gradient_checkpointing}). */
        public Builder gradientCheckpointing(boolean v) { models = new Models(models.model(), models.ref(), models.precision(), models.device(), v); return this; }

        public Builder data(Path v) { data = new Data(v, data.eval(), data.evalFraction(), data.length(), data.skipBadRows()); return this; }
        public Builder eval(Path file, double fraction) { data = new Data(data.train(), file, fraction, data.length(), data.skipBadRows()); return this; }
        public Builder length(LengthConfig v) { data = new Data(data.train(), data.eval(), data.evalFraction(), v, data.skipBadRows()); return this; }
        public Builder skipBadRows(boolean v) { data = new Data(data.train(), data.eval(), data.evalFraction(), data.length(), v); return this; }

        public Builder learningRate(double v) { Optimizer o = optimizer; optimizer = new Optimizer(v, o.weightDecay(), o.beta1(), o.beta2(), o.epsilon(), o.schedule(), o.warmupSteps(), o.maxGradNorm()); return this; }
        public Builder weightDecay(double v) { Optimizer o = optimizer; optimizer = new Optimizer(o.learningRate(), v, o.beta1(), o.beta2(), o.epsilon(), o.schedule(), o.warmupSteps(), o.maxGradNorm()); return this; }
        public Builder adam(double beta1, double beta2, double epsilon) { Optimizer o = optimizer; optimizer = new Optimizer(o.learningRate(), o.weightDecay(), beta1, beta2, epsilon, o.schedule(), o.warmupSteps(), o.maxGradNorm()); return this; }
        public Builder schedule(Schedule s, int warmupSteps) { Optimizer o = optimizer; optimizer = new Optimizer(o.learningRate(), o.weightDecay(), o.beta1(), o.beta2(), o.epsilon(), s, warmupSteps, o.maxGradNorm()); return this; }
        public Builder maxGradNorm(double v) { Optimizer o = optimizer; optimizer = new Optimizer(o.learningRate(), o.weightDecay(), o.beta1(), o.beta2(), o.epsilon(), o.schedule(), o.warmupSteps(), v); return this; }

        public Builder maxSteps(int v) { Loop l = loop; loop = new Loop(v, l.epochs(), l.batchSize(), l.gradAccumulation(), l.seed(), l.logEvery(), l.saveEvery(), l.evalEvery(), l.prefixSharing(), l.resume(), l.patience()); return this; }
        public Builder epochs(int v) { Loop l = loop; loop = new Loop(l.maxSteps(), v, l.batchSize(), l.gradAccumulation(), l.seed(), l.logEvery(), l.saveEvery(), l.evalEvery(), l.prefixSharing(), l.resume(), l.patience()); return this; }
        public Builder batchSize(int v) { Loop l = loop; loop = new Loop(l.maxSteps(), l.epochs(), v, l.gradAccumulation(), l.seed(), l.logEvery(), l.saveEvery(), l.evalEvery(), l.prefixSharing(), l.resume(), l.patience()); return this; }
        public Builder gradAccumulation(int v) { Loop l = loop; loop = new Loop(l.maxSteps(), l.epochs(), l.batchSize(), v, l.seed(), l.logEvery(), l.saveEvery(), l.evalEvery(), l.prefixSharing(), l.resume(), l.patience()); return this; }
        public Builder seed(long v) { Loop l = loop; loop = new Loop(l.maxSteps(), l.epochs(), l.batchSize(), l.gradAccumulation(), v, l.logEvery(), l.saveEvery(), l.evalEvery(), l.prefixSharing(), l.resume(), l.patience()); return this; }
        public Builder every(int log, int save, int eval) { Loop l = loop; loop = new Loop(l.maxSteps(), l.epochs(), l.batchSize(), l.gradAccumulation(), l.seed(), log, save, eval, l.prefixSharing(), l.resume(), l.patience()); return this; }
        public Builder prefixSharing(PrefixSharing v) { Loop l = loop; loop = new Loop(l.maxSteps(), l.epochs(), l.batchSize(), l.gradAccumulation(), l.seed(), l.logEvery(), l.saveEvery(), l.evalEvery(), v, l.resume(), l.patience()); return this; }
        public Builder resume(boolean v) { Loop l = loop; loop = new Loop(l.maxSteps(), l.epochs(), l.batchSize(), l.gradAccumulation(), l.seed(), l.logEvery(), l.saveEvery(), l.evalEvery(), l.prefixSharing(), v, l.patience()); return this; }
        /** Early stopping after {@code v} evaluations without a lower eval/loss; 0 = off. */
        public Builder patience(int v) { Loop l = loop; loop = new Loop(l.maxSteps(), l.epochs(), l.batchSize(), l.gradAccumulation(), l.seed(), l.logEvery(), l.saveEvery(), l.evalEvery(), l.prefixSharing(), l.resume(), v); return this; }

        public Builder out(Path v) { output = new Output(v, output.cacheDir()); return this; }
        public Builder cacheDir(Path v) { output = new Output(output.dir(), v); return this; }
    }

    // --- one-field changes (shortcuts for toBuilder().x(v).build()) ---
    public TrainConfig withRef(Path v) { return toBuilder().ref(v).build(); }
    public TrainConfig withEval(Path file, double fraction) { return toBuilder().eval(file, fraction).build(); }
    public TrainConfig withData(Path v) { return toBuilder().data(v).build(); }
    public TrainConfig withObjective(Objective v) { return toBuilder().objective(v).build(); }
    public TrainConfig withObjective(String name, Map<String, Double> overrides) { return toBuilder().objective(name, overrides).build(); }
    public TrainConfig withReward(RewardLoss v) { return toBuilder().reward(v).build(); }
    public TrainConfig withOptimizer(double lr, double wd, double b1, double b2, double eps) { return toBuilder().learningRate(lr).weightDecay(wd).adam(b1, b2, eps).build(); }
    public TrainConfig withLearningRate(double lr) { return toBuilder().learningRate(lr).build(); }
    public TrainConfig withSchedule(Schedule s, int warmup) { return toBuilder().schedule(s, warmup).build(); }
    public TrainConfig withSteps(int max, int epochs) { return toBuilder().maxSteps(max).epochs(epochs).build(); }
    public TrainConfig withBatch(int size, int accumulation) { return toBuilder().batchSize(size).gradAccumulation(accumulation).build(); }
    public TrainConfig withMaxGradNorm(double v) { return toBuilder().maxGradNorm(v).build(); }
    public TrainConfig withSeed(long v) { return toBuilder().seed(v).build(); }
    public TrainConfig withEvery(int log, int save, int eval) { return toBuilder().every(log, save, eval).build(); }
    public TrainConfig withLora(LoraConfig v) { return toBuilder().lora(v).build(); }
    public TrainConfig withLength(LengthConfig v) { return toBuilder().length(v).build(); }
    public TrainConfig withCacheDir(Path v) { return toBuilder().cacheDir(v).build(); }
    public TrainConfig withSkipBadRows(boolean v) { return toBuilder().skipBadRows(v).build(); }
    public TrainConfig withPrecision(Precision v) { return toBuilder().precision(v).build(); }
    public TrainConfig withPrefixSharing(PrefixSharing v) { return toBuilder().prefixSharing(v).build(); }
    public TrainConfig withResume(boolean v) { return toBuilder().resume(v).build(); }
    public TrainConfig withOut(Path v) { return toBuilder().out(v).build(); }

    /**
     * The config as a JSON-friendly map (for the manifest and the checkpoint compatibility check): what changes the
     * numbers of a run. The objective appears as its catalog name and full parameters (defaults included).
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", task.name());
        if (models.model() != null) m.put("model", models.model().toString());
        if (models.ref() != null) m.put("ref", models.ref().toString());
        if (data.train() != null) m.put("data", data.train().toString());
        if (data.eval() != null) m.put("eval_data", data.eval().toString());
        m.put("eval_fraction", data.evalFraction());
        if (task == Task.PREFERENCE) {
            m.put("objective", objective.name());
            m.put("objective_params", new java.util.TreeMap<>(ObjectiveCatalog.parameters(objective)));
        } else if (task == Task.SFT) {
            m.put("objective", "sft");
        } else {
            m.put("objective", "reward");
            m.put("objective_params", reward.toParams());
        }
        m.put("learning_rate", optimizer.learningRate());
        m.put("weight_decay", optimizer.weightDecay());
        m.put("adam_beta1", optimizer.beta1());
        m.put("adam_beta2", optimizer.beta2());
        m.put("adam_epsilon", optimizer.epsilon());
        m.put("schedule", optimizer.schedule().name());
        m.put("warmup_steps", optimizer.warmupSteps());
        m.put("max_steps", loop.maxSteps());
        m.put("epochs", loop.epochs());
        m.put("batch_size", loop.batchSize());
        m.put("grad_accumulation", loop.gradAccumulation());
        m.put("max_grad_norm", optimizer.maxGradNorm());
        m.put("seed", loop.seed());
        m.put("log_every", loop.logEvery());
        m.put("save_every", loop.saveEvery());
        m.put("eval_every", loop.evalEvery());
        if (loop.patience() > 0) m.put("patience", loop.patience()); // absent when off: older checkpoints still match
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
        LengthConfig length = data.length();
        m.put("length", Map.of("max_prompt_length", length.maxPromptLength(), "max_length", length.maxLength(),
                "truncation_side", length.truncationSide().name(), "overflow", length.overflow().name()));
        m.put("skip_bad_rows", data.skipBadRows());
        m.put("precision", models.precision().name());
        m.put("device", models.device().name());
        if (models.gradientCheckpointing()) m.put("gradient_checkpointing", true); // memory only: a resume may toggle it
        m.put("prefix_sharing", loop.prefixSharing().name());
        return m;
    }
}
