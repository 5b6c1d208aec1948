package dev.prefer.train.online;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Hashes;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Generation;
import dev.prefer.lm.GenerationConfig;
import dev.prefer.lm.TokenizedSequence;
import dev.prefer.lm.Torch;
import dev.prefer.lm.Transformer;
import dev.prefer.objectives.Batch;
import dev.prefer.objectives.Objective;
import dev.prefer.objectives.TensorBatch;
import dev.prefer.objectives.TensorLoss;
import dev.prefer.objectives.online.Advantages;
import dev.prefer.objectives.online.CompletionMetrics;
import dev.prefer.objectives.online.GrpoLoss;
import dev.prefer.objectives.online.InpoLoss;
import dev.prefer.objectives.online.NashMdLoss;
import dev.prefer.objectives.online.OnlineLoss;
import dev.prefer.objectives.online.OnlinePreferences;
import dev.prefer.objectives.online.OnlineTensorBatch;
import dev.prefer.objectives.online.RlooLoss;
import dev.prefer.objectives.online.SppoLoss;
import dev.prefer.objectives.online.WinRates;
import dev.prefer.train.AdamW;
import dev.prefer.train.Checkpoints;
import dev.prefer.train.Lora;
import dev.prefer.train.StepMechanics;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.Trainer;
import dev.prefer.train.TrainingException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The online (on-policy) trainer: each generation batch samples {@code numGenerations} completions of
 * {@code batchSize} prompts from the current policy, scores them with the reward functions, and takes
 * {@code numIterations} optimizer steps on them with the method's loss (GRPO family, RLOO, REINFORCE++ from
 * {@code dev.prefer.objectives.online}; online DPO with any pairwise objective of the catalog on best-versus-worst
 * pairs, or any listwise one on each prompt's G completions ranked by reward). The Nash and self-play methods read preferences between samples (a pairwise source's win matrix, else
 * σ(r_i − r_j) of the rewards): Nash-MD compares each policy sample with a sample of the geometric mixture of
 * policy and reference ({@link MixtureSampler}); SPPO, DNO and INPO run in rounds of {@code roundBatches}
 * generation batches, all sampled from the round's policy π_t before any update, with π_t as the reference (SPPO:
 * {@link SppoLoss} on the win rates P̂(y ≻ π_t); DNO: the catalog objective, DPO by default, on large-margin
 * best-versus-worst pairs; INPO: {@link InpoLoss} on best-versus-worst pairs). It runs on the shared step loop ({@link StepMechanics#loop}): the same metrics.jsonl, progress lines,
 * checkpoints and exact resume as the offline trainer. Sampling is seeded by (seed, generation batch), so a resumed
 * run samples the completions the uninterrupted run sampled.
 *
 * <pre>{@code
 * TrainConfig c = TrainConfig.builder(Task.PREFERENCE).learningRate(1e-5).maxSteps(100).batchSize(4).build();
 * OnlineConfig o = OnlineConfig.builder(Method.GRPO).numGenerations(8).maxCompletionLength(8).build();
 * TrainResult r = OnlineTrainer.train(policy, null, c, o, prompts, List.of(), List.of(reward), System.out);
 * }</pre>
 */
public final class OnlineTrainer {
    private OnlineTrainer() {}

    /**
     * Trains {@code policy} in place on {@code prompts}; returns every logged metrics row (TRL's names: reward,
     * reward_std, rewards/NAME/mean, frac_reward_zero_std, kl, clip_ratio/*, completions/*, num_tokens, step_time).
     * With {@code config.out()} set, metrics.jsonl, checkpoints and the trained model (or adapter) with a manifest
     * are written there; without, a LoRA adapter is merged into {@code policy} at the end.
     *
     * @param reference   the frozen reference model (needed when beta &gt; 0, or by online DPO's objective), else null
     * @param evalPrompts held-out prompts decoded greedily at each evaluation ({@code eval/reward},
     *                    {@code eval/rewards/NAME/mean}); empty for none
     * @param console     progress lines (null: silent)
     */
    public static Trainer.TrainResult train(CausalLM policy, CausalLM reference, TrainConfig config, OnlineConfig online,
                                            List<OnlinePrompt> prompts, List<OnlinePrompt> evalPrompts, List<RewardFunction> rewards,
                                            PrintStream console) {
        config.models().device().require();
        Torch.init();
        if (config.out() != null) {
            try {
                Files.createDirectories(config.out());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + config.out() + ": " + e.getMessage(), e);
            }
        }
        try (Run run = new Run(policy, reference, config, online, prompts, evalPrompts, rewards, console)) {
            return run.go();
        }
    }

    /** Optimizer steps of a run: max steps, else epochs over the prompts in generation batches, times num iterations. */
    public static int totalSteps(TrainConfig c, OnlineConfig o, int prompts) {
        if (c.loop().maxSteps() > 0) return c.loop().maxSteps();
        int batches = (int) Math.ceil((double) prompts * c.loop().epochs() / c.loop().batchSize());
        return Math.max(1, batches) * o.numIterations();
    }

    /** Seeded per-epoch permutations of the prompts: the offline trainer's data order. */
    static final class Order {
        private final Trainer.Order order;

        Order(int n, long seed) {
            order = new Trainer.Order(n, seed);
        }

        int at(long q) {
            return order.at(q);
        }
    }

    /**
     * One generation batch: N = B·G completions, group-major (the G completions of prompt p are rows p·G … p·G+G−1),
     * their per-token arrays (N, T) row-major with T the longest completion.
     *
     * @param rewardsPerFunc (N)(F) raw scores per reward function
     * @param rewards        (N) weighted sum (NaN where no function scored)
     * @param mask           (N, T) 1 on completion tokens (0 on truncated completions when masked)
     * @param advantages     (N) or (N, T) (REINFORCE++); null for online DPO
     * @param oldLogps       (N, T) sampling policy's per-token log-probs, or null when not needed
     * @param refLogps       (N, T) reference per-token log-probs, or null
     * @param pairs          online DPO's selected pairs, else null
     * @param pairRef        online DPO: reference sums of each pair's (chosen, rejected), else null
     * @param metrics        reward and completion metrics of the batch
     * @param scores         (N) Nash-MD's P(y ≻ y'), SPPO's win rates P̂(y ≻ π_t); else null. For INPO the rows
     *                       ({@code seqs}, mask, old = π_t, ref) are the (chosen, rejected) pairs
     * @param lists          online DPO with a listwise objective: the ranked groups, else null
     */
    record GenBatch(int index, List<OnlinePrompt> prompts, List<Generation> generations, List<TokenizedSequence> seqs,
                    double[][] rewardsPerFunc, double[] rewards, boolean[] truncated, int t, double[] mask, double activeTokens,
                    double[] advantages, double[] oldLogps, double[] refLogps, OnlinePreferences.Pairs pairs, double[][] pairRef,
                    Map<String, Double> metrics, double[] scores, Lists lists) {
        int n() {
            return seqs.size();
        }
    }

    /**
     * Online DPO's ranked lists (listwise catalog objectives): the prompts of the batch whose G completions are not
     * all tied, each a list of its G completions.
     *
     * @param groups the kept prompts' indices in the batch (their completions are rows g·G … g·G+G−1)
     * @param labels (L·G) graded labels per list: the reward minus the list's lowest reward (non-negative, as
     *               softmax-listwise needs; the order, all Plackett–Luce reads, is the rewards')
     * @param ref    (L·G) the reference model's summed log-probs of each completion, or null (reference-free)
     */
    record Lists(int[] groups, double[] labels, double[] ref) {
        int size() {
            return groups.length;
        }
    }

    static final class Run implements AutoCloseable {
        final CausalLM policy, reference;
        final TrainConfig c;
        final OnlineConfig o;
        final List<OnlinePrompt> prompts, evalPrompts;
        final List<RewardFunction> rewards;
        final PrintStream console;
        final DataType type;
        final Objective objective; // online DPO and DNO only
        final OnlineLoss loss;     // the others
        /** The generation batches of the current round sampled ahead (SPPO, DNO, INPO with several batches per round). */
        final Map<Integer, GenBatch> roundAhead = new HashMap<>();
        final double[] weights;
        final List<String> names;
        final Map<String, Object> configMap;
        final Order order;
        final NDManager optManager;
        final AdamW opt;
        Lora lora;
        Map<String, NDArray> trainable;
        double numTokens;
        GenBatch gb;
        /** Wall seconds of the last generation batch's sampling call (for benchmarks). */
        double samplingSeconds;

        Run(CausalLM policy, CausalLM reference, TrainConfig c, OnlineConfig o, List<OnlinePrompt> prompts, List<OnlinePrompt> evalPrompts,
            List<RewardFunction> rewards, PrintStream console) {
            if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts to train on");
            if (rewards.isEmpty()) throw new IllegalArgumentException("no reward function");
            TrainConfig.Loop l = c.loop();
            if (l.batchSize() % l.gradAccumulation() != 0) {
                throw new IllegalArgumentException("batch size " + l.batchSize() + " (prompts per generation batch) must be a multiple of gradient accumulation " + l.gradAccumulation());
            }
            if (l.saveEvery() % o.stepsPerRound() != 0) {
                throw new IllegalArgumentException("save every (" + l.saveEvery() + ") must be a multiple of " + (o.method().rounds()
                        ? "round batches x num iterations (" + o.stepsPerRound() + "): checkpoints fall between rounds"
                        : "num iterations (" + o.numIterations() + "): checkpoints fall between generation batches"));
            }
            this.policy = policy;
            this.reference = reference;
            this.c = c;
            this.o = o;
            this.prompts = List.copyOf(prompts);
            this.evalPrompts = List.copyOf(evalPrompts == null ? List.of() : evalPrompts);
            this.rewards = List.copyOf(rewards);
            this.console = console;
            this.type = policy.model().dtype();
            this.objective = o.method().catalogPairs() ? c.objective() : null;
            if (o.method().catalogPairs() && objective == null) throw new IllegalArgumentException(o.method().cliName() + " needs an objective (task PREFERENCE)");
            if (objective != null) {
                dev.prefer.objectives.Layout layout = objective.requirements().layout();
                boolean ok = layout == dev.prefer.objectives.Layout.PAIRS
                        || (layout == dev.prefer.objectives.Layout.LISTS && o.method() == OnlineConfig.Method.ONLINE_DPO);
                if (!ok) {
                    throw new IllegalArgumentException(o.method().cliName() + " takes a pairwise objective" + (o.method() == OnlineConfig.Method.ONLINE_DPO
                            ? " or a listwise one" : "") + "; " + objective.name() + " is not");
                }
            }
            this.loss = switch (o.method()) {
                case GRPO -> new GrpoLoss(o.lossType(), o.importanceSamplingLevel(), o.epsilon(), o.epsilonHigh(), o.delta(), o.beta(),
                        o.maxCompletionLength(), true);
                case RLOO -> new RlooLoss(o.epsilon(), o.epsilonHigh(), true);
                case REINFORCE_PP -> GrpoLoss.reinforcePlusPlus(o.epsilon(), o.epsilonHigh());
                case NASH_MD -> new NashMdLoss(o.beta());
                case SPPO -> new SppoLoss(o.selfPlay().eta(o.method()));
                case INPO -> new InpoLoss(o.selfPlay().eta(o.method()), o.selfPlay().tau());
                case ONLINE_DPO, DNO -> null;
            };
            if (o.needsReference(objective) && reference == null) {
                String why = switch (o.method()) {
                    case ONLINE_DPO -> " with " + objective.name();
                    case NASH_MD -> " (the mixture and the KL term)";
                    case INPO -> " with tau > 0";
                    default -> " with beta > 0";
                };
                throw new IllegalArgumentException(o.method().cliName() + why + " needs a reference model");
            }
            this.weights = o.weights(rewards.size());
            this.names = rewards.stream().map(RewardFunction::name).toList();
            this.configMap = configMap(c, o, this.prompts, rewards);
            this.order = new Order(prompts.size(), c.seed());
            if (c.lora() != null) {
                policy.setTrainable(false);
                lora = c.lora().init() == null ? Lora.create(policy, c.lora(), c.seed()) : Lora.startFrom(policy, c.lora());
                lora.setTrainable(true);
                trainable = lora.parameters();
            } else {
                policy.setTrainable(true);
                trainable = policy.parameters();
            }
            policy.model().setGradientCheckpointing(c.models().gradientCheckpointing()); // off again in close()
            TrainConfig.Optimizer op = c.optimizer();
            optManager = Torch.newManager();
            opt = new AdamW(optManager, op.beta1(), op.beta2(), op.epsilon(), op.weightDecay());
        }

        static Map<String, Object> configMap(TrainConfig c, OnlineConfig o, List<OnlinePrompt> prompts, List<RewardFunction> rewards) {
            List<String> names = rewards.stream().map(RewardFunction::name).toList();
            Map<String, Object> m = new LinkedHashMap<>(c.toMap());
            if (!o.method().catalogPairs()) {
                m.remove("objective");
                m.remove("objective_params");
            }
            m.put("task", "ONLINE");
            m.put("online", o.toMap());
            m.put("reward_functions", names);
            Map<String, Object> settings = new LinkedHashMap<>();
            for (RewardFunction f : rewards) if (!f.provenance().isEmpty()) settings.put(f.name(), f.provenance());
            if (!settings.isEmpty()) m.put("reward_settings", settings); // absent when every source runs as by default
            m.put("prompts", prompts.size());
            m.put("prompts_sha256", promptsHash(prompts));
            return m;
        }

        static String promptsHash(List<OnlinePrompt> prompts) {
            StringBuilder sb = new StringBuilder();
            for (OnlinePrompt p : prompts) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("prompt", p.prompt());
                row.put("fields", p.fields());
                if (p.promptIds() != null) row.put("prompt_ids", p.promptIds());
                sb.append(Json.line(row)).append('\n');
            }
            return Hashes.sha256(sb.toString());
        }

        Trainer.TrainResult go() {
            int total = totalSteps(c, o, prompts.size());
            int start = 0;
            if (c.loop().resume()) start = restore();
            Map<String, Object> evalBefore = evaluationBefore(start);
            StepMechanics.LoopResult r = StepMechanics.loop(c, console, start, total, !evalPrompts.isEmpty(), new StepMechanics.Steps() {
                @Override
                public Map<String, Object> train(int step, double lr) {
                    return trainStep(step, lr);
                }

                @Override
                public Map<String, Object> evaluate() {
                    return Run.this.evaluate();
                }

                @Override
                public void checkpoint(int stepsDone) {
                    Checkpoints.write(c.out(), stepsDone, trainable, opt, configMap, new double[] {numTokens});
                }
            });
            if (c.out() != null) {
                Path modelDir = c.models().model() != null ? c.models().model() : policy.source();
                Manifest manifest = Manifest.of("online-model", configMap, c.seed()).withInputHash("prompts", promptsHash(prompts));
                if (modelDir != null) manifest = manifest.withInput("model", modelDir);
                if (c.models().ref() != null) manifest = manifest.withInput("ref", c.models().ref());
                StepMechanics.saveModel(c, manifest, lora, policy, modelDir);
                OnlineReport.write(c.out(), o.method().cliName(), evalBefore, manifest.toJson());
            } else if (lora != null) {
                lora.mergeInto(policy);
            }
            return new Trainer.TrainResult(c.out(), total, r.last(), r.evalMetrics(), false, r.history());
        }

        /**
         * The held-out evaluation before training (the report's "before" column), kept in {@code eval_before.json} so
         * a resumed run reports it too; null without held-out prompts or an output folder.
         */
        private Map<String, Object> evaluationBefore(int start) {
            if (evalPrompts.isEmpty() || c.out() == null) return null;
            Path file = c.out().resolve("eval_before.json");
            try {
                if (start > 0 && Files.exists(file)) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = Json.MAPPER.readValue(file.toFile(), LinkedHashMap.class);
                    return m;
                }
                Map<String, Object> m = evaluate();
                dev.prefer.data.AtomicFiles.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(m));
                return m;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read or write " + file + ": " + e.getMessage(), e);
            }
        }

        private int restore() {
            Checkpoints.State s = StepMechanics.restore(c.out(), configMap, trainable, opt);
            if (s == null) return 0;
            try {
                JsonNode st = Json.MAPPER.readTree(s.dir().resolve("state.json").toFile()).path("objective_state");
                if (st.size() > 0) numTokens = st.get(0).asDouble();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (console != null) console.println("resumed from " + s.dir() + " at step " + s.step());
            return s.step();
        }

        // ------------------------------------------------------------------ generation

        /**
         * Completions of at least this many tokens sample from oneDNN-packed copies of the policy's weights, packed anew
         * for each generation batch ({@link CausalLM#packDecodingWeights}; GPT-2 float32 models, d >= 512; under LoRA
         * the merged copies W + s·B·A).
         * A pack costs a few sweeps over the weights and each packed step saves a good part of one (GPT-2 small,
         * 8 rows x 32 tokens: see docs/results/online.md). {@code -Dprefer.online.packDecodeMinTokens=N}; 0 disables.
         */
        static final int PACK_MIN_TOKENS = packMinTokens();

        private static int packMinTokens() {
            int v = Integer.getInteger("prefer.online.packDecodeMinTokens", 16);
            return v <= 0 ? Integer.MAX_VALUE : v;
        }

        /** The sampler seed of generation batch {@code g}: a function of (seed, g) only, so a resumed run samples the same. */
        long samplerSeed(int g) {
            return (c.seed() * 0x9E3779B97F4A7C15L) ^ (0xD1B54A32D192ED03L * (g + 1L));
        }

        /**
         * The one call to the generation API: G completions of each prompt (group-major), seeded by {@code seed}. The
         * batched-generation API (per-token log-probs, finish reasons, per-prompt seeds) replaces this method.
         */
        private List<Generation> sample(List<long[]> promptIds, int g, long seed) {
            List<long[]> rows = new ArrayList<>(promptIds.size() * g);
            for (long[] p : promptIds) for (int j = 0; j < g; j++) rows.add(p);
            GenerationConfig cfg = GenerationConfig.sample(o.maxCompletionLength(), o.temperature(), o.topK(), o.topP(), seed);
            // full fine-tuning: generation alone never packs trainable weights; a batch of several rows and enough tokens
            // pays for packing them here (freed right after, so the training passes hold no extra copy)
            boolean packed = rows.size() >= 2 && o.maxCompletionLength() >= PACK_MIN_TOKENS && policy.packDecodingWeights();
            try {
                return policy.generateIds(rows, cfg);
            } finally {
                if (packed) policy.dropDecodingWeights();
            }
        }

        private long[] encode(String prompt) {
            long[] e = policy.tokenizer().encode(prompt);
            if (e.length == 0) {
                int bos = policy.tokenizer().specialTokens().bosId();
                if (bos < 0) throw new IllegalArgumentException("empty prompt and the checkpoint has no bos token to start from");
                e = new long[] {bos};
            }
            return e;
        }

        /**
         * The generation batch {@code g}: sampled now, or, for the rounds methods, taken from the round sampled at its
         * first batch (every batch of a round is sampled from π_t before any update).
         */
        GenBatch batchAt(int g) {
            int r = o.method().rounds() ? o.selfPlay().roundBatches() : 1;
            if (r == 1) return generate(g);
            GenBatch ahead = roundAhead.remove(g);
            if (ahead != null) return ahead;
            if (g % r != 0) throw new IllegalStateException("generation batch " + g + " is inside a round whose samples are gone (resume at round boundaries only)");
            roundAhead.clear();
            int batches = (int) Math.ceil((double) totalSteps(c, o, prompts.size()) / o.numIterations());
            GenBatch first = generate(g);
            for (int i = g + 1; i < Math.min(g + r, batches); i++) roundAhead.put(i, generate(i));
            return first;
        }

        /** Samples, scores and prepares generation batch {@code g}. */
        GenBatch generate(int g) {
            int b = c.loop().batchSize(), gsz = o.numGenerations();
            OnlineConfig.Method method = o.method();
            List<OnlinePrompt> ps = new ArrayList<>(b);
            List<long[]> ids = new ArrayList<>(b);
            for (int i = 0; i < b; i++) {
                OnlinePrompt p = prompts.get(order.at((long) g * b + i));
                ps.add(p);
                ids.add(p.promptIds() != null ? p.promptIds() : encode(p.prompt()));
            }
            if (lora != null) lora.setTraining(false, () -> 0L);
            long s0 = System.nanoTime();
            List<Generation> gens = sample(ids, gsz, samplerSeed(g));
            List<Generation> mixture = null;
            if (method == OnlineConfig.Method.NASH_MD) {
                List<long[]> rows = new ArrayList<>(b * gsz);
                for (long[] p : ids) for (int j = 0; j < gsz; j++) rows.add(p);
                mixture = MixtureSampler.sample(policy, reference, rows, o.maxCompletionLength(), o.temperature(), o.selfPlay().mixtureCoef(),
                        samplerSeed(g) ^ 0x5DEECE66DL);
            }
            samplingSeconds = (System.nanoTime() - s0) / 1e9;
            int n = gens.size();
            List<TokenizedSequence> seqs = new ArrayList<>(n);
            boolean[] truncated = new boolean[n];
            int[] promptLen = new int[n], complLen = new int[n];
            int t = 1;
            for (int i = 0; i < n; i++) {
                Generation gen = gens.get(i);
                seqs.add(new TokenizedSequence(gen.promptIds(), gen.newIds()));
                truncated[i] = !gen.stoppedAtEos();
                promptLen[i] = gen.promptIds().length;
                complLen[i] = gen.newIds().length;
                t = Math.max(t, complLen[i]);
            }
            // scores, one call per prompt and reward function (Nash-MD: the G policy samples, then the G mixture samples)
            int f = rewards.size(), k2 = mixture == null ? gsz : 2 * gsz;
            double[][] perFunc = new double[n][f];
            double[][] mixPerFunc = mixture == null ? null : new double[n][f];
            double[][][] matrices = method.selfPlay() ? new double[b][][] : null; // the one source's win matrix, if any
            for (int p = 0; p < b; p++) {
                List<String> texts = new ArrayList<>(k2);
                for (int j = 0; j < gsz; j++) texts.add(gens.get(p * gsz + j).text());
                if (mixture != null) for (int j = 0; j < gsz; j++) texts.add(mixture.get(p * gsz + j).text());
                for (int k = 0; k < f; k++) {
                    RewardFunction.Scored sc = rewards.get(k).scoreGroup(ps.get(p).prompt(), texts, ps.get(p).fields());
                    double[] s = sc == null ? null : sc.rewards();
                    if (s == null || s.length != k2) {
                        throw new IllegalStateException("reward function " + names.get(k) + " returned " + (s == null ? "null" : s.length + " scores")
                                + " for " + k2 + " completions");
                    }
                    for (int j = 0; j < gsz; j++) perFunc[p * gsz + j][k] = s[j];
                    if (mixPerFunc != null) for (int j = 0; j < gsz; j++) mixPerFunc[p * gsz + j][k] = s[gsz + j];
                    if (matrices != null && f == 1 && sc.winProbabilities() != null) matrices[p] = sc.winProbabilities();
                }
            }
            double[] summed = weighted(perFunc);
            double[] mask = new double[n * t];
            double active = 0;
            for (int i = 0; i < n; i++) {
                if (o.maskTruncatedCompletions() && truncated[i]) continue;
                for (int j = 0; j < complLen[i]; j++) mask[i * t + j] = 1;
                active += complLen[i];
            }
            Advantages.Result adv = Advantages.grpo(perFunc, names, weights, gsz, o.scaleRewards(), o.multiObjectiveAggregation());
            Map<String, Double> metrics = new LinkedHashMap<>(adv.metrics());
            Map<String, Double> cm = CompletionMetrics.of(promptLen, complLen, truncated, numTokens);
            metrics.putAll(cm);
            numTokens = cm.get("num_tokens");

            switch (method) {
                case ONLINE_DPO -> {
                    double[] r = Double.isNaN(o.missingEosPenalty()) ? summed : OnlinePreferences.penalizeMissingEos(summed, truncated, o.missingEosPenalty());
                    if (objective.requirements().layout() == dev.prefer.objectives.Layout.LISTS) {
                        return listsBatch(g, ps, gens, seqs, perFunc, summed, truncated, t, mask, active, metrics, r,
                                objective.requirements().reference() ? reference : null);
                    }
                    return pairsBatch(g, ps, gens, seqs, perFunc, summed, truncated, t, mask, active, metrics, r, 0,
                            objective.requirements().reference() ? reference : null);
                }
                case DNO -> {
                    // r_t(x, y) = E_{y' ~ π_t} P(y ≻ y'): the win rate against the round's other samples; π_t is the reference
                    double[] wins = WinRates.againstOthers(preferences(matrices, summed, b, gsz, null), gsz);
                    metrics.put("win_rate/mean", mean(wins));
                    return pairsBatch(g, ps, gens, seqs, perFunc, summed, truncated, t, mask, active, metrics, wins, o.selfPlay().margin(), policy);
                }
                case NASH_MD -> {
                    double[] pref = preferences(matrices, summed, b, gsz, weighted(mixPerFunc)); // (B·2G·2G)
                    double[] p = new double[n];
                    int k = 2 * gsz;
                    for (int q = 0; q < b; q++)
                        for (int j = 0; j < gsz; j++) p[q * gsz + j] = pref[(q * k + j) * k + gsz + j]; // P(y_j ≻ y'_j)
                    metrics.put("mixture_coef", o.selfPlay().mixtureCoef());
                    metrics.put("beta", o.beta());
                    double[] ref = perToken(reference, seqs, t, gsz);
                    return new GenBatch(g, ps, gens, seqs, perFunc, summed, truncated, t, mask, active, null, null, ref, null, null, metrics, p, null);
                }
                case SPPO -> {
                    double[] win = WinRates.sppo(preferences(matrices, summed, b, gsz, null), gsz);
                    double[] piT = perToken(policy, seqs, t, gsz); // π_t: the policy that sampled the round
                    return new GenBatch(g, ps, gens, seqs, perFunc, summed, truncated, t, mask, active, null, null, piT, null, null, metrics, win, null);
                }
                case INPO -> {
                    double[] wins = WinRates.againstOthers(preferences(matrices, summed, b, gsz, null), gsz);
                    OnlinePreferences.Pairs pairs = OnlinePreferences.bestWorst(wins, gsz, Double.MIN_VALUE); // ties carry no preference
                    metrics.put("pairs", (double) pairs.size());
                    List<TokenizedSequence> rows = pairSequences(seqs, pairs, 0, pairs.size());
                    int[] src = new int[2 * pairs.size()];
                    for (int i = 0; i < pairs.size(); i++) {
                        src[2 * i] = pairs.chosen()[i];
                        src[2 * i + 1] = pairs.rejected()[i];
                    }
                    double[] rowMask = new double[src.length * t];
                    double rowActive = 0;
                    for (int i = 0; i < src.length; i++) {
                        System.arraycopy(mask, src[i] * t, rowMask, i * t, t);
                        for (int j = 0; j < t; j++) rowActive += rowMask[i * t + j];
                    }
                    double[] piT = rows.isEmpty() ? null : perToken(policy, rows, t, 2);
                    double[] ref = rows.isEmpty() || o.selfPlay().tau() == 0 ? null : perToken(reference, rows, t, 2);
                    return new GenBatch(g, ps, gens, rows, perFunc, summed, truncated, t, rowMask, rowActive, null, piT, ref, pairs, null, metrics, null, null);
                }
                default -> {
                }
            }

            boolean klInReward = o.beta() > 0 && method != OnlineConfig.Method.GRPO;
            double[] old = o.numIterations() > 1 || klInReward ? perToken(policy, seqs, t, gsz) : null;
            double[] ref = o.beta() > 0 ? perToken(reference, seqs, t, gsz) : null;
            double[] advantages = switch (method) {
                case GRPO -> adv.advantages();
                case RLOO -> Advantages.rloo(klInReward ? Advantages.klShapedRewards(summed, old, ref, mask, t, o.beta()) : summed, gsz,
                        o.normalizeAdvantages());
                case REINFORCE_PP -> {
                    double[] r = summed.clone();
                    for (int i = 0; i < n; i++) if (Double.isNaN(r[i])) r[i] = 0; // unscorable: no reward
                    double[] z = new double[n * t];
                    yield Advantages.reinforcePlusPlus(r, old == null ? z : old, ref == null ? z : ref, mask, t, gsz, o.beta(),
                            o.klEstimator(), o.reinforceBaseline());
                }
                default -> throw new IllegalStateException();
            };
            return new GenBatch(g, ps, gens, seqs, perFunc, summed, truncated, t, mask, active, advantages,
                    o.numIterations() > 1 ? old : null, ref, null, null, metrics, null, null);
        }

        /** Weighted sum of the reward functions per completion (NaN where none scored). */
        private double[] weighted(double[][] perFunc) {
            double[] summed = new double[perFunc.length];
            for (int i = 0; i < perFunc.length; i++) {
                boolean any = false;
                for (int k = 0; k < perFunc[i].length; k++) if (!Double.isNaN(perFunc[i][k])) {
                    summed[i] += weights[k] * perFunc[i][k];
                    any = true;
                }
                if (!any) summed[i] = Double.NaN;
            }
            return summed;
        }

        private static double mean(double[] a) {
            double s = 0;
            for (double v : a) s += v;
            return a.length == 0 ? 0 : s / a.length;
        }

        /**
         * Per prompt, the K x K preference matrix P[i][j] = P(y_i ≻ y_j), flattened prompt-major (the layout of
         * {@link WinRates}): the single reward source's own win matrix when it is pairwise, else the Bradley-Terry
         * σ(r_i − r_j) of the weighted rewards (½ where either is unscorable), as TRL's Nash-MD does with a reward
         * model. With {@code second} (Nash-MD's mixture samples) each prompt's group is its G policy samples, then G.
         */
        private static double[] preferences(double[][][] matrices, double[] summed, int b, int gsz, double[] second) {
            int k = second == null ? gsz : 2 * gsz;
            double[] out = new double[b * k * k];
            double[] r = new double[k];
            for (int p = 0; p < b; p++) {
                double[][] m = matrices == null ? null : matrices[p];
                if (m != null && m.length != k) throw new IllegalStateException("win matrix of " + m.length + " rows for " + k + " completions");
                for (int j = 0; j < gsz; j++) {
                    r[j] = summed[p * gsz + j];
                    if (second != null) r[gsz + j] = second[p * gsz + j];
                }
                for (int i = 0; i < k; i++)
                    for (int j = 0; j < k; j++) {
                        double v;
                        if (m != null) v = m[i][j];
                        else if (i == j || Double.isNaN(r[i]) || Double.isNaN(r[j])) v = 0.5;
                        else v = dev.prefer.core.Scalars.sigmoid(r[i] - r[j]);
                        out[(p * k + i) * k + j] = Double.isNaN(v) ? 0.5 : v;
                    }
            }
            return out;
        }

        /**
         * Best-versus-worst pairs of {@code pairRewards} (prompts whose spread is below {@code margin} dropped) for a
         * catalog objective, with the reference sums of each pair from {@code refModel} (the reference model for online
         * DPO, the round's policy π_t for DNO; null: reference-free).
         */
        private GenBatch pairsBatch(int g, List<OnlinePrompt> ps, List<Generation> gens, List<TokenizedSequence> seqs, double[][] perFunc,
                                    double[] summed, boolean[] truncated, int t, double[] mask, double active, Map<String, Double> metrics,
                                    double[] pairRewards, double margin, CausalLM refModel) {
            OnlinePreferences.Pairs pairs = OnlinePreferences.bestWorst(pairRewards, o.numGenerations(), margin);
            double[][] pairRef = null;
            if (pairs.size() > 0 && refModel != null) {
                List<TokenizedSequence> ps2 = pairSequences(seqs, pairs, 0, pairs.size());
                boolean grad = JniUtils.isGradMode();
                JniUtils.setGradMode(false);
                List<dev.prefer.lm.SequenceLogps> lp;
                try {
                    lp = refModel.logpsOfIds(ps2, 16);
                } finally {
                    JniUtils.setGradMode(grad);
                }
                pairRef = new double[pairs.size()][2];
                for (int i = 0; i < pairs.size(); i++) {
                    pairRef[i][0] = lp.get(2 * i).sum();
                    pairRef[i][1] = lp.get(2 * i + 1).sum();
                }
            }
            metrics.put("pairs", (double) pairs.size());
            return new GenBatch(g, ps, gens, seqs, perFunc, summed, truncated, t, mask, active, null, null, null, pairs, pairRef, metrics, null, null);
        }

        /**
         * Back-propagates one gradient-accumulation chunk's loss times {@code share} of the step; returns share × its value
         * and adds its metrics, weighted by {@code weight}, to {@code sums}. A non-finite loss stops the run.
         */
        private double backwardChunk(GradientCollector gc, NDArray loss, Map<String, Double> metrics, double share, double weight, int step,
                                     Map<String, Double> sums) {
            Transformer.backward(gc, loss.mul(Transformer.constant(loss, share)));
            double l = loss.toType(DataType.FLOAT64, true).getDouble();
            if (!Double.isFinite(l)) throw new TrainingException(StepMechanics.stopped(c.out(), "loss", l, step));
            for (Map.Entry<String, Double> e : metrics.entrySet()) sums.merge(e.getKey(), e.getValue() * weight, Double::sum);
            return share * l;
        }

        /**
         * Online DPO with a listwise objective: each prompt's G completions as one list ranked by {@code r}; prompts
         * whose rewards are all tied (no ranking) or where some completion is unscorable (NaN) are dropped. Labels are
         * the rewards minus the list's lowest; the reference sums of every kept completion come from {@code refModel}
         * (null: reference-free).
         */
        private GenBatch listsBatch(int g, List<OnlinePrompt> ps, List<Generation> gens, List<TokenizedSequence> seqs, double[][] perFunc,
                                    double[] summed, boolean[] truncated, int t, double[] mask, double active, Map<String, Double> metrics,
                                    double[] r, CausalLM refModel) {
            int gsz = o.numGenerations(), b = r.length / gsz;
            List<Integer> kept = new ArrayList<>();
            for (int p = 0; p < b; p++) {
                double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
                boolean nan = false;
                for (int j = 0; j < gsz; j++) {
                    double v = r[p * gsz + j];
                    nan |= Double.isNaN(v);
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                if (!nan && hi > lo) kept.add(p);
            }
            int[] groups = kept.stream().mapToInt(Integer::intValue).toArray();
            double[] labels = new double[groups.length * gsz];
            for (int l = 0; l < groups.length; l++) {
                double lo = Double.POSITIVE_INFINITY;
                for (int j = 0; j < gsz; j++) lo = Math.min(lo, r[groups[l] * gsz + j]);
                for (int j = 0; j < gsz; j++) labels[l * gsz + j] = r[groups[l] * gsz + j] - lo;
            }
            double[] ref = null;
            if (groups.length > 0 && refModel != null) {
                List<TokenizedSequence> rows = listSequences(seqs, groups, 0, groups.length, gsz);
                boolean grad = JniUtils.isGradMode();
                JniUtils.setGradMode(false);
                List<dev.prefer.lm.SequenceLogps> lp;
                try {
                    lp = refModel.logpsOfIds(rows, 16);
                } finally {
                    JniUtils.setGradMode(grad);
                }
                ref = new double[rows.size()];
                for (int i = 0; i < ref.length; i++) ref[i] = lp.get(i).sum();
            }
            metrics.put("lists", (double) groups.length);
            return new GenBatch(g, ps, gens, seqs, perFunc, summed, truncated, t, mask, active, null, null, null, null, null, metrics, null,
                    new Lists(groups, labels, ref));
        }

        /** The completions of lists {@code from} … {@code to − 1}, list-major. */
        private static List<TokenizedSequence> listSequences(List<TokenizedSequence> seqs, int[] groups, int from, int to, int gsz) {
            List<TokenizedSequence> out = new ArrayList<>((to - from) * gsz);
            for (int l = from; l < to; l++) out.addAll(seqs.subList(groups[l] * gsz, (groups[l] + 1) * gsz));
            return out;
        }

        private static List<TokenizedSequence> pairSequences(List<TokenizedSequence> seqs, OnlinePreferences.Pairs pairs, int from, int to) {
            List<TokenizedSequence> out = new ArrayList<>(2 * (to - from));
            for (int i = from; i < to; i++) {
                out.add(seqs.get(pairs.chosen()[i]));
                out.add(seqs.get(pairs.rejected()[i]));
            }
            return out;
        }

        /**
         * Rows per forward pass: the batch's prompts split into gradient-accumulation chunks (whole groups); for
         * rows of (chosen, rejected) pairs (INPO, {@code group} 2), the pairs split into as many chunks.
         */
        private int chunkRows(int n, int group) {
            if (group == 2 && o.method() == OnlineConfig.Method.INPO) return 2 * (int) Math.ceil(n / 2.0 / c.loop().gradAccumulation());
            return c.loop().batchSize() / c.loop().gradAccumulation() * o.numGenerations();
        }

        /** (N, T) per-token log-probs of {@code lm} without gradients, chunk by chunk as the training passes run. */
        private double[] perToken(CausalLM lm, List<TokenizedSequence> seqs, int t, int group) {
            int n = seqs.size(), rows = chunkRows(n, group);
            double[] out = new double[n * t];
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                for (int from = 0; from < n; from += rows) {
                    try (NDManager s = stepManager(lm)) {
                        NDArray a = tokenLogps(s, lm, seqs.subList(from, Math.min(n, from + rows)), group, t, null);
                        double[] d = a.toType(DataType.FLOAT64, false).toDoubleArray();
                        System.arraycopy(d, 0, out, from * t, d.length);
                    }
                }
            } finally {
                JniUtils.setGradMode(grad);
            }
            return out;
        }

        private static NDManager stepManager(CausalLM lm) {
            return lm.model().parameters().values().iterator().next().getManager().newSubManager();
        }

        /** Group sizes for prefix sharing (runs of {@code group} sequences with one prompt), or null for the unshared pass. */
        private int[] groupSizes(List<TokenizedSequence> seqs, int group, int hiddenSize) {
            TrainConfig.PrefixSharing mode = c.loop().prefixSharing();
            if (mode == TrainConfig.PrefixSharing.OFF || group < 2) return null;
            int[] sizes = new int[seqs.size() / group];
            Arrays.fill(sizes, group);
            return mode == TrainConfig.PrefixSharing.ON || CausalLM.sharingPays(seqs, sizes, hiddenSize) ? sizes : null;
        }

        /**
         * (rows, T) per-token log-probs of {@code seqs} under {@code lm} in {@code s} (differentiable when a gradient
         * collector is open and the parameters are trainable); positions past a completion hold 0. With
         * {@code entropies} (rows·T) it also fills the per-token entropies −Σ_v p log p of the policy's next-token
         * distribution, from the same forward pass (detached).
         */
        NDArray tokenLogps(NDManager s, CausalLM lm, List<TokenizedSequence> seqs, int group, int t, double[] entropies) {
            CausalLM.LogpsTensors lt = lm.logpsTensors(s, seqs, groupSizes(seqs, group, lm.config().hiddenSize()), false);
            if (entropies != null) {
                double[] e = tokenEntropies(lt);
                for (int r = 0, at = 0; r < seqs.size(); at += lt.counts()[r], r++)
                    for (int j = 0; j < lt.counts()[r]; j++) entropies[r * t + j] = e[at + j];
            }
            int rows = seqs.size(), total = 0;
            int[] counts = lt.counts();
            for (int x : counts) total += x;
            long[] idx = new long[rows * t];
            int at = 0;
            for (int r = 0; r < rows; r++) {
                if (counts[r] > t) throw new IllegalStateException("completion of " + counts[r] + " tokens exceeds T = " + t);
                for (int j = 0; j < t; j++) idx[r * t + j] = j < counts[r] ? at + j : total; // total: the appended 0
                at += counts[r];
            }
            NDArray flat = lt.tokenLogps(); // (N)
            NDArray padded = flat.concat(s.zeros(new Shape(1), flat.getDataType())); // (N + 1)
            return padded.get(Transformer.engineOwned(s.create(idx))).reshape(rows, t); // (rows, T)
        }

        /** (N) per-token entropies of the response positions, detached, in float64. */
        static double[] tokenEntropies(CausalLM.LogpsTensors lt) {
            NDArray e = lt.entropies(); // (N), detached, computed chunk by chunk beside the log-probs
            if (e == null) throw new IllegalStateException("the forward pass computed no entropies for the entropy metric");
            return e.toType(DataType.FLOAT64, false).toDoubleArray(); // (N)
        }

        private NDArray rowsOf(NDManager s, double[] a, int from, int to, int width) {
            double[] part = Arrays.copyOfRange(a, from * width, to * width);
            NDArray x = s.create(part, width == 1 ? new Shape(to - from) : new Shape(to - from, width));
            NDArray y = x.toType(type, false);
            return y == x ? Transformer.engineOwned(x) : y;
        }

        // ------------------------------------------------------------------ steps

        Map<String, Object> trainStep(int step, double lr) {
            long t0 = System.nanoTime();
            int genIndex = step / o.numIterations();
            if (gb == null || gb.index() != genIndex) gb = batchAt(genIndex);
            StepMechanics.zeroGradients(trainable);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", step + 1);
            row.put("epoch", (double) (genIndex + 1) * c.loop().batchSize() / prompts.size());
            double loss;
            Map<String, Double> lm;
            boolean update;
            lm = new LinkedHashMap<>();
            if (gb.lists() != null) {
                update = gb.lists().size() > 0;
                loss = update ? listLoss(step, lm) : 0.0;
            } else if (o.method().catalogPairs()) {
                update = gb.pairs().size() > 0;
                loss = update ? dpoLoss(step, lm) : 0.0;
            } else {
                update = gb.n() > 0; // INPO: no untied pair in the batch
                loss = update ? policyLoss(step, lm) : 0.0;
            }
            if (lora != null) lora.setTraining(false, () -> 0L);
            double gradNorm = update ? StepMechanics.clipAndUpdate(trainable, opt, c.optimizer().maxGradNorm(), lr, type, c.out(), step) : 0.0;
            row.put("loss", loss);
            row.putAll(gb.metrics());
            row.putAll(lm);
            row.put("grad_norm", gradNorm);
            row.put("learning_rate", lr);
            row.put("step_time", (System.nanoTime() - t0) / 1e9);
            return row;
        }

        /** The GRPO / RLOO / REINFORCE++ loss of the current generation batch, back-propagated chunk by chunk. */
        private double policyLoss(int step, Map<String, Double> metrics) {
            int group = o.method() == OnlineConfig.Method.INPO ? 2 : o.numGenerations();
            int n = gb.n(), t = gb.t(), rows = chunkRows(n, group);
            double entSum = 0, entCount = 0;
            boolean dapo = loss instanceof GrpoLoss gl && gl.aggregation() == GrpoLoss.Aggregation.DAPO && o.method() == OnlineConfig.Method.GRPO;
            boolean tokenAdv = o.method() == OnlineConfig.Method.REINFORCE_PP; // (N, T) advantages
            double total = 0;
            Map<String, Double> sums = new LinkedHashMap<>();
            for (int from = 0, mb = 0; from < n; from += rows, mb++) {
                int to = Math.min(n, from + rows);
                final int mbIndex = mb;
                if (lora != null) lora.setTraining(true, () -> (c.seed() * 1_000_003L + step) * 131 + mbIndex);
                try (NDManager s = stepManager(policy); GradientCollector gc = Torch.init().newGradientCollector()) {
                    double[] ent = new double[(to - from) * t];
                    NDArray logps = tokenLogps(s, policy, gb.seqs().subList(from, to), group, t, ent); // (b, T)
                    for (int i = 0; i < ent.length; i++) {
                        double m = gb.mask()[from * t + i];
                        entSum += m * ent[i];
                        entCount += m;
                    }
                    OnlineTensorBatch tb = new OnlineTensorBatch(logps,
                            gb.oldLogps() == null ? null : rowsOf(s, gb.oldLogps(), from, to, t),
                            gb.refLogps() == null ? null : rowsOf(s, gb.refLogps(), from, to, t),
                            rowsOf(s, gb.mask(), from, to, t),
                            gb.advantages() == null ? null : rowsOf(s, gb.advantages(), from, to, tokenAdv ? t : 1),
                            null, gb.scores() == null ? null : rowsOf(s, gb.scores(), from, to, 1), Math.max(1.0, gb.activeTokens()));
                    OnlineLoss.Tensor out = loss.loss(tb);
                    // DAPO divides by the whole batch's tokens already; the other aggregations average per chunk
                    double share = dapo ? 1.0 : (double) (to - from) / n;
                    total += backwardChunk(gc, out.loss(), out.metrics(), share, (double) (to - from) / n, step, sums);
                }
            }
            if (entCount > 0) metrics.put("entropy", entSum / entCount);
            metrics.putAll(sums);
            return total;
        }

        /** Online DPO and DNO: the objective on the batch's best-versus-worst pairs, chunk by chunk. */
        private double dpoLoss(int step, Map<String, Double> metrics) {
            OnlinePreferences.Pairs pairs = gb.pairs();
            return objectiveLoss(step, metrics, pairs.size(), 2, (from, to) -> pairSequences(gb.seqs(), pairs, from, to), (from, to) -> {
                int k = to - from;
                double[] rc = null, rr = null;
                if (gb.pairRef() != null) {
                    rc = new double[k];
                    rr = new double[k];
                    for (int i = 0; i < k; i++) {
                        rc[i] = gb.pairRef()[from + i][0];
                        rr[i] = gb.pairRef()[from + i][1];
                    }
                }
                return Batch.pairs(new double[k], new double[k], rc, rr);
            });
        }

        /**
         * Online DPO with a listwise objective: the objective on the batch's ranked lists (G completions each), chunk by
         * chunk (lists split over the gradient-accumulation chunks; each chunk's mean weighted by its share of lists).
         */
        private double listLoss(int step, Map<String, Double> metrics) {
            Lists lists = gb.lists();
            int gsz = o.numGenerations();
            return objectiveLoss(step, metrics, lists.size(), gsz, (from, to) -> listSequences(gb.seqs(), lists.groups(), from, to, gsz), (from, to) -> {
                double[] ref = lists.ref() == null ? null : Arrays.copyOfRange(lists.ref(), from * gsz, to * gsz);
                return Batch.lists(gsz, new double[(to - from) * gsz], ref, Arrays.copyOfRange(lists.labels(), from * gsz, to * gsz));
            });
        }

        /**
         * The catalog objective on {@code count} groups of {@code width} sequences (pairs or lists), split over the
         * gradient-accumulation chunks: per chunk the policy's log-prob sums of {@code seqsOf(from, to)}, the host batch
         * {@code hostOf(from, to)} with the response lengths, the loss back-propagated with the chunk's share of groups.
         */
        private double objectiveLoss(int step, Map<String, Double> metrics, int count, int width,
                                     java.util.function.BiFunction<Integer, Integer, List<TokenizedSequence>> seqsOf,
                                     java.util.function.BiFunction<Integer, Integer, Batch> hostOf) {
            int chunks = c.loop().gradAccumulation();
            int per = (count + chunks - 1) / chunks;
            double total = 0, entSum = 0, entCount = 0;
            Map<String, Double> sums = new LinkedHashMap<>();
            for (int from = 0, mb = 0; from < count; from += per, mb++) {
                int to = Math.min(count, from + per), k = to - from;
                final int mbIndex = mb;
                if (lora != null) lora.setTraining(true, () -> (c.seed() * 1_000_003L + step) * 131 + mbIndex);
                try (NDManager s = stepManager(policy); GradientCollector gc = Torch.init().newGradientCollector()) {
                    List<TokenizedSequence> seqs = seqsOf.apply(from, to);
                    CausalLM.LogpsTensors lt = policy.logpsTensors(s, seqs, groupSizes(seqs, width, policy.config().hiddenSize()), false);
                    for (double e : tokenEntropies(lt)) {
                        entSum += e;
                        entCount++;
                    }
                    double[] tokens = new double[k * width];
                    for (int i = 0; i < tokens.length; i++) tokens[i] = seqs.get(i).responseIds().length;
                    Batch host = hostOf.apply(from, to).withTokens(tokens);
                    TensorBatch tb = TensorBatch.of(s, host, type).withPolicy(lt.sums().reshape(k, width)); // (groups, width)
                    TensorLoss out = objective.loss(tb);
                    double share = (double) k / count;
                    total += backwardChunk(gc, out.loss(), out.metrics(), share, share, step, sums);
                }
            }
            if (entCount > 0) metrics.put("entropy", entSum / entCount);
            metrics.putAll(sums);
            return total;
        }

        /** Greedy completions of the held-out prompts, scored: eval/reward and eval/rewards/NAME/mean. */
        Map<String, Object> evaluate() {
            if (lora != null) lora.setTraining(false, () -> 0L);
            GenerationConfig greedy = new GenerationConfig(o.maxCompletionLength(), true, 1.0, 0, 1.0, 0L, true);
            int n = evalPrompts.size(), f = rewards.size();
            double[] sum = new double[f];
            int[] count = new int[f];
            double total = 0;
            int totalN = 0;
            for (int from = 0; from < n; from += 64) {
                List<OnlinePrompt> part = evalPrompts.subList(from, Math.min(n, from + 64));
                List<long[]> ids = new ArrayList<>();
                for (OnlinePrompt p : part) ids.add(p.promptIds() != null ? p.promptIds() : encode(p.prompt()));
                List<Generation> gens = policy.generateIds(ids, greedy);
                for (int i = 0; i < part.size(); i++) {
                    double r = 0;
                    boolean any = false;
                    for (int k = 0; k < f; k++) {
                        double v = rewards.get(k).score(part.get(i).prompt(), List.of(gens.get(i).text()), part.get(i).fields())[0];
                        if (Double.isNaN(v)) continue;
                        sum[k] += v;
                        count[k]++;
                        r += weights[k] * v;
                        any = true;
                    }
                    if (any) {
                        total += r;
                        totalN++;
                    }
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("eval/reward", totalN == 0 ? 0.0 : total / totalN);
            for (int k = 0; k < f; k++) m.put("eval/rewards/" + names.get(k) + "/mean", count[k] == 0 ? 0.0 : sum[k] / count[k]);
            return m;
        }

        @Override
        public void close() {
            try {
                opt.close();
                optManager.close();
            } finally {
                policy.model().setGradientCheckpointing(false);
                if (lora != null) lora.close();
            }
        }
    }
}
