package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Hashes;
import dev.prefer.data.Json;
import dev.prefer.core.metrics.PairRanking;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.HfModel;
import dev.prefer.lm.SequenceLogps;
import dev.prefer.lm.TokenizedSequence;
import dev.prefer.lm.Torch;
import dev.prefer.objectives.Objective;
import dev.prefer.objectives.RewardForm;
import dev.prefer.objectives.Requirements;
import dev.prefer.objectives.RunningState;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One trainer for SFT and every preference objective: seeded data order, chosen and rejected (or a whole list) in
 * one concatenated forward pass, gradient accumulation, global-norm clipping, AdamW with a warm-up schedule, full
 * fine-tuning or LoRA, reference log-probs from an on-disk cache, an evaluation split, atomic checkpoints with exact
 * resume, and TRL's metrics. The objective supplies the loss ({@link Objective#loss}); the trainer never branches on
 * a loss name.
 *
 * <pre>{@code
 * TrainResult r = Trainer.run(TrainConfig.defaults(Task.PREFERENCE, model, data, out)
 *         .withObjective("dpo", Map.of("beta", 0.1)).withLearningRate(5e-6).withSteps(100, 1));
 * }</pre>
 */
public final class Trainer {
    private Trainer() {}

    /** What a run produced. */
    /**
     * What a run produced.
     *
     * @param out               the output folder (null for an in-memory run that wrote nothing)
     * @param steps             optimizer steps of the run (in total, also when resumed)
     * @param lastMetrics       the last step's metrics row
     * @param evalMetrics       the final evaluation (empty without an evaluation split)
     * @param referenceCacheHit whether the reference log-probs came from the on-disk cache
     * @param history           every logged metrics row of this process, in order (what metrics.jsonl holds)
     */
    public record TrainResult(Path out, int steps, Map<String, Object> lastMetrics, Map<String, Object> evalMetrics,
                              boolean referenceCacheHit, List<Map<String, Object>> history) {
        public TrainResult {
            history = List.copyOf(history);
        }
    }

    /** Runs from files with progress lines on standard output. */
    public static TrainResult run(TrainConfig config) {
        return run(config, System.out);
    }

    /**
     * Runs from files (the CLI's adapter over {@link #train}): loads the policy from {@code models.model}, reads
     * {@code data.train} (and {@code data.eval}, or holds out {@code data.evalFraction}), takes reference log-probs
     * from the on-disk cache (computing them once with {@code models.ref} or the initial policy), trains, and writes
     * the model or adapter, manifest and metrics to {@code output.dir}; {@code console} gets one progress line per
     * logging step (null: silent).
     */
    public static TrainResult run(TrainConfig config, PrintStream console) {
        if (config.task() == TrainConfig.Task.REWARD) return RewardTrainer.run(config, console, null);
        if (config.models().model() == null) throw new IllegalArgumentException("a file run needs a model folder");
        if (config.data().train() == null) throw new IllegalArgumentException("a file run needs a training file");
        if (config.out() == null) throw new IllegalArgumentException("a file run needs an output folder");
        config.models().device().require();
        Torch.init();
        createOut(config);
        Objective objective = objectiveOf(config);
        Requirements needs = objective == null ? null : objective.requirements();
        // float32 master weights with float16 compute; bf16: a LoRA base stays bfloat16 (frozen), full fine-tuning keeps
        // float32 masters with bfloat16 products (dev.prefer.lm.Bf16)
        try (CausalLM policy = TrainPrecision.policy(config.models().model(), config.precision(), config.lora() != null)) {
            TrainData.Loaded loaded = load(config, config.data().train(), policy, needs);
            List<List<TrainExample>> split = config.data().eval() != null
                    ? List.of(loaded.examples(), load(config, config.data().eval(), policy, needs).examples())
                    : TrainData.split(loaded.examples(), config.data().evalFraction(), config.seed());
            List<TrainExample> train = withKl(split.get(0), needs, config, policy), eval = withKl(split.get(1), needs, config, policy);

            // Reference log-probs: computed once (cache on disk), before any training touches the policy.
            List<double[]> refTrain = null, refEval = null;
            boolean[] hit = {false};
            if (needs != null && needs.reference()) {
                Path ref = config.models().ref();
                Path refDir = ref == null ? config.models().model() : ref;
                Path cacheDir = config.output().cacheDirOrDefault();
                List<TrainExample> all = new ArrayList<>(train);
                all.addAll(eval);
                String key = RefLogpsCache.key(Hashes.sha256(refDir), TrainData.hash(all), config);
                List<double[]> refLogps;
                if (ref == null || Files.exists(RefLogpsCache.file(cacheDir, key))) {
                    refLogps = RefLogpsCache.get(cacheDir, key, all, ref == null ? policy : null, 16, hit);
                } else {
                    try (CausalLM refLm = CausalLM.load(ref, config.precision())) {
                        refLogps = RefLogpsCache.get(cacheDir, key, all, refLm, 16, hit);
                    }
                }
                refTrain = refLogps.subList(0, train.size());
                refEval = refLogps.subList(train.size(), all.size());
            }
            return new Run(config, objective, stepLoss(objective), new Policy(policy), train, eval, refTrain, refEval, console, loaded, hit[0]).go();
        }
    }

    /**
     * Trains {@code policy} in memory on examples a program made, and returns the metrics as values; nothing is read
     * from files. Reference log-probs come from {@code reference}, or from {@code policy} itself before its first
     * update when {@code reference} is null (reference-free objectives need none). With {@code config.out()} null
     * nothing is written and a LoRA adapter is merged into {@code policy} at the end, so the caller holds the trained
     * model; with an output folder the run writes what {@link #run} writes. The caller keeps ownership of both models.
     *
     * <pre>{@code
     * try (CausalLM policy = CausalLM.load(Path.of("models/qwen2"))) {
     *     TrainConfig cfg = TrainConfig.builder(Task.PREFERENCE).objective(new Dpo(0.1)).learningRate(5e-6).maxSteps(50).build();
     *     TrainResult r = Trainer.train(policy, null, cfg, TrainSet.pairs(pairs), null, null);
     *     double last = (double) r.lastMetrics().get("loss");
     * }
     * }</pre>
     *
     * @param evalSet held-out examples, or null to hold out {@code data.evalFraction} of {@code trainSet}
     * @param console progress lines (null: silent)
     */
    public static TrainResult train(CausalLM policy, CausalLM reference, TrainConfig config, TrainSet trainSet, TrainSet evalSet,
                                    PrintStream console) {
        if (config.task() == TrainConfig.Task.REWARD) {
            throw new IllegalArgumentException("reward models train from files (RewardTrainer.run); in-memory training takes PREFERENCE or SFT");
        }
        config.models().device().require();
        Torch.init();
        if (config.out() != null) createOut(config);
        Objective objective = objectiveOf(config);
        Requirements needs = objective == null ? null : objective.requirements();
        TrainData.Loaded loaded = trainSet.tokenize(policy, needs, config.length());
        List<List<TrainExample>> split = evalSet != null
                ? List.of(loaded.examples(), evalSet.tokenize(policy, needs, config.length()).examples())
                : TrainData.split(loaded.examples(), config.data().evalFraction(), config.seed());
        List<TrainExample> train = withKl(split.get(0), needs, config, policy), eval = withKl(split.get(1), needs, config, policy);
        List<double[]> refTrain = null, refEval = null;
        if (needs != null && needs.reference()) {
            List<TrainExample> all = new ArrayList<>(train);
            all.addAll(eval);
            // unshared, as the on-disk cache of file runs computes them (the same numbers bit for bit)
            List<double[]> refLogps = RefLogpsCache.score(all, reference != null ? reference : policy, 16);
            refTrain = refLogps.subList(0, train.size());
            refEval = refLogps.subList(train.size(), all.size());
        }
        return new Run(config, objective, stepLoss(objective), new Policy(policy), train, eval, refTrain, refEval, console, loaded, false).go();
    }

    /** Whether {@code out/checkpoints} holds a checkpoint to resume from. */
    public static boolean hasCheckpoint(Path out) {
        return Checkpoints.latest(out) != null;
    }

    private static void createOut(TrainConfig config) {
        try {
            Files.createDirectories(config.out());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + config.out() + ": " + e.getMessage(), e);
        }
    }

    /** The run's objective, with any running state (BCO's running mean) reset: a run starts from nothing. */
    private static Objective objectiveOf(TrainConfig config) {
        if (config.task() != TrainConfig.Task.PREFERENCE) return null;
        Objective o = config.objective();
        if (o instanceof RunningState rs && rs.state().length > 0) rs.restore(new double[rs.state().length]);
        return o;
    }

    private static StepLoss stepLoss(Objective objective) {
        return objective == null ? new SftLoss() : new PreferenceLoss(objective);
    }

    /** KTO: mismatched (prompt, completion) pairs per split. */
    private static List<TrainExample> withKl(List<TrainExample> ex, Requirements needs, TrainConfig config, CausalLM policy) {
        return needs != null && needs.klSamples() ? TrainData.withKlSamples(ex, config.loop().batchSize(), config.length(), policy) : ex;
    }

    /**
     * Times optimizer steps of the one loop's step ({@code Run.trainStep}) on in-memory groups, for the benchmarks
     * ({@link TrainBench}: {@code prefer bench train} and {@code prefer bench lm}; {@link MemoryBench}:
     * {@code prefer bench memory}). Per timed step (after {@code warmup} untimed ones) the wall seconds ({@code [0]})
     * and the process's CPU seconds, all threads ({@code [1]}); {@code [2]} holds the loss of every step, warm-up
     * included. Full fine-tuning, or LoRA when {@code c.lora()} is set (fresh adapters, as {@code Run.go}). With
     * {@code reference} non-null, each step first scores its batch with that frozen model (no cache); when it is
     * {@code policy} itself with LoRA, the adapters are detached for that pass (the base model is the reference, as
     * PEFT does). Otherwise the given {@code ref} log-probs stand for the on-disk cache. With {@code profileTrace}
     * non-null the last step runs under PyTorch's profiler, which writes a Chrome trace there.
     */
    static double[][] timeSteps(TrainConfig c, CausalLM policy, List<TrainExample> groups, List<double[]> ref, CausalLM reference,
                                int warmup, int steps, Path profileTrace) {
        Objective objective = objectiveOf(c);
        Run run = new Run(c, objective, new PreferenceLoss(objective), new Policy(policy), groups, List.of(), ref, null, null,
                new TrainData.Loaded(groups, groups.size(), 0, 0, 0), false);
        if (c.lora() != null) {
            policy.setTrainable(false);
            run.lora = Lora.create(policy, c.lora(), c.seed());
            run.lora.setTrainable(true);
            run.trainable = run.lora.parameters();
        } else {
            policy.setTrainable(true);
            run.trainable = policy.parameters();
        }
        boolean baseAsReference = reference == policy && run.lora != null;
        boolean checkpointing = policy.model().gradientCheckpointing();
        policy.model().setGradientCheckpointing(c.models().gradientCheckpointing());
        Order order = new Order(groups.size(), c.seed());
        double[][] out = {new double[steps], new double[steps], new double[warmup + steps]};
        try (NDManager m = Torch.newManager(); AdamW opt = new AdamW(m, c.optimizer().beta1(), c.optimizer().beta2(), c.optimizer().epsilon(), c.optimizer().weightDecay())) {
            for (int i = 0; i < warmup + steps; i++) {
                boolean profiling = profileTrace != null && i == warmup + steps - 1;
                if (profiling) JniUtils.startProfile(false, true, false);
                long t0 = System.nanoTime();
                long c0 = cpuNanos();
                if (reference != null) {
                    if (baseAsReference) run.lora.detach();
                    List<double[]> fresh = RefLogpsCache.score(groups, reference, 2 * groups.size(), c.loop().prefixSharing());
                    if (baseAsReference) run.lora.reattach();
                    for (int g = 0; g < groups.size(); g++) ref.set(g, fresh.get(g));
                }
                Map<String, Object> row = run.trainStep(i, order, opt, c.optimizer().learningRate());
                out[2][i] = ((Number) row.get("loss")).doubleValue();
                if (i >= warmup) {
                    out[0][i - warmup] = (System.nanoTime() - t0) / 1e9;
                    out[1][i - warmup] = (cpuNanos() - c0) / 1e9;
                }
                if (profiling) JniUtils.stopProfile(profileTrace.toAbsolutePath().toString());
            }
        } finally {
            policy.model().setGradientCheckpointing(checkpointing);
            if (run.lora != null) run.lora.close();
        }
        return out;
    }

    /** CPU time of this process, all threads (native ones included), from the OS; -1 where unavailable. */
    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    private static TrainData.Loaded load(TrainConfig config, Path file, CausalLM lm, Requirements needs) {
        return needs == null ? TrainData.sft(file, lm, config.length(), config.data().skipBadRows())
                : TrainData.preferences(file, lm, needs, config.length(), config.data().skipBadRows());
    }

    /** Total optimizer steps of a config over {@code n} training groups. */
    public static int totalSteps(TrainConfig c, int n) {
        TrainConfig.Loop l = c.loop();
        if (l.maxSteps() > 0) return l.maxSteps();
        int per = l.batchSize() * l.gradAccumulation();
        return Math.max(1, (int) Math.ceil((double) n * l.epochs() / per));
    }

    /**
     * The group sizes for prefix sharing ({@code CausalLM.logpsTensors} with groups) of these groups' sequences, or
     * null for the unshared pass: ON shares, OFF does not, AUTO shares when {@code CausalLM.sharingPays}.
     */
    static int[] groupSizes(List<TrainExample> groups, List<TokenizedSequence> seqs, TrainConfig.PrefixSharing mode, int hiddenSize) {
        if (mode == TrainConfig.PrefixSharing.OFF) return null;
        // runs of consecutive scored sequences with the same prompt ids: a pair or list (and its KL sample, which
        // has the row's own prompt); joint pairs with different prompts fall apart into runs of one
        List<Integer> runs = new ArrayList<>();
        int at = 0;
        for (TrainExample e : groups) {
            int end = at + e.scoredCount(), start = at;
            for (int j = at + 1; j <= end; j++) {
                if (j == end || !java.util.Arrays.equals(seqs.get(j).promptIds(), seqs.get(start).promptIds())) {
                    runs.add(j - start);
                    start = j;
                }
            }
            at = end;
        }
        if (at != seqs.size()) throw new IllegalStateException("scored sequences do not match the groups");
        int[] sizes = runs.stream().mapToInt(Integer::intValue).toArray();
        return mode == TrainConfig.PrefixSharing.ON || CausalLM.sharingPays(seqs, sizes, hiddenSize) ? sizes : null;
    }

    /** The seeded data order: group index at position {@code q} of the endless stream of epochs (also the online trainers' prompt order). */
    public static final class Order {
        private final int n;
        private final long seed;
        private final Map<Integer, int[]> perms = new HashMap<>();

        public Order(int n, long seed) {
            this.n = n;
            this.seed = seed;
        }

        public int at(long q) {
            int epoch = (int) (q / n);
            int[] p = perms.computeIfAbsent(epoch, e -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = i;
                Random r = new Random(seed * 0x9E3779B97F4A7C15L + e);
                for (int i = n - 1; i > 0; i--) {
                    int j = r.nextInt(i + 1);
                    int t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                }
                return a;
            });
            return p[(int) (q % n)];
        }
    }

    /**
     * What differs between training a policy and a reward model: the model, its differentiable forward over a
     * micro-batch, the held-out metrics and the manifest's kind. Everything else is the one loop below.
     */
    interface Model {
        HfModel model();

        /** (B*S) scores of the groups' sequences (summed log-probs, or rewards) and per-token log-probs (or null). */
        NDArray[] forward(NDManager step, List<TrainExample> groups, TrainConfig.PrefixSharing sharing);

        /** Metrics on the evaluation split (no gradients). */
        Map<String, Object> evaluate(List<TrainExample> eval);

        /** The manifest's kind of output. */
        String kind();
    }

    /** The policy side of {@link Model}: log-probs of every scored sequence. */
    private static final class Policy implements Model {
        final CausalLM policy;
        final Run[] run = new Run[1];

        Policy(CausalLM policy) {
            this.policy = policy;
        }

        @Override public HfModel model() { return policy; }

        @Override
        public NDArray[] forward(NDManager s, List<TrainExample> g, TrainConfig.PrefixSharing sharing) {
            List<TokenizedSequence> seqs = sequences(g);
            CausalLM.LogpsTensors t = policy.logpsTensors(s, seqs, groupSizes(g, seqs, sharing, policy.config().hiddenSize()), false);
            return new NDArray[] {t.sums(), t.tokenLogps()};
        }

        @Override
        public Map<String, Object> evaluate(List<TrainExample> eval) {
            return run[0].evaluatePolicy(policy);
        }

        @Override public String kind() { return run[0].objective == null ? "sft-model" : "preference-model"; }
    }

    private static List<TokenizedSequence> sequences(List<TrainExample> groups) {
        List<TokenizedSequence> seqs = new ArrayList<>();
        for (TrainExample e : groups) seqs.addAll(e.scored());
        return seqs;
    }

    /** The one training loop (see the class comment), for a policy or a reward model. */
    static final class Run {
        final TrainConfig c;
        final Objective objective;
        final StepLoss task;
        final Model forward;
        final HfModel policy;
        final List<TrainExample> train, eval;
        final List<double[]> refTrain, refEval;
        final PrintStream console;
        final TrainData.Loaded loaded;
        final boolean cacheHit;
        final DataType type;
        Lora lora;
        Map<String, NDArray> trainable;
        int currentStep;

        Run(TrainConfig c, Objective objective, StepLoss task, Model forward, List<TrainExample> train, List<TrainExample> eval,
            List<double[]> refTrain, List<double[]> refEval, PrintStream console, TrainData.Loaded loaded, boolean cacheHit) {
            this.c = c;
            this.objective = objective;
            this.task = task;
            this.forward = forward;
            this.policy = forward.model();
            if (forward instanceof Policy p) p.run[0] = this;
            this.train = train;
            this.eval = eval;
            this.refTrain = refTrain;
            this.refEval = refEval;
            this.console = console;
            this.loaded = loaded;
            this.cacheHit = cacheHit;
            this.type = policy.model().dtype();
        }

        TrainResult go() {
            boolean checkpointing = policy.model().gradientCheckpointing();
            policy.model().setGradientCheckpointing(c.models().gradientCheckpointing());
            try {
                return loop();
            } finally {
                policy.model().setGradientCheckpointing(checkpointing);
            }
        }

        private TrainResult loop() {
            if (c.lora() != null) {
                policy.setTrainable(false);
                lora = c.lora().init() == null ? Lora.create(policy, c.lora(), c.seed()) : Lora.startFrom(policy, c.lora());
                lora.setTrainable(true);
                trainable = lora.parameters();
            } else {
                policy.setTrainable(true);
                trainable = policy.parameters();
            }
            int total = totalSteps(c, train.size());
            Order order = new Order(train.size(), c.seed());
            Map<String, Object> configMap = c.toMap();
            TrainConfig.Optimizer o = c.optimizer();
            try (NDManager optManager = Torch.newManager(); AdamW opt = new AdamW(optManager, o.beta1(), o.beta2(), o.epsilon(), o.weightDecay())) {
                int start = 0;
                if (c.loop().resume()) start = restore(opt, configMap);
                StepMechanics.LoopResult r = StepMechanics.loop(c, console, start, total, !eval.isEmpty(), new StepMechanics.Steps() {
                    @Override
                    public Map<String, Object> train(int step, double lr) {
                        currentStep = step;
                        return trainStep(step, order, opt, lr);
                    }

                    @Override
                    public Map<String, Object> evaluate() {
                        if (lora != null) lora.setTraining(false, () -> 0L);
                        return forward.evaluate(eval);
                    }

                    @Override
                    public void checkpoint(int stepsDone) {
                        Checkpoints.write(c.out(), stepsDone, trainable, opt, configMap, objective instanceof RunningState rs ? rs.state() : null);
                    }
                });
                if (c.out() != null) writeOutput(configMap, total);
                else if (lora != null) lora.mergeInto(policy); // in memory: the caller holds the trained model
                return new TrainResult(c.out(), total, r.last(), r.evalMetrics(), cacheHit, r.history());
            } finally {
                if (lora != null) lora.close();
            }
        }

        private int restore(AdamW opt, Map<String, Object> configMap) {
            Checkpoints.State s = StepMechanics.restore(c.out(), configMap, trainable, opt);
            if (s == null) return 0;
            if (objective instanceof RunningState rs) {
                JsonNode st;
                try {
                    st = Json.MAPPER.readTree(s.dir().resolve("state.json").toFile()).path("objective_state");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                double[] values = new double[st.size()];
                for (int i = 0; i < values.length; i++) values[i] = st.get(i).asDouble();
                if (values.length > 0) rs.restore(values);
            }
            if (console != null) console.println("resumed from " + s.dir() + " at step " + s.step());
            return s.step();
        }

        private Map<String, Object> trainStep(int step, Order order, AdamW opt, double lr) {
            long t0 = System.nanoTime();
            TrainConfig.Loop lp = c.loop();
            int per = lp.batchSize() * lp.gradAccumulation();
            List<List<TrainExample>> micro = new ArrayList<>();
            List<List<double[]>> microRef = new ArrayList<>();
            double totalNorm = 0;
            for (int mb = 0; mb < lp.gradAccumulation(); mb++) {
                List<TrainExample> g = new ArrayList<>();
                List<double[]> r = refTrain == null ? null : new ArrayList<>();
                for (int i = 0; i < lp.batchSize(); i++) {
                    int idx = order.at((long) step * per + (long) mb * lp.batchSize() + i);
                    g.add(train.get(idx));
                    if (r != null) r.add(refTrain.get(idx));
                }
                micro.add(g);
                microRef.add(r);
                totalNorm += task.normaliser(g);
            }
            if (!(totalNorm > 0)) throw new TrainingException("step " + step + ": the batch has zero total weight");
            StepMechanics.zeroGradients(trainable);
            double loss = 0, tokens = 0, kl = 0;
            int klN = 0;
            Map<String, Double> metrics = new LinkedHashMap<>();
            Map<String, Double> metricGroups = new HashMap<>(); // groups behind each metric (unpaired pools may be absent)
            for (int mb = 0; mb < micro.size(); mb++) {
                List<TrainExample> g = micro.get(mb);
                List<double[]> r = microRef.get(mb);
                double share = task.normaliser(g) / totalNorm;
                final int mbIndex = mb;
                if (lora != null) lora.setTraining(true, () -> (c.seed() * 1_000_003L + step) * 131 + mbIndex);
                try (NDManager s = policy.model().parameters().values().iterator().next().getManager().newSubManager();
                     GradientCollector gc = Torch.init().newGradientCollector()) {
                    NDArray[] t = forward.forward(s, g, lp.prefixSharing()); // (B*S) sums, per-token log-probs
                    StepLoss.Out out = task.compute(s, t[0], t[1], g, r, type);
                    NDArray scaled = out.loss().mul(dev.prefer.lm.Transformer.constant(out.loss(), share)); // not mul(Number): see constant()
                    dev.prefer.lm.Transformer.backward(gc, scaled); // through recomputed blocks under gradient checkpointing
                    double l = out.loss().toType(DataType.FLOAT64, true).getDouble();
                    if (!Double.isFinite(l)) throw new TrainingException(StepMechanics.stopped(c.out(), "loss", l, step));
                    loss += share * l;
                    Map<String, Double> m = out.metrics().get();
                    for (Map.Entry<String, Double> e : m.entrySet()) {
                        metrics.merge(e.getKey(), e.getValue() * g.size(), Double::sum);
                        metricGroups.merge(e.getKey(), (double) g.size(), Double::sum);
                    }
                    if (r != null) {
                        double[] p = t[0].stopGradient().toType(DataType.FLOAT64, true).toDoubleArray();
                        int at = 0;
                        for (double[] rr : r) for (double v : rr) { kl += p[at++] - v; klN++; }
                    }
                    for (TrainExample e : g) tokens += e.tokens();
                }
            }
            if (lora != null) lora.setTraining(false, () -> 0L);
            double gradNorm = StepMechanics.clipAndUpdate(trainable, opt, c.optimizer().maxGradNorm(), lr, type, c.out(), step);
            double secs = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", step + 1);
            row.put("epoch", (double) (step + 1) * per / train.size());
            row.put("loss", loss);
            for (Map.Entry<String, Double> e : metrics.entrySet()) row.put(e.getKey(), e.getValue() / metricGroups.get(e.getKey()));
            // the mean of log π_θ(y|x) − log π_ref(y|x) over the batch's responses: the data's responses, not samples
            // of the policy, so it is no KL estimate and can be negative
            if (klN > 0) row.put("log_ratio/mean", kl / klN);
            row.put("grad_norm", gradNorm);
            row.put("learning_rate", lr);
            row.put("tokens_per_second", tokens / secs);
            return row;
        }

        /** Policy log-probs of groups without gradients (dropout off). */
        private List<double[]> policyLogps(CausalLM policy, List<TrainExample> groups) {
            List<SequenceLogps> lp = policy.logpsOfIds(sequences(groups), 16);
            List<double[]> out = new ArrayList<>();
            int at = 0;
            for (TrainExample e : groups) {
                double[] v = new double[e.scoredCount()];
                for (int j = 0; j < v.length; j++) v[j] = lp.get(at++).sum();
                out.add(v);
            }
            return out;
        }

        /** Evaluation loss and, for pairs, ranking accuracy (summed and normalised), R* and the alignment gap. */
        Map<String, Object> evaluatePolicy(CausalLM policy) {
            Map<String, Object> m = new LinkedHashMap<>();
            List<double[]> p = policyLogps(policy, eval);
            m.put("eval/loss", task.hostLoss(eval, p, refEval));
            boolean pairs = eval.stream().allMatch(e -> e.k() == 2);
            if (pairs && objective != null) {
                int n = eval.size();
                double[] c0 = new double[n], r0 = new double[n], rc = new double[n], rr = new double[n];
                int[] tc = new int[n], tr = new int[n];
                for (int i = 0; i < n; i++) {
                    c0[i] = p.get(i)[0];
                    r0[i] = p.get(i)[1];
                    tc[i] = eval.get(i).responses().get(0).length;
                    tr[i] = eval.get(i).responses().get(1).length;
                    if (refEval != null) {
                        rc[i] = refEval.get(i)[0];
                        rr[i] = refEval.get(i)[1];
                    }
                }
                // R* (Chen et al. 2024) at the objective's own implicit-reward scale (beta, IPO's tau, ...); objectives
                // without a reference-based implicit reward (sft, simpo, orpo) have no R*.
                RewardForm form = objective.rewardForm();
                boolean rStar = refEval != null && form.useReference() && form.scale() > 0;
                double beta = rStar ? form.scale() : 0.1;
                PairRanking.Summary s = PairRanking.evaluate(new PairRanking.PairLogps(c0, r0, tc, tr),
                        rStar ? new PairRanking.PairLogps(rc, rr, tc, tr) : null, null, beta, 0.0);
                m.put("eval/ranking_accuracy", s.policy().summed());
                m.put("eval/ranking_accuracy_normalized", s.policy().lengthNormalized());
                if (s.rStar() != null) {
                    m.put("eval/idealized_ranking_accuracy", s.rStar());
                    m.put("eval/alignment_gap", s.gap());
                    m.put("eval/idealized_ranking_accuracy_normalized", s.rStarNormalized());
                    m.put("eval/alignment_gap_normalized", s.gapNormalized());
                }
            }
            return m;
        }

        private void writeOutput(Map<String, Object> configMap, int total) {
            StepMechanics.writeOutput(forward.kind(), c, configMap, train, eval, loaded,
                    total, lora, policy, c.models().ref() != null && refTrain != null ? c.models().ref() : null);
        }
    }
}
