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
 * Every setting of a quickstart run (immutable, validated). Defaults ({@link #defaults}) take a few minutes on a
 * 2-core CPU (docs/quickstart.md has the measured times).
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
 */
public record QuickstartConfig(Path out, String task, long seed, int trainCount, int heldOutCount, int layers, int hiddenSize, int vocabSize,
                               int sftSteps, double sftLearningRate, int sftBatch, List<String> objectives, int rounds,
                               int promptsPerRound, int samplesPerPrompt, double temperature, int prefSteps,
                               double prefLearningRate, int prefBatch, double beta, int evalSamples,
                               Reference reference, PairBuilder.Strategy pairs, Map<String, Double> objectiveLearningRates,
                               Path model, Path prompts, TrainConfig.Schedule prefSchedule, boolean includeGreedy,
                               int prefPromptCount, double demoSlipRate, boolean sftControl,
                               boolean truncateRejected) {

    public QuickstartConfig {
        Objects.requireNonNull(out, "out");
        Tasks.byName(task);
        objectives = List.copyOf(objectives);
        if (objectives.isEmpty()) throw new IllegalArgumentException("at least one objective is required");
        for (String o : objectives) ObjectiveCatalog.entry(o); // validates the name
        if (objectives.stream().distinct().count() != objectives.size()) throw new IllegalArgumentException("objectives repeat: " + objectives);
        require(trainCount >= 1, "train count must be >= 1");
        require(heldOutCount >= 1, "held-out count must be >= 1");
        require(layers >= 1 && hiddenSize >= 8, "layers must be >= 1 and hidden size >= 8");
        require(vocabSize >= 257, "vocab size must be >= 257 (256 bytes and end of text)");
        require(sftSteps >= 1, "sft steps must be >= 1");
        require(sftLearningRate > 0, "sft learning rate must be > 0");
        require(sftBatch >= 1, "sft batch must be >= 1");
        require(rounds >= 1, "rounds must be >= 1");
        require(promptsPerRound >= 1, "prompts per round must be >= 1");
        require(samplesPerPrompt >= 2, "samples per prompt must be >= 2");
        require(temperature > 0 && Double.isFinite(temperature), "temperature must be > 0");
        require(prefSteps >= 1, "preference steps must be >= 1");
        require(prefLearningRate > 0, "preference learning rate must be > 0");
        require(prefBatch >= 1, "preference batch must be >= 1");
        require(beta > 0, "beta must be > 0");
        require(evalSamples >= 1, "eval samples must be >= 1");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(pairs, "pairs");
        Objects.requireNonNull(prefSchedule, "prefSchedule");
        require(prefPromptCount >= 0, "preference prompt count must be >= 0");
        require(demoSlipRate >= 0 && demoSlipRate <= 1, "demonstrator slip rate must be in [0, 1]");
        objectiveLearningRates = Map.copyOf(objectiveLearningRates);
        if (model != null) require(java.nio.file.Files.isRegularFile(model.resolve("config.json")), "--model must be a Hugging Face model folder with config.json: " + model);
        if (prompts != null) require(java.nio.file.Files.isRegularFile(prompts), "prompts file not found: " + prompts);
        for (Map.Entry<String, Double> e : objectiveLearningRates.entrySet()) {
            require(objectives.contains(e.getKey()), "a learning rate is given for " + e.getKey() + ", which is not among the objectives " + objectives);
            require(e.getValue() > 0 && Double.isFinite(e.getValue()), "learning rate of " + e.getKey() + " must be > 0");
        }
    }

    public static QuickstartConfig defaults(Path out) {
        return new QuickstartConfig(out, "arithmetic", 0, 6000, 200, 2, 128, 257, 1500, 5e-4, 128, List.of("rpo"), 6, 2048, 4,
                1.0, 100, 1e-5, 32, 0.1, 4, Reference.SFT, PairBuilder.Strategy.BEST_VS_WORST, Map.of(), null, null, TrainConfig.Schedule.CONSTANT, true, 0, DEFAULT_SLIP_RATE, true, false);
    }

    /** The default demonstrator's slip rate (see {@code demoSlipRate}). */
    public static final double DEFAULT_SLIP_RATE = 0.6;

    public QuickstartConfig withTruncateRejected(boolean v) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, v); }

    public QuickstartConfig withSftControl(boolean v) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, v, truncateRejected); }

    public QuickstartConfig withDemoSlipRate(double v) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, v, sftControl, truncateRejected); }

    /** Which model the preference loss measures log-ratios against. */
    public enum Reference {
        /** The SFT model in every round (a fixed anchor). */
        SFT,
        /** The policy that started the round (the previous round's result; the SFT model in round 1). */
        PREVIOUS
    }

    private static Map<String, Double> keep(Map<String, Double> rates, List<String> objectives) {
        Map<String, Double> m = new LinkedHashMap<>(rates);
        m.keySet().retainAll(objectives);
        return m;
    }

    public QuickstartConfig withModelDir(Path v) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, v, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withPrefSchedule(TrainConfig.Schedule v) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, v, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withIncludeGreedy(boolean v) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, v, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withPrefPrompts(int v) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, v, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withPrompts(Path v) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, v, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }

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

    /** The learning rate of one objective. */
    public double learningRate(String objective) {
        return objectiveLearningRates.getOrDefault(objective, prefLearningRate);
    }

    public QuickstartConfig withReference(Reference v) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, v, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withPairs(PairBuilder.Strategy v) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, v, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withObjectiveLearningRates(Map<String, Double> v) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, v, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }

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

    public QuickstartConfig withOut(Path v) { return new QuickstartConfig(v, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withTask(String v) { return new QuickstartConfig(out, v, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withSeed(long v) { return new QuickstartConfig(out, task, v, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withData(int train, int heldOut) { return new QuickstartConfig(out, task, seed, train, heldOut, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withModel(int nLayers, int hidden) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, nLayers, hidden, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withVocab(int v) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, v, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withSft(int steps, double lr, int batch) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, steps, lr, batch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withObjectives(List<String> v) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, v, rounds, promptsPerRound, samplesPerPrompt, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, keep(objectiveLearningRates, v), model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withRounds(int r, int promptCount, int k) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, r, promptCount, k, temperature, prefSteps, prefLearningRate, prefBatch, beta, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withPreference(int steps, double lr, int batch, double b) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temperature, steps, lr, batch, b, evalSamples, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }
    public QuickstartConfig withSampling(double temp, int evalK) { return new QuickstartConfig(out, task, seed, trainCount, heldOutCount, layers, hiddenSize, vocabSize, sftSteps, sftLearningRate, sftBatch, objectives, rounds, promptsPerRound, samplesPerPrompt, temp, prefSteps, prefLearningRate, prefBatch, beta, evalK, reference, pairs, objectiveLearningRates, model, prompts, prefSchedule, includeGreedy, prefPromptCount, demoSlipRate, sftControl, truncateRejected); }

    /** Every setting, for the manifest. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", task);
        m.put("seed", seed);
        m.put("train_count", trainCount);
        m.put("held_out_count", heldOutCount);
        m.put("layers", layers);
        m.put("hidden_size", hiddenSize);
        m.put("vocab_size", vocabSize);
        m.put("sft_steps", sftSteps);
        m.put("sft_learning_rate", sftLearningRate);
        m.put("sft_batch", sftBatch);
        m.put("objectives", objectives);
        m.put("rounds", rounds);
        m.put("prompts_per_round", promptsPerRound);
        m.put("samples_per_prompt", samplesPerPrompt);
        m.put("temperature", temperature);
        m.put("pref_steps", prefSteps);
        m.put("pref_learning_rate", prefLearningRate);
        m.put("pref_batch", prefBatch);
        m.put("beta", beta);
        m.put("eval_samples", evalSamples);
        m.put("reference", name(reference));
        m.put("pairs", name(pairs));
        m.put("objective_learning_rates", new java.util.TreeMap<>(objectiveLearningRates));
        m.put("include_greedy", includeGreedy);
        m.put("pref_prompt_count", prefPromptCount);
        m.put("demo_slip_rate", demoSlipRate);
        m.put("sft_control", sftControl);
        m.put("truncate_rejected", truncateRejected);
        m.put("pref_schedule", prefSchedule.name().toLowerCase(java.util.Locale.ROOT));
        m.put("model", model == null ? "built (setup + SFT)" : model.toString());
        m.put("prompts", prompts == null ? "drawn from the task" : prompts.toString());
        return m;
    }
}
