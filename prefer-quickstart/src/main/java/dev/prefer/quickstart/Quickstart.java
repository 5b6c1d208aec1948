package dev.prefer.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Json;
import dev.prefer.data.Jsonl;
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
import dev.prefer.train.TrainConfig;
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
        long t0 = System.nanoTime();
        // One intra-op thread unless the caller chose: for this tiny model it is as fast on 2 cores, and multi-threaded
        // float reductions made repeated SFT runs of the same seed drift apart after ~800 steps (measured).
        if (System.getProperty("prefer.threads") == null && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("prefer.threads", "1");
        }
        PrintStream out = console == null ? new PrintStream(PrintStream.nullOutputStream()) : console;
        Path root = c.out();
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
        @SuppressWarnings("unchecked")
        VerifiableTask<Problem> task = (VerifiableTask<Problem>) Tasks.byName(c.task());
        Map<String, Object> seeds = new LinkedHashMap<>();
        Path cache = root.resolve("ref-cache");

        // 1. Data (drawn, or the user's prompts), tokenizer and a fresh model (unless the user brings one).
        TaskData<Problem> all = c.prompts() == null
                ? TaskData.generate(task, new TaskData.Config(c.trainCount() + c.prefPromptCount(), c.heldOutCount(), c.seed()))
                : TaskData.fromPrompts(task, c.prompts(), c.trainCount() + c.prefPromptCount(), c.heldOutCount(), 0.2);
        // SFT gets the first trainCount training problems; the preference rounds the rest (when reserved), or the same.
        int nSft = Math.min(c.trainCount(), all.train().size());
        TaskData<Problem> data = new TaskData<>(task, all.train().subList(0, nSft), all.heldOut());
        List<Problem> prefPool = c.prefPromptCount() > 0 ? all.train().subList(nSft, all.train().size()) : data.train();
        if (prefPool.isEmpty()) throw new IllegalArgumentException("no training prompts are left for the preference rounds after " + nSft + " SFT problems");
        String dataWhat = c.prompts() == null ? "drawn" : "from " + c.prompts();
        seeds.put("setup (data draw, held-out pairs, tokenizer, initial weights)", c.seed());
        Path dataDir;
        int maxNew;
        Path sftDir;
        EvalSummary.Curve sftLoss;
        Double demoAccuracy = null;
        if (c.model() == null) {
            stage(out, t0, "setup: task data (" + dataWhat + "), tokenizer and a fresh Llama model (" + c.task() + ", seed " + c.seed() + ")");
            RunSetup.Config sc = new RunSetup.Config(c.task(), c.trainCount(), c.heldOutCount(), 2, c.vocabSize(), c.hiddenSize(), 2 * c.hiddenSize(),
                    c.layers(), 4, 2, 64, c.seed());
            long demoSeed = c.seed() + 3;
            seeds.put("demonstrator (which SFT problems slip)", demoSeed);
            RunSetup.Result setup = RunSetup.prepare(task, data, new Demonstrator(c.demoSlipRate(), demoSeed), sc, root.resolve("setup"));
            Demonstrator.Demonstrations demos = setup.demonstrations();
            out.printf(Locale.ROOT, "  %d training / %d held-out problems, %d held-out pairs, vocabulary %d, %,d parameters%n",
                    setup.trainCount(), setup.heldOutCount(), setup.heldOutPairs(), setup.tokenizerVocab(), setup.parameters());
            out.printf(Locale.ROOT, "  SFT demonstrations: %.1f%% correct (the demonstrator slips on %d of the %d problems where its mistake applies)%n",
                    100 * demos.accuracy(), demos.slipped(), demos.slippable());
            demoAccuracy = demos.accuracy();
            dataDir = setup.dataDir();
            maxNew = setup.longestSequence();

            // 2. SFT.
            stage(out, t0, "SFT: " + c.sftSteps() + " steps of " + c.sftBatch() + " rows");
            long sftSeed = c.seed() + 1;
            seeds.put("sft (data order)", sftSeed);
            TrainConfig sftCfg = TrainConfig.defaults(TrainConfig.Task.SFT, setup.modelDir(), dataDir.resolve("sft.jsonl"), root.resolve("sft"))
                    .withLearningRate(c.sftLearningRate()).withSchedule(TrainConfig.Schedule.COSINE, Math.min(20, c.sftSteps() / 10))
                    .withSteps(c.sftSteps(), 1).withBatch(c.sftBatch(), 1).withSeed(sftSeed).withCacheDir(cache)
                    .withEvery(Math.max(1, c.sftSteps() / 20), 0, 0);
            Trainer.TrainResult sftRun = Trainer.run(sftCfg, out);
            sftDir = sftRun.out();
            sftLoss = curve(sftDir.resolve("metrics.jsonl"), "loss", "sft", 0);
        } else {
            stage(out, t0, "setup: task data (" + dataWhat + ") for the given model " + c.model() + "; no SFT (" + c.task() + ", seed " + c.seed() + ")");
            dataDir = root.resolve("setup/data");
            int nPairs = RunSetup.writeData(task, data, 2, c.seed(), dataDir);
            out.printf(Locale.ROOT, "  %d training / %d held-out problems, %d held-out pairs%n", data.train().size(), data.heldOut().size(), nPairs);
            sftDir = c.model();
            maxNew = longestSequence(c.model(), data);
            sftLoss = toCurve("sft", List.of());
        }
        List<String[]> heldOut = readPrompts(dataDir.resolve("heldout.jsonl"));
        TaskData.writePrompts(dataDir.resolve("pref-prompts.jsonl"), task.name(), prefPool);
        List<String[]> trainPrompts = readPrompts(dataDir.resolve("pref-prompts.jsonl"));
        out.printf(Locale.ROOT, "  preference rounds sample %d training prompts (%s)%n", trainPrompts.size(),
                c.prefPromptCount() > 0 ? "reserved, never shown to SFT" : "the SFT problems' prompts");
        List<PreferencePair> heldPairs = readPairs(dataDir.resolve("heldout-pairs.jsonl"));
        String base = c.model() == null ? "sft" : "base";

        // 3. Evaluate SFT.
        long evalSeed = c.seed() + 2;
        seeds.put("evaluation sampling", evalSeed);
        Evaluation ev = new Evaluation(task, heldOut, heldPairs, maxNew, c.temperature(), c.evalSamples(), evalSeed, c.beta());
        stage(out, t0, "evaluate SFT on " + heldOut.size() + " held-out prompts");
        Evaluation.Scores sftScores = ev.evaluate(base, sftDir, null, console);
        out.printf(Locale.ROOT, "  SFT greedy accuracy %s%s%n", fmt(sftScores.row().greedy()), slipLine(sftScores.slips()));

        // 4. On-policy rounds per objective.
        List<ObjectiveRun> runs = new ArrayList<>();
        List<Map<String, Object>> roundLog = new ArrayList<>();
        for (int oi = 0; oi < c.objectives().size(); oi++) {
            String obj = c.objectives().get(oi);
            boolean lists = QuickstartConfig.listwise(obj);
            Path policy = sftDir;
            List<Integer> groups = new ArrayList<>();
            List<double[]> lossPts = new ArrayList<>(), rewardPts = new ArrayList<>();
            int stepOffset = 0;
            for (int r = 1; r <= c.rounds(); r++) {
                long sampleSeed = c.seed() * 1_000_003L + 1000L * (oi + 1) + r;
                long trainSeed = c.seed() + 100L * (oi + 1) + r;
                seeds.put(obj + " round " + r + " (prompt choice, sampling)", sampleSeed);
                seeds.put(obj + " round " + r + " (data order)", trainSeed);
                stage(out, t0, obj + " round " + r + "/" + c.rounds() + ": sample " + c.samplesPerPrompt() + " responses for "
                        + Math.min(c.promptsPerRound(), trainPrompts.size()) + " prompts from the current policy");
                Path roundDir = root.resolve(obj).resolve("round-" + r);
                List<ScoredResponses> scored = sample(task, policy, trainPrompts, c, maxNew, sampleSeed, console);
                Path dataFile = roundDir.resolve("data.jsonl");
                // Lists keep all k responses (no dedupe): the trainer needs one list length per batch.
                int n = writeTrainingData(scored, lists, new PairBuilder(c.pairs(), 0.0, !lists), c.truncateRejected(), dataFile);
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
                Path ref = c.reference() == QuickstartConfig.Reference.SFT ? sftDir : policy;
                TrainConfig pc = TrainConfig.defaults(TrainConfig.Task.PREFERENCE, policy, dataFile, roundDir.resolve("model"))
                        .withRef(ref).withObjective(obj, QuickstartConfig.params(obj, c.beta()))
                        .withLearningRate(c.learningRate(obj)).withSchedule(c.prefSchedule(), prefWarmup(c))
                        .withSteps(c.prefSteps(), 1).withBatch(c.prefBatch(), 1).withSeed(trainSeed).withCacheDir(cache)
                        .withEvery(Math.max(1, c.prefSteps() / 10), 0, 0);
                stage(out, t0, obj + " round " + r + ": " + c.prefSteps() + " steps at lr " + c.learningRate(obj) + ", reference = "
                        + (ref.equals(sftDir) ? "the SFT model" : "the policy that started the round"));
                Trainer.TrainResult tr = Trainer.run(pc, out);
                policy = tr.out();
                for (double[] p : points(policy.resolve("metrics.jsonl"), "loss")) lossPts.add(new double[] {p[0] + stepOffset, p[1]});
                for (double[] p : points(policy.resolve("metrics.jsonl"), "rewards/margins")) rewardPts.add(new double[] {p[0] + stepOffset, p[1]});
                stepOffset += tr.steps();
            }
            stage(out, t0, "evaluate " + obj);
            runs.add(evaluateRun(obj, policy, sftDir, ev, sftScores, evalSeed, groups, toCurve(obj, lossPts), toCurve(obj, rewardPts), console, out));
        }

        // 4b. The compute-matched control: more SFT on the same demonstrations instead of preference rounds.
        if (c.sftControl() && c.model() == null) {
            int steps = c.rounds() * c.prefSteps();
            long controlSeed = c.seed() + 7;
            seeds.put(CONTROL + " (data order)", controlSeed);
            stage(out, t0, CONTROL + " (control): " + steps + " more SFT steps of " + c.prefBatch() + " rows on the same demonstrations at lr "
                    + c.prefLearningRate());
            TrainConfig cc = TrainConfig.defaults(TrainConfig.Task.SFT, sftDir, dataDir.resolve("sft.jsonl"), root.resolve(CONTROL))
                    .withLearningRate(c.prefLearningRate()).withSchedule(c.prefSchedule(), prefWarmup(c))
                    .withSteps(steps, 1).withBatch(c.prefBatch(), 1).withSeed(controlSeed).withCacheDir(cache)
                    .withEvery(Math.max(1, steps / 20), 0, 0);
            Path model = Trainer.run(cc, out).out();
            stage(out, t0, "evaluate " + CONTROL);
            runs.add(evaluateRun(CONTROL, model, sftDir, ev, sftScores, evalSeed, List.of(), curve(model.resolve("metrics.jsonl"), "loss", CONTROL, 0),
                    toCurve(CONTROL, List.of()), console, out));
        }

        // 5. Manifest, summary, report, console table.
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> cfg = c.toMap();
        cfg.put("out", root.toString());
        cfg.put("seeds", seeds);
        cfg.put("torch_threads", System.getProperty("ai.djl.pytorch.num_threads"));
        cfg.put("eval", Map.of("max_new_tokens", maxNew, "greedy", "lowest arg-max, stop at eos", "sampled", "temperature "
                + c.temperature() + ", no top-k/top-p, stop at eos", "bootstrap", "2000 resamples, 95%, seed " + evalSeed));
        cfg.put("rounds_log", roundLog);
        if (demoAccuracy != null) cfg.put("sft_demonstration_accuracy", demoAccuracy);
        Manifest manifest = Manifest.of("quickstart", cfg, c.seed());
        if (Files.isRegularFile(root.resolve("setup/manifest.json"))) manifest = manifest.withInput("setup/manifest.json", root.resolve("setup/manifest.json"));
        if (Files.isRegularFile(sftDir.resolve("model.safetensors"))) manifest = manifest.withInput(base + "/model.safetensors", sftDir.resolve("model.safetensors"));
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
            out.printf(Locale.ROOT, "win rate of %s vs SFT (greedy, verifier score): %s  (W/T/L %d/%d/%d)%n",
                    r.objective(), fmt(r.winRateVsSft().winRate()), r.winRateVsSft().wins(), r.winRateVsSft().ties(), r.winRateVsSft().losses());
            out.printf(Locale.ROOT, "accuracy gain of %s over SFT (paired bootstrap over prompts): greedy %s, sampled %s%n",
                    r.objective(), fmtSigned(r.greedyGain()), fmtSigned(r.sampledGain()));
        }
        out.printf(Locale.ROOT, "report: %s%nsummary: %s%ntook %.0f s%n", report, summary, seconds);
        return new Result(root, report, summary, sftScores.row(), runs, seconds, sftScores.slips());
    }

    /** Evaluates one trained model against the SFT model on the same held-out prompts and prints its line. */
    private static ObjectiveRun evaluateRun(String name, Path model, Path sftDir, Evaluation ev, Evaluation.Scores sftScores, long evalSeed,
                                            List<Integer> groups, EvalSummary.Curve loss, EvalSummary.Curve reward,
                                            PrintStream console, PrintStream out) {
        Evaluation.Scores s = ev.evaluate(name, model, sftDir, console);
        Bootstrap bs = new Bootstrap(2000, 0.95, evalSeed);
        WinRate.Result wr = WinRate.of(s.greedyScores(), sftScores.greedyScores(), 1e-9, bs);
        Estimate gGain = PairedComparison.overPrompts(s.greedyPass(), sftScores.greedyPass(), bs);
        Estimate sGain = PairedComparison.overPrompts(s.sampledRate(), sftScores.sampledRate(), bs);
        out.printf(Locale.ROOT, "  %s greedy accuracy %s (SFT %s); gain %s; win rate vs SFT %s%n", name, fmt(s.row().greedy()),
                fmt(sftScores.row().greedy()), fmtSigned(gGain), fmt(wr.winRate()));
        if (s.slips() != null) out.printf(Locale.ROOT, "  %s%s%n", name, slipLine(s.slips()));
        return new ObjectiveRun(name, model, s.row(), wr, gGain, sGain, groups, List.of(loss), List.of(reward), s.slips());
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
    static List<ScoredResponses> sample(VerifiableTask<Problem> task, Path policy, List<String[]> trainPrompts, QuickstartConfig c,
                                        int maxNew, long seed, PrintStream console) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < trainPrompts.size(); i++) idx.add(i);
        Collections.shuffle(idx, new Random(seed));
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < Math.min(c.promptsPerRound(), idx.size()); i++) prompts.add(trainPrompts.get(idx.get(i))[0]);
        List<List<String>> responses = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) responses.add(new ArrayList<>());
        long total = (long) prompts.size() * (c.samplesPerPrompt() + (c.includeGreedy() ? 1 : 0));
        try (CausalLM lm = CausalLM.load(policy); Progress bar = Progress.of(console, "sample", total)) {
            if (c.includeGreedy()) {
                List<Generation> g = Evaluation.generate(lm, prompts, GenerationConfig.greedy(maxNew).withStopAtEos(true), bar);
                for (int i = 0; i < prompts.size(); i++) responses.get(i).add(g.get(i).text());
            }
            for (int j = 0; j < c.samplesPerPrompt(); j++) {
                List<Generation> g = Evaluation.generate(lm, prompts, GenerationConfig.sample(maxNew, c.temperature(), 0, 1.0, seed * 31 + j), bar);
                for (int i = 0; i < prompts.size(); i++) responses.get(i).add(g.get(i).text());
            }
        }
        List<ScoredResponses> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) out.add(ScoredResponses.verify(task, task.parse(prompts.get(i)), responses.get(i)));
        return out;
    }

    /** Best-vs-worst pairs, or ranked lists for listwise objectives; returns how many groups were written. */
    static int writeTrainingData(List<ScoredResponses> scored, boolean lists, PairBuilder pb, boolean truncateRejected, Path file) {
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (ScoredResponses s : scored) {
            if (lists) {
                var rl = pb.rankedList(s);
                if (rl.isEmpty()) continue;
                RankedList l = rl.get();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("prompt", l.prompt());
                row.put("responses", l.responses());
                row.put("scores", l.scores());
                b.append(Json.line(row)).append('\n');
                n++;
            } else {
                for (PreferencePair p : pb.pairs(s)) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("prompt", p.prompt());
                    row.put("chosen", p.chosen());
                    row.put("rejected", truncateRejected ? untilDivergence(p.chosen(), p.rejected()) : p.rejected());
                    row.put("margin", p.margin());
                    b.append(Json.line(row)).append('\n');
                    n++;
                }
            }
        }
        AtomicFiles.writeString(file, b.toString());
        return n;
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

    static List<String[]> readPrompts(Path file) {
        List<String[]> out = new ArrayList<>();
        Jsonl.read(file, false, (line, row) -> out.add(new String[] {Jsonl.requireString(file, line, row, "prompt"),
                Jsonl.requireString(file, line, row, "reference")}));
        return out;
    }

    static List<PreferencePair> readPairs(Path file) {
        List<PreferencePair> out = new ArrayList<>();
        Jsonl.read(file, false, (line, row) -> out.add(PreferencePair.of(Jsonl.requireString(file, line, row, "prompt"),
                Jsonl.requireString(file, line, row, "chosen"), Jsonl.requireString(file, line, row, "rejected"))));
        return out;
    }

    /** (step, value) of one metric from a trainer's metrics.jsonl; lines without it are skipped. */
    static List<double[]> points(Path metrics, String key) {
        List<double[]> out = new ArrayList<>();
        Jsonl.read(metrics, false, (line, row) -> {
            JsonNode v = row.get(key), s = row.get("step");
            if (v != null && v.isNumber() && s != null && s.isNumber()) out.add(new double[] {s.asDouble(), v.asDouble()});
        });
        return out;
    }

    static EvalSummary.Curve curve(Path metrics, String key, String name, int offset) {
        List<double[]> p = points(metrics, key);
        for (double[] d : p) d[0] += offset;
        return toCurve(name, p);
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

    private static void stage(PrintStream out, long t0, String what) {
        out.printf(Locale.ROOT, "[quickstart %5.0fs] %s%n", (System.nanoTime() - t0) / 1e9, what);
    }
}
