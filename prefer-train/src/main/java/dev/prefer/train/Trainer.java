package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Hashes;
import dev.prefer.data.Json;
import dev.prefer.eval.PairLogpsEval;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.SequenceLogps;
import dev.prefer.lm.TokenizedSequence;
import dev.prefer.lm.Torch;
import dev.prefer.objectives.Objective;
import dev.prefer.objectives.ObjectiveCatalog;
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
    public record TrainResult(Path out, int steps, Map<String, Object> lastMetrics, Map<String, Object> evalMetrics,
                              boolean referenceCacheHit) {}

    /** Runs with progress lines on standard output. */
    public static TrainResult run(TrainConfig config) {
        return run(config, System.out);
    }

    /** Runs; {@code console} gets one progress line per logging step (null: silent). */
    public static TrainResult run(TrainConfig config, PrintStream console) {
        if (config.task() == TrainConfig.Task.REWARD) return RewardTrainer.run(config, console, null);
        Torch.init();
        try {
            Files.createDirectories(config.out());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + config.out() + ": " + e.getMessage(), e);
        }
        Objective objective = config.task() == TrainConfig.Task.PREFERENCE
                ? ObjectiveCatalog.create(config.objective(), config.objectiveParams()) : null;
        Requirements needs = objective == null ? null : objective.requirements();
        StepLoss task = objective == null ? new SftLoss() : new PreferenceLoss(objective);
        boolean mixed = config.precision() == dev.prefer.lm.Precision.F16; // float32 masters, float16 compute
        try (CausalLM policy = CausalLM.load(config.model(), mixed ? dev.prefer.lm.Precision.F32 : config.precision())) {
            if (mixed) policy.model().setComputeType(ai.djl.ndarray.types.DataType.FLOAT16);
            TrainData.Loaded loaded = load(config, config.data(), policy, needs);
            List<TrainExample> train, eval;
            long evalRows = 0;
            if (config.evalData() != null) {
                train = loaded.examples();
                eval = load(config, config.evalData(), policy, needs).examples();
            } else {
                List<List<TrainExample>> s = TrainData.split(loaded.examples(), config.evalFraction(), config.seed());
                train = s.get(0);
                eval = s.get(1);
            }
            if (needs != null && needs.klSamples()) { // KTO: mismatched (prompt, completion) pairs per split
                train = TrainData.withKlSamples(train, config.batchSize(), config.length(), policy);
                eval = TrainData.withKlSamples(eval, config.batchSize(), config.length(), policy);
            }
            String dataHash = TrainData.hash(train);
            String evalHash = TrainData.hash(eval);

            // Reference log-probs: computed once (cache on disk), before any training touches the policy.
            boolean needRef = needs != null && needs.reference();
            List<double[]> refTrain = null, refEval = null;
            boolean[] hit = {false};
            if (needRef) {
                Path refDir = config.ref() == null ? config.model() : config.ref();
                String modelHash = Hashes.sha256(refDir);
                List<TrainExample> all = new ArrayList<>(train);
                all.addAll(eval);
                String key = RefLogpsCache.key(modelHash, TrainData.hash(all), config);
                List<double[]> ref;
                if (config.ref() == null) {
                    ref = RefLogpsCache.get(config.cacheDir(), key, all, policy, 16, hit);
                } else {
                    Path f = RefLogpsCache.file(config.cacheDir(), key);
                    if (Files.exists(f)) {
                        ref = RefLogpsCache.get(config.cacheDir(), key, all, null, 16, hit);
                    } else {
                        try (CausalLM refLm = CausalLM.load(config.ref(), config.precision())) {
                            ref = RefLogpsCache.get(config.cacheDir(), key, all, refLm, 16, hit);
                        }
                    }
                }
                refTrain = ref.subList(0, train.size());
                refEval = ref.subList(train.size(), all.size());
            }
            return new Run(config, objective, task, policy, train, eval, refTrain, refEval, console, loaded, dataHash, evalHash, hit[0]).go();
        }
    }

    /**
     * Times optimizer steps on in-memory groups (for {@link TrainBench}): per timed step (after {@code warmup}
     * untimed ones) the wall seconds ({@code [0]}) and the process's CPU seconds, all threads ({@code [1]}). With
     * {@code reference} non-null, each step first scores its batch with that frozen model (no cache); otherwise the
     * given {@code ref} log-probs stand for the on-disk cache. With {@code profileTrace} non-null the last step runs
     * under PyTorch's profiler, which writes a Chrome trace there.
     */
    static double[][] timeSteps(TrainConfig c, CausalLM policy, List<TrainExample> groups, List<double[]> ref, CausalLM reference,
                                int warmup, int steps, Path profileTrace) {
        Objective objective = ObjectiveCatalog.create(c.objective(), c.objectiveParams());
        Run run = new Run(c, objective, new PreferenceLoss(objective), policy, groups, List.of(), ref, null, null,
                new TrainData.Loaded(groups, groups.size(), 0, 0, 0), "", "", false);
        policy.setTrainable(true);
        run.trainable = policy.parameters();
        Order order = new Order(groups.size(), c.seed());
        double[][] out = new double[2][steps];
        try (NDManager m = Torch.newManager(); AdamW opt = new AdamW(m, 0.9, 0.999, 1e-8, 0)) {
            for (int i = 0; i < warmup + steps; i++) {
                boolean profiling = profileTrace != null && i == warmup + steps - 1;
                if (profiling) JniUtils.startProfile(false, true, false);
                long t0 = System.nanoTime();
                long c0 = cpuNanos();
                if (reference != null) {
                    List<double[]> fresh = RefLogpsCache.score(groups, reference, 2 * groups.size(), c.prefixSharing());
                    for (int g = 0; g < groups.size(); g++) ref.set(g, fresh.get(g));
                }
                run.trainStep(i, order, opt, c.learningRate());
                if (i >= warmup) {
                    out[0][i - warmup] = (System.nanoTime() - t0) / 1e9;
                    out[1][i - warmup] = (cpuNanos() - c0) / 1e9;
                }
                if (profiling) JniUtils.stopProfile(profileTrace.toAbsolutePath().toString());
            }
        }
        return out;
    }

    /** CPU time of this process, all threads (native ones included), from the OS; -1 where unavailable. */
    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    private static TrainData.Loaded load(TrainConfig config, Path file, CausalLM lm, Requirements needs) {
        return needs == null ? TrainData.sft(file, lm, config.length(), config.skipBadRows())
                : TrainData.preferences(file, lm, needs, config.length(), config.skipBadRows());
    }

    /** Total optimizer steps of a config over {@code n} training groups. */
    public static int totalSteps(TrainConfig c, int n) {
        if (c.maxSteps() > 0) return c.maxSteps();
        int per = c.batchSize() * c.gradAccumulation();
        return Math.max(1, (int) Math.ceil((double) n * c.epochs() / per));
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

    /** The seeded data order: group index at position {@code q} of the endless stream of epochs. */
    static final class Order {
        private final int n;
        private final long seed;
        private final Map<Integer, int[]> perms = new HashMap<>();

        Order(int n, long seed) {
            this.n = n;
            this.seed = seed;
        }

        int at(long q) {
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

    private static final class Run {
        final TrainConfig c;
        final Objective objective;
        final StepLoss task;
        final CausalLM policy;
        final List<TrainExample> train, eval;
        final List<double[]> refTrain, refEval;
        final PrintStream console;
        final TrainData.Loaded loaded;
        final String dataHash, evalHash;
        final boolean cacheHit;
        final DataType type;
        Lora lora;
        Map<String, NDArray> trainable;
        int currentStep;

        Run(TrainConfig c, Objective objective, StepLoss task, CausalLM policy, List<TrainExample> train, List<TrainExample> eval,
            List<double[]> refTrain, List<double[]> refEval, PrintStream console, TrainData.Loaded loaded, String dataHash,
            String evalHash, boolean cacheHit) {
            this.c = c;
            this.objective = objective;
            this.task = task;
            this.policy = policy;
            this.train = train;
            this.eval = eval;
            this.refTrain = refTrain;
            this.refEval = refEval;
            this.console = console;
            this.loaded = loaded;
            this.dataHash = dataHash;
            this.evalHash = evalHash;
            this.cacheHit = cacheHit;
            this.type = policy.model().dtype();
        }

        TrainResult go() {
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
            try (NDManager optManager = Torch.newManager(); AdamW opt = new AdamW(optManager, c.adamBeta1(), c.adamBeta2(), c.adamEpsilon(), c.weightDecay())) {
                int start = 0;
                if (c.resume()) start = restore(opt, configMap);
                StepMechanics.LoopResult r = StepMechanics.loop(c, console, start, total, !eval.isEmpty(), new StepMechanics.Steps() {
                    @Override
                    public Map<String, Object> train(int step, double lr) {
                        currentStep = step;
                        return trainStep(step, order, opt, lr);
                    }

                    @Override
                    public Map<String, Object> evaluate() {
                        return Run.this.evaluate();
                    }

                    @Override
                    public void checkpoint(int stepsDone) {
                        Checkpoints.write(c.out(), stepsDone, trainable, opt, configMap, objective instanceof RunningState rs ? rs.state() : null);
                    }
                });
                writeOutput(configMap, total);
                return new TrainResult(c.out(), total, r.last(), r.evalMetrics(), cacheHit);
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

        private List<TokenizedSequence> sequences(List<TrainExample> groups) {
            List<TokenizedSequence> seqs = new ArrayList<>();
            for (TrainExample e : groups) seqs.addAll(e.scored());
            return seqs;
        }

        private Map<String, Object> trainStep(int step, Order order, AdamW opt, double lr) {
            long t0 = System.nanoTime();
            int per = c.batchSize() * c.gradAccumulation();
            List<List<TrainExample>> micro = new ArrayList<>();
            List<List<double[]>> microRef = new ArrayList<>();
            double totalNorm = 0;
            for (int mb = 0; mb < c.gradAccumulation(); mb++) {
                List<TrainExample> g = new ArrayList<>();
                List<double[]> r = refTrain == null ? null : new ArrayList<>();
                for (int i = 0; i < c.batchSize(); i++) {
                    int idx = order.at((long) step * per + (long) mb * c.batchSize() + i);
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
                    List<TokenizedSequence> seqs = sequences(g);
                    CausalLM.LogpsTensors t = policy.logpsTensors(s, seqs, groupSizes(g, seqs, c.prefixSharing(), policy.config().hiddenSize()), false);
                    StepLoss.Out out = task.compute(s, t.sums(), t.tokenLogps(), g, r, type);
                    NDArray scaled = out.loss().mul(dev.prefer.lm.Transformer.constant(out.loss(), share)); // not mul(Number): see constant()
                    gc.backward(scaled);
                    double l = out.loss().toType(DataType.FLOAT64, true).getDouble();
                    if (!Double.isFinite(l)) throw new TrainingException(StepMechanics.stopped(c.out(), "loss", l, step));
                    loss += share * l;
                    Map<String, Double> m = out.metrics().get();
                    for (Map.Entry<String, Double> e : m.entrySet()) {
                        metrics.merge(e.getKey(), e.getValue() * g.size(), Double::sum);
                        metricGroups.merge(e.getKey(), (double) g.size(), Double::sum);
                    }
                    if (r != null) {
                        double[] p = t.sums().stopGradient().toType(DataType.FLOAT64, true).toDoubleArray();
                        int at = 0;
                        for (double[] rr : r) for (double v : rr) { kl += p[at++] - v; klN++; }
                    }
                    for (TrainExample e : g) tokens += e.tokens();
                }
            }
            if (lora != null) lora.setTraining(false, () -> 0L);
            double gradNorm = StepMechanics.clipAndUpdate(trainable, opt, c.maxGradNorm(), lr, type, c.out(), step);
            double secs = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", step + 1);
            row.put("epoch", (double) (step + 1) * per / train.size());
            row.put("loss", loss);
            for (Map.Entry<String, Double> e : metrics.entrySet()) row.put(e.getKey(), e.getValue() / metricGroups.get(e.getKey()));
            if (klN > 0) row.put("kl", kl / klN);
            row.put("grad_norm", gradNorm);
            row.put("learning_rate", lr);
            row.put("tokens_per_second", tokens / secs);
            return row;
        }

        /** Policy log-probs of groups without gradients (dropout off). */
        private List<double[]> policyLogps(List<TrainExample> groups) {
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
        Map<String, Object> evaluate() {
            Map<String, Object> m = new LinkedHashMap<>();
            List<double[]> p = policyLogps(eval);
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
                double beta = c.objectiveParams().getOrDefault("beta", 0.1);
                PairLogpsEval.Summary s = PairLogpsEval.evaluate(new PairLogpsEval.PairLogps(c0, r0, tc, tr),
                        refEval == null ? null : new PairLogpsEval.PairLogps(rc, rr, tc, tr), null, beta, 0.0);
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
            StepMechanics.writeOutput(objective == null ? "sft-model" : "preference-model", c, configMap, train, eval, loaded,
                    total, lora, policy, c.ref() != null && refTrain != null ? c.ref() : null);
        }
    }
}
