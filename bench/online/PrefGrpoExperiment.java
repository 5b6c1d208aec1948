// The pairwise-judge experiment of issue #14 (docs/results/online.md, "Pref-GRPO with a learned preference model"):
// from each seed's quickstart SFT model,
//   1. sample completions of the seed's training prompts, label them with the arithmetic verifier (correct vs incorrect)
//      and train a preference model on those pairs: the SFT model with a new score head (ScoreHeadInit), Bradley-Terry
//      loss, prefer-train's reward trainer (LmRewardTraining); its held-out pairwise accuracy on pairs sampled the same
//      way from the 200 held-out prompts;
//   2. Pref-GRPO from the SFT model with that model as the only reward (`pairwise:DIR`: each completion's win rate
//      against the other G-1 completions of its group, Wang et al. 2025 arXiv 2508.20751), GRPO's dapo loss and the
//      budget of the GRPO rows (200 steps x 16 prompts x G = 8, lr 5e-5); the verifier is not called during RL;
//   3. held-out greedy verifier accuracy against SFT, 95% paired percentile bootstrap over the 200 held-out prompts.
//
// A single-file Java program over the CLI's jar (bench/online/pref_grpo.sh builds and runs it):
//   java -cp prefer-cli/target/prefer-cli.jar bench/online/PrefGrpoExperiment.java QS_DIR OUT_DIR SEEDS STEPS [STAGES]
// STAGES: rm,pref-grpo (default both; pref-grpo reuses OUT/seed-S/rm). Knobs (-Dname=value): rm.prompts (5500),
// rm.val (500), rm.k (8 per temperature), rm.temps (1.0), rm.pairs (4 per prompt), rm.lr (1e-4), rm.steps (1000),
// rm.batch (32), lr (5e-5), prompts (16), g (8), beta (0).
import dev.prefer.core.stats.Bootstrap;
import dev.prefer.core.stats.Estimate;
import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Json;
import dev.prefer.eval.tasks.ArithmeticTask;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Completion;
import dev.prefer.lm.Generation;
import dev.prefer.lm.GenerationConfig;
import dev.prefer.lm.GenerationRequest;
import dev.prefer.lm.PromptResponse;
import dev.prefer.objectives.online.GrpoLoss;
import dev.prefer.reward.LmRewardModel;
import dev.prefer.reward.LmRewardTraining;
import dev.prefer.reward.ScoreHeadInit;
import dev.prefer.reward.source.RewardSource;
import dev.prefer.reward.source.RewardSources;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.Trainer;
import dev.prefer.train.online.OnlineConfig;
import dev.prefer.train.online.OnlinePrompt;
import dev.prefer.train.online.OnlineTrainer;
import dev.prefer.train.online.RewardFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

public class PrefGrpoExperiment {
    static final ArithmeticTask TASK = ArithmeticTask.defaults();
    static final int MAX_NEW = 8;

    public static void main(String[] args) throws Exception {
        Path qs = Path.of(args[0]), out = Path.of(args[1]);
        List<Long> seeds = java.util.Arrays.stream(args[2].split(",")).map(Long::parseLong).toList();
        int steps = Integer.parseInt(args[3]);
        List<String> stages = args.length > 4 ? List.of(args[4].split(",")) : List.of("rm", "pref-grpo");
        Files.createDirectories(out);
        for (long seed : seeds) {
            Path s = qs.resolve("seed-" + seed), o = out.resolve("seed-" + seed);
            Path resultsFile = out.resolve("results-seed-" + seed + ".json");
            @SuppressWarnings("unchecked")
            Map<String, Object> row = Files.exists(resultsFile) ? Json.MAPPER.readValue(resultsFile.toFile(), LinkedHashMap.class) : new LinkedHashMap<>();
            List<String> train = prompts(s.resolve("setup/data/train-prompts.jsonl"));
            List<String> held = prompts(s.resolve("setup/data/heldout.jsonl"));
            Path rmDir = o.resolve("rm");
            if (stages.contains("rm")) row.put("rm", rewardModel(s, o, seed, train, held));
            if (stages.contains("pref-grpo")) {
                double[] sft = greedyPass(s.resolve("sft"), held);
                row.put("sft", mean(sft));
                long t0 = System.nanoTime();
                Path runOut = o.resolve("pref-grpo");
                double lr = Double.parseDouble(System.getProperty("lr", "5e-5"));
                double beta = Double.parseDouble(System.getProperty("beta", "0"));
                try (RewardSource judge = RewardSources.open("pairwise:" + rmDir, RewardSources.Options.defaults());
                     CausalLM policy = CausalLM.load(s.resolve("sft"));
                     CausalLM ref = beta > 0 ? CausalLM.load(s.resolve("sft")) : null) {
                    // the only reward: win rates under the learned preference model (no verifier, no reference answers)
                    RewardFunction winRate = new RewardFunction() {
                        @Override public String name() { return "pairwise_rm"; }

                        @Override
                        public double[] score(String prompt, List<String> completions, Map<String, Object> fields) {
                            return judge.score(prompt, completions, Map.of());
                        }
                    };
                    TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).learningRate(lr).schedule(TrainConfig.Schedule.CONSTANT, steps / 10)
                            .maxSteps(steps).batchSize(Integer.getInteger("prompts", 16)).seed(seed).every(Math.max(1, steps / 20), 0, 0).out(runOut).build();
                    OnlineConfig oc = OnlineConfig.builder(OnlineConfig.Method.GRPO).numGenerations(Integer.getInteger("g", 8)).maxCompletionLength(MAX_NEW)
                            .lossType(GrpoLoss.Aggregation.DAPO).epsilon(0.2, 0.28).beta(beta).build();
                    List<OnlinePrompt> rl = new ArrayList<>();
                    for (String p : train) rl.add(OnlinePrompt.of(p));
                    Trainer.TrainResult r = OnlineTrainer.train(policy, ref, c, oc, rl, List.of(), List.of(winRate), System.out);
                    Map<String, Object> d = describe(greedyPass(runOut, held), sft, new Bootstrap(2000, 0.95, seed));
                    d.put("train_seconds", (System.nanoTime() - t0) / 1e9);
                    d.put("last_reward", r.lastMetrics().get("reward"));
                    d.put("learning_rate", lr);
                    d.put("beta", beta);
                    row.put("pref-grpo", d);
                }
            }
            System.out.println("seed " + seed + ": " + Json.line(row));
            AtomicFiles.writeString(resultsFile, Json.pretty(row) + "\n");
        }
    }

    /** Stage 1: verifier-labelled pairs from the SFT model's samples, a score head on the SFT model, BT training, held-out accuracy. */
    static Map<String, Object> rewardModel(Path s, Path o, long seed, List<String> train, List<String> held) throws Exception {
        long t0 = System.nanoTime();
        int nPrompts = Integer.getInteger("rm.prompts", 5500), nVal = Integer.getInteger("rm.val", 500), k = Integer.getInteger("rm.k", 8);
        int perPrompt = Integer.getInteger("rm.pairs", 4);
        List<Double> temps = java.util.Arrays.stream(System.getProperty("rm.temps", "1.0").split(",")).map(Double::parseDouble).toList();
        // the seed's training prompts, shuffled: the first nPrompts give training pairs, the next nVal validation pairs
        // (the trainer's eval/accuracy, used to choose the RM's settings); the 200 held-out prompts are only reported
        List<String> pool = new ArrayList<>(train);
        Collections.shuffle(pool, new Random(seed * 7919 + 1));
        List<String> rmPrompts = pool.subList(0, Math.min(nPrompts, pool.size()));
        List<String> valPrompts = pool.subList(rmPrompts.size(), Math.min(pool.size(), rmPrompts.size() + nVal));
        List<List<String>> trainSamples = new ArrayList<>(), valSamples = new ArrayList<>(), heldSamples = new ArrayList<>();
        for (int i = 0; i < rmPrompts.size(); i++) trainSamples.add(new ArrayList<>());
        for (int i = 0; i < valPrompts.size(); i++) valSamples.add(new ArrayList<>());
        for (int i = 0; i < held.size(); i++) heldSamples.add(new ArrayList<>());
        try (CausalLM sft = CausalLM.load(s.resolve("sft"))) {
            for (int t = 0; t < temps.size(); t++) {
                addAll(trainSamples, sample(sft, rmPrompts, k, temps.get(t), seed * 31 + 5 + 100L * t));
                addAll(valSamples, sample(sft, valPrompts, k, temps.get(t), seed * 31 + 7 + 100L * t));
                addAll(heldSamples, sample(sft, held, k, temps.get(t), seed * 31 + 6 + 100L * t));
            }
        }
        Random rnd = new Random(seed * 131 + 3);
        List<String[]> trainPairs = pairs(rmPrompts, trainSamples, perPrompt, rnd);
        List<String[]> valPairs = pairs(valPrompts, valSamples, Integer.MAX_VALUE, rnd);
        List<String[]> heldPairs = pairs(held, heldSamples, Integer.MAX_VALUE, rnd); // every distinct (correct, incorrect) pair
        Path data = o.resolve("rm-data");
        writePairs(data.resolve("train-pairs.jsonl"), trainPairs);
        writePairs(data.resolve("val-pairs.jsonl"), valPairs);
        writePairs(data.resolve("heldout-pairs.jsonl"), heldPairs);
        Path init = ScoreHeadInit.fromCausalLm(s.resolve("sft"), o.resolve("rm-init"), seed);
        int rmSteps = Integer.getInteger("rm.steps", 1000);
        TrainConfig c = TrainConfig.builder(TrainConfig.Task.REWARD).model(init).data(data.resolve("train-pairs.jsonl"))
                .eval(data.resolve("val-pairs.jsonl"), 0).learningRate(Double.parseDouble(System.getProperty("rm.lr", "1e-4")))
                .schedule(TrainConfig.Schedule.COSINE, rmSteps / 20).maxSteps(rmSteps).batchSize(Integer.getInteger("rm.batch", 32)).seed(seed)
                .every(Math.max(1, rmSteps / 10), 0, rmSteps / 4).out(o.resolve("rm")).build();
        Trainer.TrainResult r = LmRewardTraining.train(c, System.out);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("train_prompts", rmPrompts.size());
        d.put("samples_per_prompt", k);
        d.put("train_pairs", trainPairs.size());
        d.put("val_pairs", valPairs.size());
        d.put("heldout_pairs", heldPairs.size());
        d.put("temperatures", temps);
        d.put("sft_sampled_accuracy_train", sampledAccuracy(rmPrompts, trainSamples));
        d.put("sft_sampled_accuracy_heldout", sampledAccuracy(held, heldSamples));
        d.put("steps", rmSteps);
        d.put("learning_rate", c.optimizer().learningRate());
        try (LmRewardModel rm = LmRewardModel.load(o.resolve("rm"))) {
            d.put("val_pair_accuracy", pairAccuracy(rm, valPairs));
            d.put("heldout_pair_accuracy", pairAccuracy(rm, heldPairs));
            d.put("train_pair_accuracy", pairAccuracy(rm, trainPairs.subList(0, Math.min(2000, trainPairs.size()))));
            // the quickstart's fixed held-out pairs: the reference answer against the demonstrator's kinds of mistake
            List<String[]> fixed = new ArrayList<>();
            for (String l : Files.readAllLines(s.resolve("setup/data/heldout-pairs.jsonl"))) {
                if (l.isBlank()) continue;
                var n = Json.MAPPER.readTree(l);
                fixed.add(new String[] {n.get("prompt").asText(), n.get("chosen").asText(), n.get("rejected").asText()});
            }
            d.put("quickstart_heldout_pair_accuracy", pairAccuracy(rm, fixed));
            // best-of-k on the held-out samples: how often the model's top completion of a prompt is correct
            double best = 0, oracle = 0;
            for (int i = 0; i < held.size(); i++) {
                List<PromptResponse> texts = new ArrayList<>();
                for (String c2 : heldSamples.get(i)) texts.add(new PromptResponse(held.get(i), c2));
                double[] rw = rm.rewards(texts);
                int arg = 0;
                boolean any = false;
                for (int j = 0; j < rw.length; j++) {
                    if (rw[j] > rw[arg]) arg = j;
                    any |= TASK.verify(held.get(i), heldSamples.get(i).get(j)).pass();
                }
                best += TASK.verify(held.get(i), heldSamples.get(i).get(arg)).pass() ? 1 : 0;
                oracle += any ? 1 : 0;
            }
            d.put("heldout_best_of_k_accuracy", best / held.size());
            d.put("heldout_oracle_best_of_k_accuracy", oracle / held.size());
        }
        d.put("seconds", (System.nanoTime() - t0) / 1e9);
        System.out.println("rm seed " + seed + ": " + Json.line(d));
        return d;
    }

    static void addAll(List<List<String>> into, List<List<String>> more) {
        for (int i = 0; i < into.size(); i++) into.get(i).addAll(more.get(i));
    }

    /** k samples per prompt (stop at eos), batched. */
    static List<List<String>> sample(CausalLM lm, List<String> prompts, int k, double temperature, long seed) {
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) reqs.add(new GenerationRequest(lm.encodePrompt(prompts.get(i)), seed * 1_000_003L + i));
        List<List<String>> out = new ArrayList<>();
        for (List<Completion> cs : lm.complete(reqs, GenerationConfig.sample(MAX_NEW, temperature, 0, 1.0, seed).withSamples(k))) {
            List<String> texts = new ArrayList<>();
            for (Completion c : cs) texts.add(c.text());
            out.add(texts);
        }
        return out;
    }

    /** Up to {@code max} (prompt, correct, incorrect) pairs per prompt among its distinct completions, drawn at random. */
    static List<String[]> pairs(List<String> prompts, List<List<String>> samples, int max, Random rnd) {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            List<String> good = new ArrayList<>(), bad = new ArrayList<>();
            for (String c : new LinkedHashSet<>(samples.get(i))) (TASK.verify(prompts.get(i), c).pass() ? good : bad).add(c);
            List<String[]> all = new ArrayList<>();
            for (String g : good) for (String b : bad) all.add(new String[] {prompts.get(i), g, b});
            Collections.shuffle(all, rnd);
            out.addAll(all.subList(0, Math.min(max, all.size())));
        }
        return out;
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

    /** Share of pairs with r(chosen) > r(rejected) (ties 1/2). */
    static double pairAccuracy(LmRewardModel rm, List<String[]> pairs) {
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

    static double sampledAccuracy(List<String> prompts, List<List<String>> samples) {
        double n = 0, ok = 0;
        for (int i = 0; i < prompts.size(); i++) {
            for (String c : samples.get(i)) {
                n++;
                ok += TASK.verify(prompts.get(i), c).pass() ? 1 : 0;
            }
        }
        return ok / n;
    }

    static Map<String, Object> describe(double[] a, double[] sft, Bootstrap bs) {
        Estimate gain = bs.pairedDifference(a, sft);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("greedy", mean(a));
        d.put("gain", gain.value());
        d.put("gain_lower", gain.lower());
        d.put("gain_upper", gain.upper());
        return d;
    }

    static double mean(double[] a) {
        double s = 0;
        for (double x : a) s += x;
        return s / a.length;
    }

    /** 1/0 per held-out prompt: does the greedy completion (stop at eos) pass the verifier? */
    static double[] greedyPass(Path model, List<String> held) {
        try (CausalLM lm = CausalLM.load(model)) {
            double[] pass = new double[held.size()];
            for (int from = 0; from < held.size(); from += 64) {
                List<String> ps = held.subList(from, Math.min(held.size(), from + 64));
                List<Generation> g = lm.generate(ps, GenerationConfig.greedy(MAX_NEW).withStopAtEos(true));
                for (int i = 0; i < ps.size(); i++) pass[from + i] = TASK.verify(ps.get(i), g.get(i).text()).pass() ? 1 : 0;
            }
            return pass;
        }
    }

    static List<String> prompts(Path file) throws Exception {
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            if (l.isBlank()) continue;
            out.add(Json.MAPPER.readTree(l).get("prompt").asText());
        }
        return out;
    }

    static String fmt(double x) {
        return String.format(Locale.ROOT, "%.3f", x);
    }
}
