// The online-methods experiment of issue #14 (docs/results/online.md): from each seed's quickstart SFT model, train
// GRPO (dapo loss), RLOO and online DPO on the training prompts with the arithmetic verifier as the reward, and compare
// held-out greedy verifier accuracy with the SFT model (95% paired percentile bootstrap over the 200 held-out prompts),
// beside the quickstart's compute-matched control (sft-continued) and its RPO run on the same seed.
//
// A single-file Java program over the CLI's jar (run bench/online/experiment.sh, which builds and runs it):
//   java -cp prefer-cli/target/prefer-cli.jar bench/online/OnlineExperiment.java QS_DIR OUT_DIR SEEDS STEPS [METHODS]
// -Dobjective=NAME: online DPO's catalog objective (dpo; a listwise one trains on the G ranked completions), -Dlr, -Dg.
// QS_DIR holds `./prefer quickstart --seeds ...` output (seed-S/sft, seed-S/sft-continued, seed-S/rpo (final RPO model), setup data).
import dev.prefer.data.Json;
import dev.prefer.core.stats.Bootstrap;
import dev.prefer.core.stats.Estimate;
import dev.prefer.eval.tasks.ArithmeticTask;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Generation;
import dev.prefer.lm.GenerationConfig;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.Trainer;
import dev.prefer.train.online.OnlineConfig;
import dev.prefer.train.online.OnlinePrompt;
import dev.prefer.train.online.OnlineTrainer;
import dev.prefer.train.online.RewardFunction;
import dev.prefer.objectives.online.GrpoLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public class OnlineExperiment {
    static final ArithmeticTask TASK = ArithmeticTask.defaults();
    static final int MAX_NEW = 8;

    public static void main(String[] args) throws Exception {
        Path qs = Path.of(args[0]), out = Path.of(args[1]);
        List<Long> seeds = java.util.Arrays.stream(args[2].split(",")).map(Long::parseLong).toList();
        int steps = Integer.parseInt(args[3]);
        List<String> methods = args.length > 4 ? List.of(args[4].split(",")) : List.of("grpo", "rloo", "online-dpo", "sft-matched");
        Files.createDirectories(out);
        RewardFunction verifier = RewardFunction.of("arithmetic", (p, c) -> TASK.verify(p, c).score());
        for (long seed : seeds) {
            Path s = qs.resolve("seed-" + seed);
            List<OnlinePrompt> train = prompts(s.resolve("setup/data/train-prompts.jsonl"));
            List<OnlinePrompt> held = prompts(s.resolve("setup/data/heldout.jsonl"));
            Map<String, Object> row = new LinkedHashMap<>();
            double[] sft = greedyPass(s.resolve("sft"), held);
            row.put("sft", mean(sft));
            Bootstrap bs = new Bootstrap(2000, 0.95, seed);
            for (String m : List.of("sft-continued", "rpo")) {
                Path dir = s.resolve(m);
                if (!Files.exists(dir.resolve("config.json"))) continue;
                double[] a = greedyPass(dir, held);
                row.put(m.startsWith("rpo") ? "rpo" : m, describe(a, sft, bs));
            }
            for (String method : methods) {
                Path runOut = out.resolve("seed-" + seed).resolve(method);
                long t0 = System.nanoTime();
                if (method.equals("sft-matched")) {
                    // the compute-matched control: as many optimizer steps, rows per step (B*G) and the same learning rate
                    // and schedule as an online run, on the SFT demonstrations
                    double lr = Double.parseDouble(System.getProperty("lr", "5e-5"));
                    List<dev.prefer.train.TrainSet.SftRow> rows = new ArrayList<>();
                    for (String l : Files.readAllLines(s.resolve("setup/data/sft.jsonl"))) {
                        if (l.isBlank()) continue;
                        var n = Json.MAPPER.readTree(l);
                        rows.add(dev.prefer.train.TrainSet.SftRow.of(n.get("prompt").asText(), n.get("completion").asText()));
                    }
                    try (CausalLM policy = CausalLM.load(s.resolve("sft"))) {
                        TrainConfig c = TrainConfig.builder(TrainConfig.Task.SFT).learningRate(lr).schedule(TrainConfig.Schedule.CONSTANT, steps / 10)
                                .maxSteps(steps).batchSize(Integer.getInteger("prompts", 16) * Integer.getInteger("g", 8)).seed(seed)
                                .every(Math.max(1, steps / 20), 0, 0).out(runOut).build();
                        Trainer.train(policy, null, c, dev.prefer.train.TrainSet.sft(rows), null, System.out);
                    }
                    Map<String, Object> d = describe(greedyPass(runOut, held), sft, bs);
                    d.put("train_seconds", (System.nanoTime() - t0) / 1e9);
                    d.put("learning_rate", lr);
                    row.put(method, d);
                    continue;
                }
                try (CausalLM policy = CausalLM.load(s.resolve("sft")); CausalLM ref = CausalLM.load(s.resolve("sft"))) {
                    OnlineConfig.Method mth = switch (method) {
                        case "grpo" -> OnlineConfig.Method.GRPO;
                        case "rloo" -> OnlineConfig.Method.RLOO;
                        case "reinforce-pp" -> OnlineConfig.Method.REINFORCE_PP;
                        default -> OnlineConfig.Method.ONLINE_DPO;
                    };
                    double lr = Double.parseDouble(System.getProperty("lr." + method, System.getProperty("lr", "5e-5")));
                    TrainConfig c = TrainConfig.builder(TrainConfig.Task.PREFERENCE).objective(System.getProperty("objective", "dpo"), Map.of("beta", 0.1))
                            .learningRate(lr).schedule(TrainConfig.Schedule.CONSTANT, steps / 10).maxSteps(steps)
                            .batchSize(Integer.getInteger("prompts", 16)).seed(seed).every(Math.max(1, steps / 20), 0, 0).out(runOut).build();
                    OnlineConfig o = OnlineConfig.builder(mth).numGenerations(Integer.getInteger("g", 8)).maxCompletionLength(MAX_NEW)
                            .lossType(GrpoLoss.Aggregation.DAPO).epsilon(0.2, 0.28).build();
                    Trainer.TrainResult r = OnlineTrainer.train(policy, mth == OnlineConfig.Method.ONLINE_DPO ? ref : null, c, o, train,
                            List.of(), List.of(verifier), System.out);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    double[] a = greedyPass(runOut, held);
                    Map<String, Object> d = describe(a, sft, bs);
                    d.put("train_seconds", secs);
                    d.put("last_reward", r.lastMetrics().get("reward"));
                    d.put("learning_rate", lr);
                    row.put(method, d);
                }
            }
            System.out.println("seed " + seed + ": " + Json.line(row));
            dev.prefer.data.AtomicFiles.writeString(out.resolve("results-seed-" + seed + ".json"), Json.pretty(row) + "\n");
        }
        // every seed's results in OUT so far (seeds may run in separate invocations)
        Map<String, Object> all = new java.util.TreeMap<>();
        try (var files = Files.list(out)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("results-seed-\\d+\\.json")).sorted().toList()) {
                all.put(f.getFileName().toString().replace("results-", "").replace(".json", ""), Json.MAPPER.readValue(f.toFile(), LinkedHashMap.class));
            }
        }
        System.out.println(table(all));
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

    static String table(Map<String, Object> all) {
        StringBuilder sb = new StringBuilder("| seed | SFT greedy |");
        List<String> cols = new ArrayList<>();
        for (Object v : all.values()) for (String k : ((Map<String, Object>) v).keySet()) if (!k.equals("sft") && !cols.contains(k)) cols.add(k);
        for (String c : cols) sb.append(' ').append(c).append(" greedy (gain [95% paired]) |");
        sb.append('\n').append("|---|---|").append("---|".repeat(cols.size())).append('\n');
        for (Map.Entry<String, Object> e : all.entrySet()) {
            Map<String, Object> row = (Map<String, Object>) e.getValue();
            sb.append("| ").append(e.getKey()).append(String.format(Locale.ROOT, " | %.3f |", (double) row.get("sft")));
            for (String c : cols) {
                Map<String, Object> d = (Map<String, Object>) row.get(c);
                if (d == null) { sb.append(" — |"); continue; }
                sb.append(String.format(Locale.ROOT, " %.3f (%+.3f [%+.3f, %+.3f]) |", (double) d.get("greedy"), (double) d.get("gain"),
                        (double) d.get("gain_lower"), (double) d.get("gain_upper")));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static double mean(double[] a) {
        double s = 0;
        for (double x : a) s += x;
        return s / a.length;
    }

    /** 1/0 per held-out prompt: does the greedy completion (stop at eos) pass the verifier? */
    static double[] greedyPass(Path model, List<OnlinePrompt> held) {
        try (CausalLM lm = CausalLM.load(model)) {
            double[] pass = new double[held.size()];
            for (int from = 0; from < held.size(); from += 64) {
                List<String> ps = held.subList(from, Math.min(held.size(), from + 64)).stream().map(OnlinePrompt::prompt).toList();
                List<Generation> g = lm.generate(ps, GenerationConfig.greedy(MAX_NEW).withStopAtEos(true));
                for (int i = 0; i < ps.size(); i++) pass[from + i] = TASK.verify(ps.get(i), g.get(i).text()).pass() ? 1 : 0;
            }
            return pass;
        }
    }

    static List<OnlinePrompt> prompts(Path file) throws Exception {
        List<OnlinePrompt> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            if (l.isBlank()) continue;
            out.add(OnlinePrompt.of(Json.MAPPER.readTree(l).get("prompt").asText()));
        }
        return out;
    }
}
