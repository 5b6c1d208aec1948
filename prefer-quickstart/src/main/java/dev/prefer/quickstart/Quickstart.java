package dev.prefer.quickstart;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.data.PreferencePair;
import dev.prefer.eval.RunSetup;
import dev.prefer.core.stats.Bootstrap;
import dev.prefer.core.stats.Estimate;
import dev.prefer.eval.metrics.PairedComparison;
import dev.prefer.eval.metrics.WinRate;
import dev.prefer.eval.report.EvalSummary;
import dev.prefer.eval.report.EvalSummary.ModelScores;
import dev.prefer.eval.tasks.Demonstrator;
import dev.prefer.eval.tasks.PairBuilder;
import dev.prefer.eval.tasks.Problem;
import dev.prefer.data.pref.RankedList;
import dev.prefer.eval.tasks.ScoredResponses;
import dev.prefer.eval.tasks.TaskData;
import dev.prefer.eval.tasks.Tasks;
import dev.prefer.eval.tasks.VerifiableTask;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Generation;
import dev.prefer.lm.GenerationConfig;
import dev.prefer.objectives.Layout;
import dev.prefer.objectives.Objective;
import dev.prefer.objectives.ObjectiveCatalog;
import dev.prefer.reward.source.Group;
import dev.prefer.reward.source.RewardSource;
import dev.prefer.reward.source.RewardSources;
import dev.prefer.reward.source.ScoredGroups;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.TrainSet;
import dev.prefer.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The quickstart pipeline: a model built from nothing learns a verifiable task by SFT, then improves on its own
 * verifier-scored samples with a preference objective, and is measured before and after on held-out prompts.
 *
 * <ol>
 *   <li>{@link RunSetup}: task data, held-out prompts and pairs, a byte-level BPE tokenizer, a fresh Llama model;</li>
 *   <li>SFT of that model on the training problems ({@code sft/});</li>
 *   <li>for each objective, {@code rounds} times: sample k responses per training prompt from the current policy,
 *       score them with the verifier, keep best vs worst (pairs) or the ranked list (listwise), and train with the
 *       SFT model as the fixed reference, so each round's data comes from the policy the last round produced
 *       (iterative / online DPO: Xu et al. 2023 arXiv 2312.16682; Tajwar et al. 2024 arXiv 2404.14367);</li>
 *   <li>evaluation of the SFT model and every aligned model ({@link Evaluation});</li>
 *   <li>{@code report.html}, {@code summary.json}, a console table, and {@code manifest.json} with every setting and seed.</li>
 * </ol>
 */
public final class Quickstart {
    private Quickstart() {}

    /**
     * One aligned run: its final model, scores, win rate against SFT, its accuracy gains over SFT on the same held-out
     * prompts (aligned − SFT, paired percentile bootstrap over prompts), and the pairs it trained on per round.
     */
    public record ObjectiveRun(String objective, Path model, ModelScores scores, WinRate.Result winRateVsSft,
                               Estimate greedyGain, Estimate sampledGain,
                               List<Integer> groupsPerRound, List<EvalSummary.Curve> loss, List<EvalSummary.Curve> reward,
                               SlipStats slips) {}

    /** What a run produced. */
    public record Result(Path out, Path report, Path summary, ModelScores sft, List<ObjectiveRun> runs, double seconds, SlipStats sftSlips) {}

    public static Result run(QuickstartConfig c) {
        return run(c, System.out);
    }

    /** Runs the pipeline; {@code console} gets progress lines and the summary table (null: silent). */
    public static Result run(QuickstartConfig c, PrintStream console) {
        // One intra-op thread unless the caller chose: for this tiny model it is as fast on 2 cores, and multi-threaded
        // float reductions made repeated SFT runs of the same seed drift apart after ~800 steps (measured).
        if (System.getProperty("prefer.threads") == null && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("prefer.threads", "1");
        }
        return new Stages(c, console).run();
    }

    /**
     * Every seed of a run, derived from the one seed the user gives: the setup (data draw, held-out pairs, tokenizer,
     * initial weights), the demonstrator, SFT's data order, evaluation sampling, the control's data order, and per
     * objective and round the prompt choice / sampling and the data order.
     */
    record SeedPlan(long setup, long demonstrator, long sft, long evaluation, long control) {
        static SeedPlan of(long seed) {
            return new SeedPlan(seed, seed + 3, seed + 1, seed + 2, seed + 7);
        }

        long sampling(int objective, int round) {
            return setup * 1_000_003L + 1000L * (objective + 1) + round;
        }

        long training(int objective, int round) {
            return setup + 100L * (objective + 1) + round;
        }
    }

    /**
     * The stages of one run over one seed plan, models and data in memory: {@link #setup}, {@link #sft},
     * {@link #rounds} per objective, {@link #control}, evaluation of each, then {@link #report}. Files are outputs
     * only (models, metrics, manifest, report); nothing is written to be read back.
     */
    static final class Stages {
        final QuickstartConfig c;
        final PrintStream console, out;
        final long t0 = System.nanoTime();
        final Path root;
        final VerifiableTask<Problem> task;
        final SeedPlan plan;
        final Map<String, Object> seeds = new LinkedHashMap<>();
        final List<Map<String, Object>> roundLog = new ArrayList<>();
        // setup
        TaskData<Problem> data;
        List<String[]> heldOut, trainPrompts;
        List<PreferencePair> heldPairs;
        List<TrainSet.SftRow> demonstrations;
        Path initDir;
        int maxNew;
        Double demoAccuracy;
        // the base model (SFT, or the user's) and its scores
        Path sftDir;
        EvalSummary.Curve sftLoss;
        Evaluation ev;
        Evaluation.Scores sftScores;

        @SuppressWarnings("unchecked")
        /** What scores the rounds' samples: a reward source, or null for the task's verifier. */
        RewardSource rewardSource;

        Stages(QuickstartConfig c, PrintStream console) {
            this.c = c;
            this.console = console;
            this.out = console == null ? new PrintStream(PrintStream.nullOutputStream()) : console;
            this.root = c.out();
            this.task = (VerifiableTask<Problem>) Tasks.byName(c.task());
            this.plan = SeedPlan.of(c.seed());
        }

        String base() {
            return c.model() == null ? "sft" : "base";
        }

        Result run() {
            emptyOutput();
            setup();
            List<ObjectiveRun> runs = new ArrayList<>();
            if (!c.rewards().isEmpty()) rewardSource = RewardSources.open(c.rewards(), List.of(), RewardSources.Options.defaults());
            try (CausalLM sft = sft(); RewardSource closeAtEnd = rewardSource) {
                long evalSeed = plan.evaluation();
                seeds.put("evaluation sampling", evalSeed);
                ev = new Evaluation(task, heldOut, heldPairs, maxNew, c.temperature(), c.evalSamples(), evalSeed, c.beta());
                stage("evaluate " + baseName() + " on " + heldOut.size() + " held-out prompts");
                sftScores = ev.evaluate(base(), sft, null, console);
                out.printf(Locale.ROOT, "  %s greedy accuracy %s%s%n", baseName(), fmt(sftScores.row().greedy()), slipLine(sftScores.slips()));
                if (c.online().isOnline()) runs.add(OnlineRun.run(this, sft));
                else for (int oi = 0; oi < c.objectives().size(); oi++) runs.add(rounds(oi, sft));
                if (c.sftControl() && c.model() == null) runs.add(control(sft));
            }
            return report(runs);
        }

        void emptyOutput() {
            try {
                if (Files.isDirectory(root)) {
                    try (var s = Files.list(root)) {
                        if (s.findAny().isPresent()) throw new IllegalArgumentException("output folder exists and is not empty: " + root);
                    }
                }
                Files.createDirectories(root);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** 1. Data (drawn, or the user's prompts), tokenizer and a fresh model (unless the user brings one). */
        void setup() {
            TaskData<Problem> all = c.prompts() == null
                    ? TaskData.generate(task, new TaskData.Config(c.trainCount() + c.prefPromptCount(), c.heldOutCount(), c.seed()))
                    : TaskData.fromPrompts(task, c.prompts(), c.trainCount() + c.prefPromptCount(), c.heldOutCount(), 0.2);
            // SFT gets the first trainCount training problems; the preference rounds the rest (when reserved), or the same.
            int nSft = Math.min(c.trainCount(), all.train().size());
            data = new TaskData<>(task, all.train().subList(0, nSft), all.heldOut());
            List<Problem> prefPool = c.prefPromptCount() > 0 ? all.train().subList(nSft, all.train().size()) : data.train();
            if (prefPool.isEmpty()) throw new IllegalArgumentException("no training prompts are left for the preference rounds after " + nSft + " SFT problems");
            String dataWhat = c.prompts() == null ? "drawn" : "from " + c.prompts();
            seeds.put("setup (data draw, held-out pairs, tokenizer, initial weights)", plan.setup());
            if (c.model() == null) {
                stage("setup: task data (" + dataWhat + "), tokenizer and a fresh Llama model (" + c.task() + ", seed " + c.seed() + ")");
                RunSetup.Config sc = new RunSetup.Config(c.task(), c.trainCount(), c.heldOutCount(), 2, c.vocabSize(), c.hiddenSize(), 2 * c.hiddenSize(),
                        c.layers(), 4, 2, 64, c.seed());
                seeds.put("demonstrator (which SFT problems slip)", plan.demonstrator());
                RunSetup.Result setup = RunSetup.prepare(task, data, new Demonstrator(c.demoSlipRate(), plan.demonstrator()), sc, root.resolve("setup"));
                Demonstrator.Demonstrations demos = setup.demonstrations();
                out.printf(Locale.ROOT, "  %d training / %d held-out problems, %d held-out pairs, vocabulary %d, %,d parameters%n",
                        setup.trainCount(), setup.heldOutCount(), setup.heldOutPairs(), setup.tokenizerVocab(), setup.parameters());
                out.printf(Locale.ROOT, "  SFT demonstrations: %.1f%% correct (the demonstrator slips on %d of the %d problems where its mistake applies)%n",
                        100 * demos.accuracy(), demos.slipped(), demos.slippable());
                demoAccuracy = demos.accuracy();
                demonstrations = new ArrayList<>();
                for (Map<String, Object> r : demos.rows()) demonstrations.add(TrainSet.SftRow.of((String) r.get("prompt"), (String) r.get("completion")));
                initDir = setup.modelDir();
                maxNew = setup.longestSequence();
            } else {
                stage("setup: task data (" + dataWhat + ") for the given model " + c.model() + "; no SFT (" + c.task() + ", seed " + c.seed() + ")");
                int nPairs = RunSetup.writeData(task, data, 2, c.seed(), root.resolve("setup/data"));
                out.printf(Locale.ROOT, "  %d training / %d held-out problems, %d held-out pairs%n", data.train().size(), data.heldOut().size(), nPairs);
                maxNew = longestSequence(c.model(), data);
            }
            heldOut = prompts(data.heldOut());
            trainPrompts = prompts(prefPool);
            heldPairs = RunSetup.heldOutPairs(task, data, 2, c.seed());
            out.printf(Locale.ROOT, "  preference rounds sample %d training prompts (%s)%n", trainPrompts.size(),
                    c.prefPromptCount() > 0 ? "reserved, never shown to SFT" : "the SFT problems' prompts");
        }

        /** 2. SFT of the fresh model on the demonstrations (saved to {@code sft/}), or the user's model as it is. */
        CausalLM sft() {
            if (c.model() != null) {
                sftDir = c.model();
                sftLoss = toCurve("sft", List.of());
                return CausalLM.load(sftDir);
            }
            stage("SFT: " + c.sftSteps() + " steps of " + c.sftBatch() + " rows");
            seeds.put("sft (data order)", plan.sft());
            sftDir = root.resolve("sft");
            TrainConfig cfg = TrainConfig.builder(TrainConfig.Task.SFT).out(sftDir).learningRate(c.sftLearningRate())
                    .schedule(TrainConfig.Schedule.COSINE, Math.min(20, c.sftSteps() / 10)).maxSteps(c.sftSteps()).batchSize(c.sftBatch())
                    .seed(plan.sft()).every(Math.max(1, c.sftSteps() / 20), 0, 0).build();
            CausalLM lm = CausalLM.load(initDir);
            try {
                Trainer.TrainResult r = Trainer.train(lm, null, cfg, TrainSet.sft(demonstrations), null, out);
                sftLoss = toCurve("sft", points(r.history(), "loss", 0));
                return lm;
            } catch (RuntimeException e) {
                lm.close();
                throw e;
            }
        }

        /**
         * 3. One objective's on-policy rounds from the SFT model: each round samples from the current policy, scores
         * with the verifier, builds pairs or ranked lists in memory, and trains on them (reference: the SFT model, or
         * the policy that started the round); the final model goes to {@code OBJECTIVE/}, then it is evaluated.
         */
        ObjectiveRun rounds(int oi, CausalLM sft) {
            String obj = c.objectives().get(oi);
            Objective objective = QuickstartConfig.objective(obj, c.beta());
            boolean lists = objective.requirements().layout() == Layout.LISTS;
            List<Integer> groups = new ArrayList<>();
            List<double[]> lossPts = new ArrayList<>(), rewardPts = new ArrayList<>();
            List<Map<String, Object>> metrics = new ArrayList<>();
            int stepOffset = 0;
            try (CausalLM policy = CausalLM.load(sftDir)) {
                for (int r = 1; r <= c.rounds(); r++) {
                    long sampleSeed = plan.sampling(oi, r), trainSeed = plan.training(oi, r);
                    seeds.put(obj + " round " + r + " (prompt choice, sampling)", sampleSeed);
                    seeds.put(obj + " round " + r + " (data order)", trainSeed);
                    stage(obj + " round " + r + "/" + c.rounds() + ": sample " + c.samplesPerPrompt() + " responses for "
                            + Math.min(c.promptsPerRound(), trainPrompts.size()) + " prompts from the current policy");
                    List<ScoredResponses> scored = sample(task, rewardSource, policy, trainPrompts, c, maxNew, sampleSeed, console);
                    // Lists keep all k responses (no dedupe): the trainer needs one list length per batch.
                    PairBuilder pb = new PairBuilder(c.pairs(), 0.0, !lists);
                    List<PreferencePair> ps = lists ? List.of() : pairs(scored, pb, c.truncateRejected());
                    List<dev.prefer.data.pref.RankedList> ls = lists ? rankedLists(scored, pb) : List.of();
                    TrainSet set = lists ? TrainSet.lists(ls) : TrainSet.pairs(ps);
                    int n = writeRows(root.resolve(obj).resolve("round-" + r).resolve("data.jsonl"), ps, ls); // for inspection only
                    double passRate = scored.stream().flatMap(s -> s.scores().stream()).mapToDouble(d -> d).average().orElse(0);
                    out.printf(Locale.ROOT, "  mean verifier score of samples %.3f; %d %s with a score gap%n", passRate, n, lists ? "lists" : "pairs");
                    groups.add(n);
                    Map<String, Object> rl = new LinkedHashMap<>();
                    rl.put("objective", obj);
                    rl.put("round", r);
                    rl.put("mean_sample_score", passRate);
                    rl.put("groups", n);
                    roundLog.add(rl);
                    if (n == 0) {
                        out.println("  no prompt had responses of different scores; round skipped");
                        continue;
                    }
                    boolean sftRef = c.reference() == QuickstartConfig.Reference.SFT;
                    TrainConfig pc = TrainConfig.builder(TrainConfig.Task.PREFERENCE).objective(QuickstartConfig.objective(obj, c.beta()))
                            .learningRate(c.learningRate(obj)).schedule(c.prefSchedule(), prefWarmup(c)).maxSteps(c.prefSteps())
                            .batchSize(c.prefBatch()).seed(trainSeed).every(Math.max(1, c.prefSteps() / 10), 0, 0).build();
                    stage(obj + " round " + r + ": " + c.prefSteps() + " steps at lr " + c.learningRate(obj) + ", reference = "
                            + (sftRef ? "the SFT model" : "the policy that started the round"));
                    Trainer.TrainResult tr = Trainer.train(policy, sftRef ? sft : null, pc, set, null, out);
                    lossPts.addAll(points(tr.history(), "loss", stepOffset));
                    rewardPts.addAll(points(tr.history(), "rewards/margins", stepOffset));
                    for (Map<String, Object> row : tr.history()) {
                        Map<String, Object> m = new LinkedHashMap<>(row);
                        m.put("round", r);
                        m.put("step", ((Number) row.get("step")).intValue() + stepOffset);
                        metrics.add(m);
                    }
                    stepOffset += tr.steps();
                }
                Path dir = saveModel(obj, policy, metrics);
                stage("evaluate " + obj);
                return evaluateRun(obj, dir, policy, sft, groups, toCurve(obj, lossPts), toCurve(obj, rewardPts));
            }
        }

        /** 4. The compute-matched control: more SFT on the same demonstrations instead of preference rounds. */
        ObjectiveRun control(CausalLM sft) {
            QuickstartConfig.Online o = c.online();
            // matched to what ran: the rounds (rounds x steps of prefBatch rows) or the online run (steps of prompts x G rows)
            int steps = o.isOnline() ? o.steps() : c.rounds() * c.prefSteps();
            int batch = o.isOnline() ? o.promptsPerStep() * o.generations() : c.prefBatch();
            double lr = o.isOnline() ? o.learningRate() : c.prefLearningRate();
            TrainConfig.Schedule schedule = o.isOnline() ? TrainConfig.Schedule.CONSTANT : c.prefSchedule();
            int warmup = o.isOnline() ? o.steps() / 10 : prefWarmup(c);
            seeds.put(CONTROL + " (data order)", plan.control());
            stage(CONTROL + " (control): " + steps + " more SFT steps of " + batch + " rows on the same demonstrations at lr " + lr);
            TrainConfig cc = TrainConfig.builder(TrainConfig.Task.SFT).out(root.resolve(CONTROL)).learningRate(lr)
                    .schedule(schedule, warmup).maxSteps(steps).batchSize(batch).seed(plan.control())
                    .every(Math.max(1, steps / 20), 0, 0).build();
            try (CausalLM lm = CausalLM.load(sftDir)) {
                Trainer.TrainResult r = Trainer.train(lm, null, cc, TrainSet.sft(demonstrations), null, out);
                stage("evaluate " + CONTROL);
                return evaluateRun(CONTROL, r.out(), lm, sft, List.of(), toCurve(CONTROL, points(r.history(), "loss", 0)), toCurve(CONTROL, List.of()));
            }
        }

        /** Writes an objective's final model with its metrics (every round, steps numbered across rounds) and manifest. */
        Path saveModel(String obj, CausalLM policy, List<Map<String, Object>> metrics) {
            Path dir = root.resolve(obj);
            policy.save(dir);
            StringBuilder b = new StringBuilder();
            for (Map<String, Object> m : metrics) b.append(Json.line(m)).append('\n');
            AtomicFiles.writeString(dir.resolve("metrics.jsonl"), b.toString());
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("objective", obj);
            cfg.put("objective_params", new java.util.TreeMap<>(ObjectiveCatalog.parameters(QuickstartConfig.objective(obj, c.beta()))));
            cfg.put("rounds", c.rounds());
            cfg.put("steps_per_round", c.prefSteps());
            Manifest.of("quickstart-objective-model", cfg, c.seed()).withInput("base", sftDir.resolve("model.safetensors")).writeTo(dir);
            return dir;
        }

        /** Evaluates one trained model against the SFT model on the same held-out prompts and prints its line. */
        ObjectiveRun evaluateRun(String name, Path dir, CausalLM model, CausalLM sft, List<Integer> groups, EvalSummary.Curve loss,
                                 EvalSummary.Curve reward) {
            Evaluation.Scores s = ev.evaluate(name, model, sft, console);
            Bootstrap bs = new Bootstrap(2000, 0.95, plan.evaluation());
            WinRate.Result wr = WinRate.of(s.greedyScores(), sftScores.greedyScores(), 1e-9, bs);
            Estimate gGain = PairedComparison.overPrompts(s.greedyPass(), sftScores.greedyPass(), bs);
            Estimate sGain = PairedComparison.overPrompts(s.sampledRate(), sftScores.sampledRate(), bs);
            out.printf(Locale.ROOT, "  %s greedy accuracy %s (%s %s); gain %s; win rate vs %s %s%n", name, fmt(s.row().greedy()),
                    baseName(), fmt(sftScores.row().greedy()), fmtSigned(gGain), baseName(), fmt(wr.winRate()));
            if (s.slips() != null) out.printf(Locale.ROOT, "  %s%s%n", name, slipLine(s.slips()));
            return new ObjectiveRun(name, dir, s.row(), wr, gGain, sGain, groups, List.of(loss), List.of(reward), s.slips());
        }

        /** How the console names the model the objectives start from: SFT, or the user's base model. */
        String baseName() {
            return c.model() == null ? "SFT" : "base";
        }

        /** 5. Manifest, summary, report, console table. */
        Result report(List<ObjectiveRun> runs) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> cfg = c.toMap();
            cfg.put("out", root.toString());
            cfg.put("seeds", seeds);
            cfg.put("torch_threads", System.getProperty("ai.djl.pytorch.num_threads"));
            cfg.put("eval", Map.of("max_new_tokens", maxNew, "greedy", "lowest arg-max, stop at eos", "sampled", "temperature "
                    + c.temperature() + ", no top-k/top-p, stop at eos", "bootstrap", "2000 resamples, 95%, seed " + plan.evaluation()));
            cfg.put("rounds_log", roundLog);
            if (demoAccuracy != null) cfg.put("sft_demonstration_accuracy", demoAccuracy);
            Manifest manifest = Manifest.of("quickstart", cfg, c.seed());
            if (Files.isRegularFile(root.resolve("setup/manifest.json"))) manifest = manifest.withInput("setup/manifest.json", root.resolve("setup/manifest.json"));
            if (Files.isRegularFile(sftDir.resolve("model.safetensors"))) manifest = manifest.withInput(base() + "/model.safetensors", sftDir.resolve("model.safetensors"));
            if (c.prompts() != null) manifest = manifest.withInput("prompts", c.prompts());
            for (ObjectiveRun r : runs) manifest = manifest.withInput(r.objective() + "/model.safetensors", r.model().resolve("model.safetensors"));
            manifest.writeTo(root);
            Path summary = QuickstartReport.writeSummary(root.resolve("summary.json"), sftScores.row(), sftScores.slips(), runs, seconds);
            Path report = QuickstartReport.write(root.resolve("report.html"), c, sftScores.row(), sftScores.slips(), demoAccuracy, runs, sftLoss, manifest);
            List<ModelScores> rows = new ArrayList<>();
            rows.add(sftScores.row());
            for (ObjectiveRun r : runs) rows.add(r.scores());
            out.println();
            out.print(EvalSummary.consoleTable(rows));
            for (ObjectiveRun r : runs) {
                out.printf(Locale.ROOT, "win rate of %s vs %s (greedy, verifier score): %s  (W/T/L %d/%d/%d)%n", r.objective(), baseName(),
                        fmt(r.winRateVsSft().winRate()), r.winRateVsSft().wins(), r.winRateVsSft().ties(), r.winRateVsSft().losses());
                out.printf(Locale.ROOT, "accuracy gain of %s over %s (paired bootstrap over prompts): greedy %s, sampled %s%n",
                        r.objective(), baseName(), fmtSigned(r.greedyGain()), fmtSigned(r.sampledGain()));
            }
            out.printf(Locale.ROOT, "report: %s%nsummary: %s%ntook %.0f s%n", report, summary, seconds);
            return new Result(root, report, summary, sftScores.row(), runs, seconds, sftScores.slips());
        }

        void stage(String what) {
            out.printf(Locale.ROOT, "[quickstart %5.0fs] %s%n", (System.nanoTime() - t0) / 1e9, what);
        }
    }

    /** (prompt, reference) of each problem. */
    static List<String[]> prompts(List<? extends Problem> problems) {
        List<String[]> out = new ArrayList<>(problems.size());
        for (Problem p : problems) out.add(new String[] {p.prompt(), p.reference()});
        return out;
    }

    /**
     * The name of the compute-matched control run: the SFT model trained on for the preference stage's step count on
     * the same demonstrations (no verifier, no pairs). If the preference runs beat SFT and this does not, the gain
     * comes from the preferences, not from more optimization.
     */
    public static final String CONTROL = "sft-continued";

    /**
     * Linear warm-up steps of each preference round (its optimizer starts fresh): 10% of the round. Adam's first
     * update moves every weight by the full learning rate (m̂/√v̂ = ±1), noise coordinates included; measured here, one
     * such step at 5e-4 took an SFT model from 0.645 to 0.095 held-out greedy accuracy (docs/quickstart.md).
     */
    static int prefWarmup(QuickstartConfig c) {
        return c.prefSteps() / 10;
    }

    /** Longest prompt + reference + eos in the given model's tokens, over both sides: the generation budget. */
    static int longestSequence(Path model, TaskData<Problem> data) {
        int longest = 1;
        try (CausalLM lm = CausalLM.load(model)) {
            for (List<Problem> side : List.of(data.train(), data.heldOut())) {
                for (Problem p : side) {
                    longest = Math.max(longest, lm.tokenizer().encode(p.prompt(), false).length + lm.tokenizer().encode(p.reference(), false).length + 1);
                }
            }
        }
        return longest;
    }

    /**
     * k samples per prompt for this round's prompts (a seeded choice without replacement), scored by the verifier;
     * with {@code includeGreedy} the greedy response comes first.
     */
    static List<ScoredResponses> sample(VerifiableTask<Problem> task, RewardSource source, CausalLM lm, List<String[]> trainPrompts,
                                        QuickstartConfig c, int maxNew, long seed, PrintStream console) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < trainPrompts.size(); i++) idx.add(i);
        Collections.shuffle(idx, new Random(seed));
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < Math.min(c.promptsPerRound(), idx.size()); i++) prompts.add(trainPrompts.get(idx.get(i))[0]);
        List<List<String>> responses = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) responses.add(new ArrayList<>());
        long total = (long) prompts.size() * (c.samplesPerPrompt() + (c.includeGreedy() ? 1 : 0));
        try (Progress bar = Progress.of(console, "sample", total)) {
            if (c.includeGreedy()) {
                List<Generation> g = Evaluation.generate(lm, prompts, GenerationConfig.greedy(maxNew).withStopAtEos(true), bar);
                for (int i = 0; i < prompts.size(); i++) responses.get(i).add(g.get(i).text());
            }
            for (int j = 0; j < c.samplesPerPrompt(); j++) {
                List<Generation> g = Evaluation.generate(lm, prompts, GenerationConfig.sample(maxNew, c.temperature(), 0, 1.0, seed * 31 + j), bar);
                for (int i = 0; i < prompts.size(); i++) responses.get(i).add(g.get(i).text());
            }
        }
        if (source != null) { // any reward source: verifier, reward model, pairwise win rates, LLM judge, weighted sums
            List<Group> groups = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) groups.add(new Group(prompts.get(i), responses.get(i), Map.of()));
            return ScoredGroups.of(source, groups);
        }
        List<ScoredResponses> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) out.add(ScoredResponses.verify(task, task.parse(prompts.get(i)), responses.get(i)));
        return out;
    }

    static List<dev.prefer.data.pref.RankedList> rankedLists(List<ScoredResponses> scored, PairBuilder pb) {
        List<dev.prefer.data.pref.RankedList> out = new ArrayList<>();
        for (ScoredResponses s : scored) {
            pb.rankedList(s).ifPresent(out::add);
        }
        return out;
    }

    static List<PreferencePair> pairs(List<ScoredResponses> scored, PairBuilder pb, boolean truncateRejected) {
        List<PreferencePair> out = new ArrayList<>();
        for (ScoredResponses s : scored) {
            for (PreferencePair p : pb.pairs(s)) {
                String rejected = truncateRejected ? untilDivergence(p.chosen(), p.rejected()) : p.rejected();
                out.add(new PreferencePair(p.prompt(), p.chosen(), rejected, p.margin(), 1.0, null, Map.of(), dev.prefer.data.Source.MEMORY));
            }
        }
        return out;
    }

    /** Best-vs-worst pairs, or ranked lists for listwise objectives, as JSONL rows in {@code file}; returns how many groups were written. */
    static int writeTrainingData(List<ScoredResponses> scored, boolean lists, PairBuilder pb, boolean truncateRejected, Path file) {
        return writeRows(file, lists ? List.of() : pairs(scored, pb, truncateRejected), lists ? rankedLists(scored, pb) : List.of());
    }

    /** Pairs and lists as the JSONL rows `prefer train` reads; returns how many rows were written. */
    static int writeRows(Path file, List<PreferencePair> pairs, List<dev.prefer.data.pref.RankedList> lists) {
        StringBuilder b = new StringBuilder();
        for (dev.prefer.data.pref.RankedList l : lists) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", l.prompt());
            row.put("responses", l.responses());
            row.put("scores", l.scores());
            b.append(Json.line(row)).append('\n');
        }
        for (PreferencePair p : pairs) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", p.prompt());
            row.put("chosen", p.chosen());
            row.put("rejected", p.rejected());
            row.put("margin", p.margin());
            b.append(Json.line(row)).append('\n');
        }
        AtomicFiles.writeString(file, b.toString());
        return pairs.size() + lists.size();
    }

    /**
     * The rejected response up to and including its first character that differs from the chosen one (all of it when
     * it ends first or where the chosen one ends): "75" against "85" becomes "7", "1155" against "115" stays "1155".
     */
    static String untilDivergence(String chosen, String rejected) {
        int i = 0;
        while (i < chosen.length() && i < rejected.length() && chosen.charAt(i) == rejected.charAt(i)) i++;
        return rejected.substring(0, Math.min(rejected.length(), i + 1));
    }

    /** (step + offset, value) of one metric over a trainer's metrics rows; rows without it are skipped. */
    static List<double[]> points(List<Map<String, Object>> history, String key, int offset) {
        List<double[]> out = new ArrayList<>();
        for (Map<String, Object> row : history) {
            if (row.get(key) instanceof Number v && row.get("step") instanceof Number s) out.add(new double[] {s.doubleValue() + offset, v.doubleValue()});
        }
        return out;
    }

    static EvalSummary.Curve toCurve(String name, List<double[]> pts) {
        double[] x = new double[pts.size()], y = new double[pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            x[i] = pts.get(i)[0];
            y[i] = pts.get(i)[1];
        }
        return new EvalSummary.Curve(name, x, y);
    }

    /** The console's "where the demonstrator's mistake applies" clause of an evaluation line; empty without slips. */
    static String slipLine(SlipStats s) {
        if (s == null) return "";
        return String.format(Locale.ROOT, "; where the demonstrator's mistake applies (%d prompts): greedy accuracy %.3f, greedy answer = the mistake %.3f; elsewhere (%d): %s",
                s.slippable(), s.accuracySlippable(), s.slipShare(), s.others(), s.accuracyOthers() == null ? "-" : String.format(Locale.ROOT, "%.3f", s.accuracyOthers()));
    }

    static String fmtSigned(Estimate e) {
        return e == null ? "-" : String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]", e.value(), e.lower(), e.upper());
    }

    static String fmt(Estimate e) {
        return e == null ? "-" : String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", e.value(), e.lower(), e.upper());
    }

}
