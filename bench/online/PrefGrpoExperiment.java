// The pairwise-judge experiment of issue #14 (docs/results/online.md, "Pref-GRPO with a learned pairwise judge"):
// from each seed's quickstart SFT model,
//   1. LearnedJudge (the procedure of `prefer quickstart --method pref-grpo`): sample completions of the seed's training
//      prompts, label them with the arithmetic verifier, pair correct against incorrect, and train a pairwise judge on
//      those pairs: the SFT model trained by SimPO, whose length-normalised log-likelihood is the judge's score (kind
//      SIMPO, the default: beta 2, lr 1e-5, 1000 steps of 32 pairs, 6000 prompts x 8 samples at temperatures 1.0 and
//      1.5, 4 pairs per prompt; LearnedJudge.Config.defaults, chosen by pilots on seed 0 only, docs/results/online.md),
//      by DPO against itself (its implicit reward, IMPLICIT) or the SFT model with a new scalar score head
//      (SCORE_HEAD); its accuracy on pairs sampled the same way from the 200 held-out prompts, on the quickstart's fixed
//      held-out pairs, and best-of-k;
//   2. RL from the SFT model with that judge as the only reward (-Dmethod; the verifier is not called during RL):
//      pref-grpo (default): each completion's win rate against the other G-1 completions of its group
//      (WinRates.againstOthers, or hardAgainstOthers with -Dhard=true; Wang et al. 2025 arXiv 2508.20751), GRPO's dapo
//      loss and the budget of the GRPO rows (200 steps x 16 prompts x G = 8, lr 5e-5);
//      nash-md: Nash-MD (Munos et al. 2023, arXiv 2312.00886; TRL's NashMDTrainer): per prompt G policy samples, each
//      judged against a sample of the geometric mixture of policy and SFT reference (-Dmixture, 0.5), p = P(y > y')
//      straight from the judge's win matrix, loss -(p - 1/2) log pi(y) + beta KL (-Dbeta, 0.1), same budget;
//      online-dpo / dno: best-vs-worst pairs by those win rates, catalog dpo (beta -Ddpo.beta 0.1), the SFT model /
//      the round's policy as the reference;
//   3. held-out greedy verifier accuracy against SFT, 95% paired percentile bootstrap over the 200 held-out prompts.
//
// A single-file Java program over the CLI's jar (bench/online/pref_grpo.sh and bench/online/nash_md_judge.sh run it):
//   java -cp prefer-cli/target/prefer-cli.jar bench/online/PrefGrpoExperiment.java QS_DIR OUT_DIR SEEDS STEPS [STAGES]
// STAGES: rm,rl (default both; rl reads OUT/seed-S/judge/spec.txt; "pref-grpo" is an old name of rl). Knobs
// (-Dname=value), defaults LearnedJudge.Config.defaults: rm.kind, rm.prompts, rm.k, rm.temps (comma-separated),
// rm.pairs, rm.val, rm.steps, rm.batch, rm.lr, rm.beta; RL: method (pref-grpo), tag (the method: the key in
// results-seed-S.json and the run folder), lr (5e-5), prompts (16), g (8), beta (0; nash-md 0.1), scale (group |
// batch | none), hard (false), mixture (0.5), dpo.beta (0.1), round (1).
import dev.prefer.core.stats.Bootstrap;
import dev.prefer.core.stats.Estimate;
import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Json;
import dev.prefer.eval.tasks.ArithmeticTask;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Generation;
import dev.prefer.lm.GenerationConfig;
import dev.prefer.lm.PromptResponse;
import dev.prefer.objectives.online.Advantages;
import dev.prefer.objectives.online.GrpoLoss;
import dev.prefer.quickstart.LearnedJudge;
import dev.prefer.objectives.online.WinRates;
import dev.prefer.reward.source.Group;
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
import java.util.LinkedHashMap;
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
        List<String> stages = args.length > 4 ? List.of(args[4].split(",")) : List.of("rm", "rl");
        Files.createDirectories(out);
        for (long seed : seeds) {
            Path s = qs.resolve("seed-" + seed), o = out.resolve("seed-" + seed);
            Path resultsFile = out.resolve("results-seed-" + seed + ".json");
            @SuppressWarnings("unchecked")
            Map<String, Object> row = Files.exists(resultsFile) ? Json.MAPPER.readValue(resultsFile.toFile(), LinkedHashMap.class) : new LinkedHashMap<>();
            List<String> train = prompts(s.resolve("setup/data/train-prompts.jsonl"));
            List<String> held = prompts(s.resolve("setup/data/heldout.jsonl"));
            if (stages.contains("rm")) row.put("judge", judge(s, o, seed, train, held));
            if (stages.contains("rl") || stages.contains("pref-grpo")) {
                double[] sft = greedyPass(s.resolve("sft"), held);
                row.put("sft", mean(sft));
                long t0 = System.nanoTime();
                // the RL method reading the judge (-Dmethod): pref-grpo (default), nash-md, online-dpo, dno
                String method = System.getProperty("method", "pref-grpo");
                String tag = System.getProperty("tag", method);
                Path runOut = o.resolve(tag);
                double lr = Double.parseDouble(System.getProperty("lr", "5e-5"));
                double beta = Double.parseDouble(System.getProperty("beta", method.equals("nash-md") ? "0.1" : "0"));
                boolean hard = Boolean.getBoolean("hard");
                Advantages.ScaleRewards scale = Advantages.ScaleRewards.valueOf(System.getProperty("scale", "group").toUpperCase(Locale.ROOT));
                OnlineConfig.Method m = switch (method) {
                    case "pref-grpo" -> OnlineConfig.Method.GRPO;
                    case "nash-md" -> OnlineConfig.Method.NASH_MD;
                    case "online-dpo" -> OnlineConfig.Method.ONLINE_DPO;
                    case "dno" -> OnlineConfig.Method.DNO;
                    default -> throw new IllegalArgumentException("-Dmethod: pref-grpo, nash-md, online-dpo or dno, not " + method);
                };
                boolean needsRef = beta > 0 || m == OnlineConfig.Method.NASH_MD || m == OnlineConfig.Method.ONLINE_DPO;
                String spec = Files.readString(o.resolve("judge/spec.txt")).strip();
                try (RewardSource judge = RewardSources.open(spec, RewardSources.Options.defaults());
                     CausalLM policy = CausalLM.load(s.resolve("sft"));
                     CausalLM ref = needsRef ? CausalLM.load(s.resolve("sft")) : null) {
                    // the only reward: the learned preference model (no verifier, no reference answers). Rewards are win
                    // rates against the other completions of the group (WinRates.againstOthers: Pref-GRPO's reward, and
                    // the ranking online DPO pairs by); the Nash methods read the judge's win matrix itself.
                    RewardFunction winRate = new RewardFunction() {
                        @Override public String name() { return "pairwise_judge"; }

                        @Override
                        public double[] score(String prompt, List<String> completions, Map<String, Object> fields) {
                            return scoreGroup(prompt, completions, fields).rewards();
                        }

                        @Override
                        public Scored scoreGroup(String prompt, List<String> completions, Map<String, Object> fields) {
                            double[][] p = judge.score(new Group(prompt, completions, Map.of())).winProbabilities();
                            int k = completions.size();
                            double[] flat = new double[k * k];
                            for (int i = 0; i < k; i++) System.arraycopy(p[i], 0, flat, i * k, k);
                            return new Scored(hard ? WinRates.hardAgainstOthers(flat, k) : WinRates.againstOthers(flat, k), p);
                        }
                    };
                    TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).objective("dpo", Map.of("beta", Double.parseDouble(System.getProperty("dpo.beta", "0.1"))))
                            .learningRate(lr).schedule(TrainConfig.Schedule.CONSTANT, steps / 10)
                            .maxSteps(steps).batchSize(Integer.getInteger("prompts", 16)).seed(seed).every(Math.max(1, steps / 20), 0, 0).out(runOut).build();
                    OnlineConfig oc = OnlineConfig.builder(m).numGenerations(Integer.getInteger("g", 8)).maxCompletionLength(MAX_NEW)
                            .lossType(GrpoLoss.Aggregation.DAPO).epsilon(0.2, 0.28).beta(beta).scaleRewards(scale)
                            .mixtureCoef(Double.parseDouble(System.getProperty("mixture", "0.5"))).roundBatches(Integer.getInteger("round", 1)).build();
                    List<OnlinePrompt> rl = new ArrayList<>();
                    for (String p : train) rl.add(OnlinePrompt.of(p));
                    Trainer.TrainResult r = OnlineTrainer.train(policy, ref, c, oc, rl, List.of(), List.of(winRate), System.out);
                    Map<String, Object> d = describe(greedyPass(runOut, held), sft, new Bootstrap(2000, 0.95, seed));
                    d.put("train_seconds", (System.nanoTime() - t0) / 1e9);
                    d.put("last_reward", r.lastMetrics().get("reward"));
                    Map<String, Object> knobs = new LinkedHashMap<>();
                    knobs.put("method", method);
                    knobs.put("steps", steps);
                    knobs.put("learning_rate", lr);
                    knobs.put("beta", beta);
                    knobs.put("hard_wins", hard);
                    knobs.put("scale_rewards", scale.name());
                    if (m == OnlineConfig.Method.NASH_MD) knobs.put("mixture_coef", oc.selfPlay().mixtureCoef());
                    if (m.catalogPairs()) knobs.put("objective", c.objective().name() + " " + c.toMap().get("objective_params"));
                    d.put("config", knobs);
                    d.put("learning_rate", lr);
                    d.put("beta", beta);
                    row.put(tag, d);
                }
            }
            System.out.println("seed " + seed + ": " + Json.line(row));
            AtomicFiles.writeString(resultsFile, Json.pretty(row) + "\n");
        }
    }

    /**
     * Stage 1: LearnedJudge (the procedure of `prefer quickstart --method pref-grpo`) on the seed's training prompts, then
     * its accuracy on pairs sampled the same way from the 200 held-out prompts, on the quickstart's fixed held-out pairs,
     * and best-of-k on the held-out samples.
     */
    static Map<String, Object> judge(Path s, Path o, long seed, List<String> train, List<String> held) throws Exception {
        LearnedJudge.Config d0 = LearnedJudge.Config.defaults(seed);
        LearnedJudge.Config c = new LearnedJudge.Config(LearnedJudge.Kind.valueOf(System.getProperty("rm.kind", d0.kind().name())),
                Integer.getInteger("rm.prompts", d0.prompts()), Integer.getInteger("rm.k", d0.samplesPerPrompt()),
                System.getProperty("rm.temps") == null ? d0.temperatures()
                        : java.util.Arrays.stream(System.getProperty("rm.temps").split(",")).map(Double::parseDouble).toList(), Integer.getInteger("rm.pairs", d0.pairsPerPrompt()),
                Double.parseDouble(System.getProperty("rm.val", "" + d0.validationFraction())), Integer.getInteger("rm.steps", d0.steps()),
                Integer.getInteger("rm.batch", d0.batch()), Double.parseDouble(System.getProperty("rm.lr", "" + d0.learningRate())),
                Double.parseDouble(System.getProperty("rm.beta", "" + d0.beta())), seed);
        LearnedJudge.Result r;
        List<List<String>> heldSamples;
        try (CausalLM sft = CausalLM.load(s.resolve("sft"))) {
            r = LearnedJudge.train(sft, s.resolve("sft"), TASK, train, c, MAX_NEW, o.resolve("judge"), System.out);
            heldSamples = LearnedJudge.sample(sft, held, c.samplesPerPrompt(), c.temperatures(), MAX_NEW, seed * 31 + 6);
        }
        Map<String, Object> d = new LinkedHashMap<>(r.toMap());
        List<String[]> heldPairs = LearnedJudge.pairs(TASK, held, heldSamples, Integer.MAX_VALUE, new Random(seed * 131 + 4));
        d.put("heldout_pairs", heldPairs.size());
        d.put("sft_sampled_accuracy_heldout", sampledAccuracy(held, heldSamples));
        try (LearnedJudge.Scorer judge = r.open()) {
            d.put("heldout_pair_accuracy", LearnedJudge.accuracy(judge, heldPairs));
            // the quickstart's fixed held-out pairs: the reference answer against the demonstrator's kinds of mistake
            List<String[]> fixed = new ArrayList<>();
            for (String l : Files.readAllLines(s.resolve("setup/data/heldout-pairs.jsonl"))) {
                if (l.isBlank()) continue;
                var n = Json.MAPPER.readTree(l);
                fixed.add(new String[] {n.get("prompt").asText(), n.get("chosen").asText(), n.get("rejected").asText()});
            }
            d.put("quickstart_heldout_pair_accuracy", LearnedJudge.accuracy(judge, fixed));
            // best-of-k on the held-out samples: how often the judge's top completion of a prompt is correct
            double best = 0, oracle = 0;
            for (int i = 0; i < held.size(); i++) {
                List<PromptResponse> texts = new ArrayList<>();
                for (String c2 : heldSamples.get(i)) texts.add(new PromptResponse(held.get(i), c2));
                double[] rw = judge.rewards(texts);
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
        if (r.kind() != LearnedJudge.Kind.SCORE_HEAD) d.put("judge_policy_greedy", mean(greedyPass(r.model(), held))); // the DPO model as a policy
        System.out.println("judge seed " + seed + ": " + Json.line(d));
        AtomicFiles.writeString(o.resolve("judge/spec.txt"), r.spec() + "\n");
        return d;
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
