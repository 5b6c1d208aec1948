package dev.prefer.quickstart;

import dev.prefer.eval.tasks.PairBuilder;
import dev.prefer.eval.tasks.Tasks;
import dev.prefer.objectives.Objective;
import dev.prefer.objectives.ObjectiveCatalog;
import dev.prefer.train.TrainConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every setting of a quickstart run (immutable, validated), as four small records: {@link Setup} (task, data, the
 * fresh model's shape or the user's model), {@link Sft} (SFT and its compute-matched control), {@link Preference}
 * (the on-policy rounds) and the evaluation's sample count. Defaults ({@link #defaults}) take a few minutes on a
 * 2-core CPU (docs/quickstart.md has the measured times); {@link #toBuilder()} and the {@code withX} shortcuts change
 * fields. The flat accessors ({@code c.sftSteps()}, ...) read the nested records.
 *
 * <p>The settings:
 *
 * @param out              output folder (must be empty or absent)
 * @param task             built-in task ({@link Tasks#NAMES}; default arithmetic)
 * @param seed             the one seed every stage derives its own from (default 0)
 * @param trainCount       training problems (default 6000)
 * @param heldOutCount     held-out problems (default 200)
 * @param layers           decoder layers of the fresh model (default 2)
 * @param hiddenSize       model width (default 128)
 * @param vocabSize        tokenizer (and model) vocabulary (default 257: bytes only, so numbers are digit by digit)
 * @param sftSteps         SFT optimizer steps (default 1500, with batch 128)
 * @param sftLearningRate  SFT peak learning rate (default 5e-4, cosine, 20 warm-up steps: the loss falls without a
 *                         plateau for every seed measured; at 1e-3 and 3e-3 it sat on a plateau for a seed-dependent
 *                         200 to more than 1500 steps, docs/quickstart.md)
 * @param sftBatch         SFT rows per step (default 128)
 * @param objectives       preference objectives, each its own run from the SFT model (default rpo = DPO + NLL of the chosen response); names from
 *                         {@code prefer objectives}, e.g. dpo, ipo, plackett-luce (listwise: trained on ranked lists)
 * @param rounds           on-policy rounds per objective: sample, score, pair, train (default 6)
 * @param promptsPerRound  training prompts sampled per round (default 2048)
 * @param samplesPerPrompt k responses per prompt (default 4)
 * @param temperature      sampling temperature for data and sampled evaluation (default 1.0)
 * @param prefSteps        optimizer steps per round (default 100)
 * @param prefLearningRate preference learning rate (default 1e-5: at 1e-4 the policy fixed the demonstrator's slip but
 *                         lost up to 0.23 accuracy on prompts without a carry, and the 3-seed criterion failed on seeds
 *                         3-5; docs/quickstart.md)
 * @param prefBatch        pairs (or lists) per step (default 32)
 * @param beta             the objective's beta (DPO, listwise) or tau (IPO) (default 0.1)
 * @param evalSamples      sampled responses per held-out prompt for sampled accuracy and KL (default 4)
 * @param reference        the preference reference: the SFT model in every round, or the previous round's policy
 *                         (iterative DPO/RPO: Xu et al. 2023 arXiv 2312.16682; Pang et al. 2024 arXiv 2404.19733)
 * @param pairs            pairs per prompt from the k scored samples: best vs worst, or all ordered pairs of distinct
 *                         scores ({@link PairBuilder.Strategy}); listwise objectives always get the ranked list
 * @param objectiveLearningRates learning rate of named objectives (others use {@code prefLearningRate}); plain DPO
 *                         and IPO need far smaller steps than RPO (measured, docs/quickstart.md)
 * @param model            a Hugging Face model folder to align instead of building and SFT-training one (null: build);
 *                         it is the starting policy and the reference, and its tokenizer is used
 * @param prompts          a JSONL file of {@code {"prompt": ...}} rows for the task's verifier, split into training
 *                         and held-out prompts by a hash of each prompt, instead of drawing problems (null: draw)
 * @param prefSchedule     learning-rate schedule within each preference round after its 10% warm-up (default
 *                         CONSTANT; COSINE to 0 ends each round annealed: at 5e-4 it lost less than constant, measured)
 * @param includeGreedy    add the policy's greedy response to each prompt's k samples before pairing (listed first,
 *                         so best-vs-worst pairs a wrong greedy answer against a right sample, or a right greedy
 *                         answer against a wrong sample): the pairs then target the errors greedy decoding makes
 *                         (default true: without it, at 1e-4, the policy over-corrected the demonstrator's slip onto
 *                         prompts without a carry for one seed of three, docs/quickstart.md)
 * @param prefPromptCount  training-side prompts reserved for the preference rounds, drawn beyond the SFT problems and
 *                         never shown to SFT (prompts without demonstrations, as in RL from a verifier); 0: the rounds
 *                         sample the SFT problems' prompts
 * @param demoSlipRate     the SFT demonstrator's slip rate ({@link dev.prefer.eval.tasks.Demonstrator}): the share of
 *                         the problems where the task's systematic mistake applies (arithmetic: a forgotten ones carry)
 *                         on which the SFT data show the mistake instead of the right answer (default 0.6; 0: exact
 *                         demonstrations). Only used when the model is built (no {@code model}).
 * @param sftControl       also run the compute-matched control {@value Quickstart#CONTROL}: the SFT model trained further
 *                         on the same demonstrations for as many steps (rounds x steps per round), rows per step
 *                         (batch) and learning rate as each preference run, evaluated like them (default true; only
 *                         when the model is built)
 * @param truncateRejected cut each pair's rejected response after its first character that differs from the chosen
 *                         one, so that only the first wrong step is pushed down, never the tokens a wrong answer shares
 *                         with a right one after that point (Step-DPO's rejected continuation, Lai et al. 2024 arXiv
 *                         2406.18629; default false); listwise data are never cut
 * @param rewards          reward specs (prefer-reward's sources: {@code verifier:TASK}, {@code model:DIR},
 *                         {@code pairwise:DIR}, {@code judge:URL?...}, weighted as {@code 0.5*SPEC}) that score the rounds'
 *                         samples instead of the task's verifier (default none: the verifier); held-out evaluation
 *                         always uses the verifier
 */
public record QuickstartConfig(Path out, Setup setup, Sft sft, Preference preference, int evalSamples, Online online) {
    /** The settings without {@code --method} (the preference rounds, {@link Online#defaults()}). */
    public QuickstartConfig(Path out, Setup setup, Sft sft, Preference preference, int evalSamples) {
        this(out, setup, sft, preference, evalSamples, Online.defaults());
    }

    /**
     * What runs after SFT ({@code prefer quickstart --method}): {@code rpo}, the on-policy preference rounds of
     * {@link Preference} (every objective of {@code objectives}; the default), or one online method from the SFT model
     * on the training prompts, the settings of docs/results/online.md: {@code grpo} (dapo loss, ε 0.2 / 0.28, β 0),
     * {@code rloo}, {@code online-dpo} (best vs worst of the G samples, dpo with the preference beta, the SFT model as
     * reference), with the verifier (or {@code rewards}) as the reward; or {@code pref-grpo}, GRPO whose reward is each
     * completion's win rate against the rest of its group under a pairwise preference model learned from
     * verifier-labelled pairs of the SFT model's samples ({@link LearnedJudge}; the RL itself never calls the verifier),
     * or under {@code rewards} when they are given; or {@code nash-md} on that judge (its P(y ≻ y') of a policy sample
     * against a sample of the geometric mixture with the SFT model; β 0.1, mixture 0.5; the method that met issue #14's
     * judge bar, docs/results/online.md). The control then matches the online run: as many steps and rows
     * (prompts × generations) at its learning rate.
     *
     * @param method         rpo, grpo, rloo, online-dpo, pref-grpo or nash-md
     * @param steps          online optimizer steps (default 200)
     * @param promptsPerStep prompts per step (default 16)
     * @param generations    completions per prompt, G (default 8)
     * @param learningRate   constant after 10% warm-up (default 5e-5)
     * @param judge          the learned judge of pref-grpo and nash-md
     */
    public record Online(String method, int steps, int promptsPerStep, int generations, double learningRate, LearnedJudge.Config judge) {
        public static final List<String> METHODS = List.of("rpo", "grpo", "rloo", "online-dpo", "pref-grpo", "nash-md");

        public Online {
            require(METHODS.contains(method), "unknown method: " + method + " (one of " + String.join(", ", METHODS) + ")");
            require(steps >= 1, "online steps must be >= 1");
            require(promptsPerStep >= 1, "prompts per step must be >= 1");
            require(generations >= 2, "generations per prompt must be >= 2");
            require(learningRate > 0 && Double.isFinite(learningRate), "online learning rate must be > 0");
            Objects.requireNonNull(judge, "judge");
        }

        public static Online defaults() {
            return new Online("rpo", 200, 16, 8, 5e-5, LearnedJudge.Config.defaults(0));
        }

        public Online withMethod(String m) {
            return new Online(m, steps, promptsPerStep, generations, learningRate, judge);
        }

        /** True for the online methods (anything but the rpo rounds). */
        public boolean isOnline() {
            return !method.equals("rpo");
        }
    }

    /** The task, its data and the model the run starts from. */
    public record Setup(String task, long seed, int trainCount, int heldOutCount, int layers, int hiddenSize, int vocabSize,
                        Path model, Path prompts, int prefPromptCount, double demoSlipRate) {
        public Setup {
            Tasks.byName(task);
            require(trainCount >= 1, "train count must be >= 1");
            require(heldOutCount >= 1, "held-out count must be >= 1");
            require(layers >= 1 && hiddenSize >= 8, "layers must be >= 1 and hidden size >= 8");
            require(vocabSize >= 257, "vocab size must be >= 257 (256 bytes and end of text)");
            require(prefPromptCount >= 0, "preference prompt count must be >= 0");
            require(demoSlipRate >= 0 && demoSlipRate <= 1, "demonstrator slip rate must be in [0, 1]");
            if (model != null) require(java.nio.file.Files.isRegularFile(model.resolve("config.json")), "--model must be a Hugging Face model folder with config.json: " + model);
            if (prompts != null) require(java.nio.file.Files.isRegularFile(prompts), "prompts file not found: " + prompts);
        }
    }

    /** SFT of the fresh model, and whether the compute-matched control runs. */
    public record Sft(int steps, double learningRate, int batch, boolean control) {
        public Sft {
            require(steps >= 1, "sft steps must be >= 1");
            require(learningRate > 0, "sft learning rate must be > 0");
            require(batch >= 1, "sft batch must be >= 1");
        }
    }

    /** The on-policy preference rounds of each objective. */
    public record Preference(List<String> objectives, int rounds, int promptsPerRound, int samplesPerPrompt, double temperature,
                             int steps, double learningRate, int batch, double beta, Reference reference, PairBuilder.Strategy pairs,
                             Map<String, Double> objectiveLearningRates, TrainConfig.Schedule schedule, boolean includeGreedy,
                             boolean truncateRejected, List<String> rewards) {
        public Preference {
            rewards = List.copyOf(rewards == null ? List.of() : rewards);
            objectives = List.copyOf(objectives);
            if (objectives.isEmpty()) throw new IllegalArgumentException("at least one objective is required");
            for (String o : objectives) ObjectiveCatalog.entry(o); // validates the name
            if (objectives.stream().distinct().count() != objectives.size()) throw new IllegalArgumentException("objectives repeat: " + objectives);
            require(rounds >= 1, "rounds must be >= 1");
            require(promptsPerRound >= 1, "prompts per round must be >= 1");
            require(samplesPerPrompt >= 2, "samples per prompt must be >= 2");
            require(temperature > 0 && Double.isFinite(temperature), "temperature must be > 0");
            require(steps >= 1, "preference steps must be >= 1");
            require(learningRate > 0, "preference learning rate must be > 0");
            require(batch >= 1, "preference batch must be >= 1");
            require(beta > 0, "beta must be > 0");
            Objects.requireNonNull(reference, "reference");
            Objects.requireNonNull(pairs, "pairs");
            Objects.requireNonNull(schedule, "prefSchedule");
            objectiveLearningRates = Map.copyOf(objectiveLearningRates);
            for (Map.Entry<String, Double> e : objectiveLearningRates.entrySet()) {
                require(objectives.contains(e.getKey()), "a learning rate is given for " + e.getKey() + ", which is not among the objectives " + objectives);
                require(e.getValue() > 0 && Double.isFinite(e.getValue()), "learning rate of " + e.getKey() + " must be > 0");
            }
        }
    }

    public QuickstartConfig {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(sft, "sft");
        Objects.requireNonNull(preference, "preference");
        Objects.requireNonNull(online, "online");
        require(evalSamples >= 1, "eval samples must be >= 1");
    }

    /** The default demonstrator's slip rate (see {@code demoSlipRate}). */
    public static final double DEFAULT_SLIP_RATE = 0.6;

    public static QuickstartConfig defaults(Path out) {
        return new QuickstartConfig(out,
                new Setup("arithmetic", 0, 6000, 200, 2, 128, 257, null, null, 0, DEFAULT_SLIP_RATE),
                new Sft(1500, 5e-4, 128, true),
                new Preference(List.of("rpo"), 6, 2048, 4, 1.0, 100, 1e-5, 32, 0.1, Reference.SFT, PairBuilder.Strategy.BEST_VS_WORST,
                        Map.of(), TrainConfig.Schedule.CONSTANT, true, false, List.of()),
                4);
    }

    // --- flat accessors over the nested records ---
    public String task() { return setup.task(); }
    public long seed() { return setup.seed(); }
    public int trainCount() { return setup.trainCount(); }
    public int heldOutCount() { return setup.heldOutCount(); }
    public int layers() { return setup.layers(); }
    public int hiddenSize() { return setup.hiddenSize(); }
    public int vocabSize() { return setup.vocabSize(); }
    public Path model() { return setup.model(); }
    public Path prompts() { return setup.prompts(); }
    public int prefPromptCount() { return setup.prefPromptCount(); }
    public double demoSlipRate() { return setup.demoSlipRate(); }
    public int sftSteps() { return sft.steps(); }
    public double sftLearningRate() { return sft.learningRate(); }
    public int sftBatch() { return sft.batch(); }
    public boolean sftControl() { return sft.control(); }
    public List<String> objectives() { return preference.objectives(); }
    public int rounds() { return preference.rounds(); }
    public int promptsPerRound() { return preference.promptsPerRound(); }
    public int samplesPerPrompt() { return preference.samplesPerPrompt(); }
    public double temperature() { return preference.temperature(); }
    public int prefSteps() { return preference.steps(); }
    public double prefLearningRate() { return preference.learningRate(); }
    public int prefBatch() { return preference.batch(); }
    public double beta() { return preference.beta(); }
    public Reference reference() { return preference.reference(); }
    public PairBuilder.Strategy pairs() { return preference.pairs(); }
    public Map<String, Double> objectiveLearningRates() { return preference.objectiveLearningRates(); }
    public TrainConfig.Schedule prefSchedule() { return preference.schedule(); }
    public boolean includeGreedy() { return preference.includeGreedy(); }
    public boolean truncateRejected() { return preference.truncateRejected(); }
    /** Reward specs that score the rounds' samples (prefer-reward's sources); empty: the task's verifier. */
    public List<String> rewards() { return preference.rewards(); }

    /** The learning rate of one objective. */
    public double learningRate(String objective) {
        return preference.objectiveLearningRates().getOrDefault(objective, preference.learningRate());
    }

    // --- building ---
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Changes fields of the nested records; {@link #build()} validates. */
    public static final class Builder {
        private Path out;
        private String task;
        private long seed;
        private int trainCount, heldOutCount, layers, hiddenSize, vocabSize, prefPromptCount;
        private Path model, prompts;
        private double demoSlipRate;
        private int sftSteps, sftBatch;
        private double sftLearningRate;
        private boolean sftControl;
        private List<String> objectives;
        private int rounds, promptsPerRound, samplesPerPrompt, prefSteps, prefBatch, evalSamples;
        private double temperature, prefLearningRate, beta;
        private Reference reference;
        private PairBuilder.Strategy pairs;
        private Map<String, Double> objectiveLearningRates;
        private TrainConfig.Schedule prefSchedule;
        private boolean includeGreedy, truncateRejected;
        private List<String> rewards;
        private Online online;

        private Builder(QuickstartConfig c) {
            out = c.out;
            Setup s = c.setup;
            task = s.task(); seed = s.seed(); trainCount = s.trainCount(); heldOutCount = s.heldOutCount(); layers = s.layers();
            hiddenSize = s.hiddenSize(); vocabSize = s.vocabSize(); model = s.model(); prompts = s.prompts();
            prefPromptCount = s.prefPromptCount(); demoSlipRate = s.demoSlipRate();
            sftSteps = c.sft.steps(); sftLearningRate = c.sft.learningRate(); sftBatch = c.sft.batch(); sftControl = c.sft.control();
            Preference p = c.preference;
            objectives = p.objectives(); rounds = p.rounds(); promptsPerRound = p.promptsPerRound(); samplesPerPrompt = p.samplesPerPrompt();
            temperature = p.temperature(); prefSteps = p.steps(); prefLearningRate = p.learningRate(); prefBatch = p.batch(); beta = p.beta();
            reference = p.reference(); pairs = p.pairs(); objectiveLearningRates = p.objectiveLearningRates(); prefSchedule = p.schedule();
            includeGreedy = p.includeGreedy(); truncateRejected = p.truncateRejected(); rewards = p.rewards();
            evalSamples = c.evalSamples;
            online = c.online;
        }

        public QuickstartConfig build() {
            return new QuickstartConfig(out,
                    new Setup(task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, model, prompts, prefPromptCount, demoSlipRate),
                    new Sft(sftSteps, sftLearningRate, sftBatch, sftControl),
                    new Preference(objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch,
                            beta, reference, pairs, objectiveLearningRates, prefSchedule, includeGreedy, truncateRejected, rewards),
                    evalSamples, online);
        }

        public Builder online(Online v) { online = v; return this; }
        public Builder method(String v) { online = online.withMethod(v); return this; }
        public Builder out(Path v) { out = v; return this; }
        public Builder task(String v) { task = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder data(int train, int heldOut) { trainCount = train; heldOutCount = heldOut; return this; }
        public Builder modelShape(int nLayers, int hidden) { layers = nLayers; hiddenSize = hidden; return this; }
        public Builder vocab(int v) { vocabSize = v; return this; }
        public Builder modelDir(Path v) { model = v; return this; }
        public Builder prompts(Path v) { prompts = v; return this; }
        public Builder prefPrompts(int v) { prefPromptCount = v; return this; }
        public Builder demoSlipRate(double v) { demoSlipRate = v; return this; }
        public Builder sft(int steps, double lr, int batch) { sftSteps = steps; sftLearningRate = lr; sftBatch = batch; return this; }
        public Builder sftControl(boolean v) { sftControl = v; return this; }
        /** The objectives; learning rates given for objectives no longer listed are dropped. */
        public Builder objectives(List<String> v) {
            objectives = v;
            Map<String, Double> m = new LinkedHashMap<>(objectiveLearningRates);
            m.keySet().retainAll(v);
            objectiveLearningRates = m;
            return this;
        }
        public Builder rounds(int r, int promptCount, int k) { rounds = r; promptsPerRound = promptCount; samplesPerPrompt = k; return this; }
        public Builder preference(int steps, double lr, int batch, double b) { prefSteps = steps; prefLearningRate = lr; prefBatch = batch; beta = b; return this; }
        public Builder sampling(double temp, int evalK) { temperature = temp; evalSamples = evalK; return this; }
        public Builder reference(Reference v) { reference = v; return this; }
        public Builder pairs(PairBuilder.Strategy v) { pairs = v; return this; }
        public Builder objectiveLearningRates(Map<String, Double> v) { objectiveLearningRates = v; return this; }
        public Builder prefSchedule(TrainConfig.Schedule v) { prefSchedule = v; return this; }
        public Builder includeGreedy(boolean v) { includeGreedy = v; return this; }
        public Builder truncateRejected(boolean v) { truncateRejected = v; return this; }
        public Builder rewards(List<String> v) { rewards = v; return this; }
    }

    // --- one-field shortcuts (toBuilder().x(v).build()) ---
    public QuickstartConfig withOut(Path v) { return toBuilder().out(v).build(); }
    public QuickstartConfig withTask(String v) { return toBuilder().task(v).build(); }
    public QuickstartConfig withSeed(long v) { return toBuilder().seed(v).build(); }
    public QuickstartConfig withData(int train, int heldOut) { return toBuilder().data(train, heldOut).build(); }
    public QuickstartConfig withModel(int nLayers, int hidden) { return toBuilder().modelShape(nLayers, hidden).build(); }
    public QuickstartConfig withVocab(int v) { return toBuilder().vocab(v).build(); }
    public QuickstartConfig withSft(int steps, double lr, int batch) { return toBuilder().sft(steps, lr, batch).build(); }
    public QuickstartConfig withObjectives(List<String> v) { return toBuilder().objectives(v).build(); }
    public QuickstartConfig withRounds(int r, int promptCount, int k) { return toBuilder().rounds(r, promptCount, k).build(); }
    public QuickstartConfig withPreference(int steps, double lr, int batch, double b) { return toBuilder().preference(steps, lr, batch, b).build(); }
    public QuickstartConfig withSampling(double temp, int evalK) { return toBuilder().sampling(temp, evalK).build(); }
    public QuickstartConfig withReference(Reference v) { return toBuilder().reference(v).build(); }
    public QuickstartConfig withPairs(PairBuilder.Strategy v) { return toBuilder().pairs(v).build(); }
    public QuickstartConfig withObjectiveLearningRates(Map<String, Double> v) { return toBuilder().objectiveLearningRates(v).build(); }
    public QuickstartConfig withModelDir(Path v) { return toBuilder().modelDir(v).build(); }
    public QuickstartConfig withPrompts(Path v) { return toBuilder().prompts(v).build(); }
    public QuickstartConfig withPrefPrompts(int v) { return toBuilder().prefPrompts(v).build(); }
    public QuickstartConfig withDemoSlipRate(double v) { return toBuilder().demoSlipRate(v).build(); }
    public QuickstartConfig withPrefSchedule(TrainConfig.Schedule v) { return toBuilder().prefSchedule(v).build(); }
    public QuickstartConfig withIncludeGreedy(boolean v) { return toBuilder().includeGreedy(v).build(); }
    public QuickstartConfig withSftControl(boolean v) { return toBuilder().sftControl(v).build(); }
    public QuickstartConfig withTruncateRejected(boolean v) { return toBuilder().truncateRejected(v).build(); }
    public QuickstartConfig withRewards(List<String> v) { return toBuilder().rewards(v).build(); }
    public QuickstartConfig withOnline(Online v) { return toBuilder().online(v).build(); }
    public QuickstartConfig withMethod(String v) { return toBuilder().method(v).build(); }

    /** Which model the preference loss measures log-ratios against. */
    public enum Reference {
        /** The SFT model in every round (a fixed anchor). */
        SFT,
        /** The policy that started the round (the previous round's result; the SFT model in round 1). */
        PREVIOUS
    }

    /** The reference mode by its option name: {@code sft} or {@code previous}. */
    public static Reference reference(String name) {
        for (Reference r : Reference.values()) if (name(r).equals(name)) return r;
        throw new IllegalArgumentException("unknown reference: " + name + " (sft or previous)");
    }

    /** The pair strategy by its option name: {@code best-vs-worst} or {@code all}. */
    public static PairBuilder.Strategy pairs(String name) {
        for (PairBuilder.Strategy s : PairBuilder.Strategy.values()) if (name(s).equals(name)) return s;
        throw new IllegalArgumentException("unknown pairs: " + name + " (best-vs-worst or all)");
    }

    /** Option name of a reference mode or pair strategy: sft, previous, best-vs-worst, all. */
    public static String name(Enum<?> e) {
        return e == PairBuilder.Strategy.ALL_PAIRS ? "all" : e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }



    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /**
     * The objective with its catalog defaults, and {@code beta} (or IPO's {@code tau}) set to the run's beta where it
     * has one: a typed value, no parameter strings.
     */
    static Objective objective(String objective, double beta) {
        Map<String, Double> defaults = ObjectiveCatalog.parameters(ObjectiveCatalog.create(objective, Map.of()));
        Map<String, Double> p = new LinkedHashMap<>();
        if (defaults.containsKey("beta")) p.put("beta", beta);
        if (defaults.containsKey("tau")) p.put("tau", beta);
        return ObjectiveCatalog.create(objective, p);
    }

    /** Whether an objective trains on ranked lists rather than pairs. */
    static boolean listwise(String objective) {
        return ObjectiveCatalog.create(objective, Map.of()).requirements().layout() == dev.prefer.objectives.Layout.LISTS;
    }




    /** Every setting, for the manifest. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", task());
        m.put("seed", seed());
        m.put("train_count", trainCount());
        m.put("held_out_count", heldOutCount());
        m.put("layers", layers());
        m.put("hidden_size", hiddenSize());
        m.put("vocab_size", vocabSize());
        m.put("sft_steps", sftSteps());
        m.put("sft_learning_rate", sftLearningRate());
        m.put("sft_batch", sftBatch());
        m.put("objectives", objectives());
        m.put("rounds", rounds());
        m.put("prompts_per_round", promptsPerRound());
        m.put("samples_per_prompt", samplesPerPrompt());
        m.put("temperature", temperature());
        m.put("pref_steps", prefSteps());
        m.put("pref_learning_rate", prefLearningRate());
        m.put("pref_batch", prefBatch());
        m.put("beta", beta());
        m.put("eval_samples", evalSamples());
        m.put("reference", name(reference()));
        m.put("pairs", name(pairs()));
        m.put("objective_learning_rates", new java.util.TreeMap<>(objectiveLearningRates()));
        m.put("include_greedy", includeGreedy());
        m.put("pref_prompt_count", prefPromptCount());
        m.put("demo_slip_rate", demoSlipRate());
        m.put("sft_control", sftControl());
        m.put("truncate_rejected", truncateRejected());
        m.put("rewards", rewards().isEmpty() ? List.of("verifier:" + task()) : rewards());
        m.put("pref_schedule", prefSchedule().name().toLowerCase(java.util.Locale.ROOT));
        m.put("method", online.method());
        if (online.isOnline()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("steps", online.steps());
            o.put("prompts_per_step", online.promptsPerStep());
            o.put("generations", online.generations());
            o.put("learning_rate", online.learningRate());
            if (OnlineRun.judged(online.method()) && rewards().isEmpty()) o.put("learned_judge", online.judge().toMap());
            m.put("online", o);
        }
        m.put("model", model() == null ? "built (setup + SFT)" : model().toString());
        m.put("prompts", prompts() == null ? "drawn from the task" : prompts().toString());
        return m;
    }
}
