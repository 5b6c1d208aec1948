package dev.prefer.rl;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Hashes;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.rl.env.DeepSeaTreasure;
import dev.prefer.rl.env.DeliveryWorld;
import dev.prefer.rl.env.Env;
import dev.prefer.rl.env.Envs;
import dev.prefer.rl.experiments.ContinuousStudy;
import dev.prefer.rl.experiments.ControlStudy;
import dev.prefer.rl.experiments.DstStudy;
import dev.prefer.rl.experiments.KnoxDelivery;
import dev.prefer.rl.experiments.OffloadStudy;
import dev.prefer.rl.experiments.Stats;
import dev.prefer.rl.policy.LoopCheckpoint;
import dev.prefer.rl.policy.Pebble;
import dev.prefer.rl.policy.PebbleSac;
import dev.prefer.rl.reward.LinearRewardLearner;
import dev.prefer.rl.reward.PreferenceModel;
import dev.prefer.rl.reward.RewardBackends;
import dev.prefer.rl.reward.Surf;
import dev.prefer.rl.teacher.Teacher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The library entry point behind {@code prefer rl train}: one method on one environment over several seeds, a
 * learning curve per seed ({@code seed-N.json}), a Markdown report and a manifest. Resumable per seed: a rerun
 * with the same configuration skips the seeds whose file is already there (each seed is a pure function of its
 * configuration and seed); a different configuration in the same folder is refused.
 *
 * <p>Methods: {@code regret} and {@code partial-return} (linear reward learning on {@code delivery}, Knox et al.),
 * {@code pebble} and {@code true-reward} (DQN on a discrete-action task; SAC on the continuous {@code reacher}, with
 * {@code random} as the lower reference), {@code cpl} (offline CPL on
 * {@code reacher-discrete}; {@code cpl-bc} with BC pre-training on the whole dataset; {@code oppo}, OPPO on the same
 * data), {@code mo-reward} (preference-conditioned reward + exact planning; {@code mo-active} with disagreement query selection), {@code mo-cpl}
 * (preference-conditioned CPL policy network) and {@code mo-dqn} (one conditioned Q-network trained on the
 * preference-learned conditioned reward) and {@code mo-policy} (one policy network distilled from the plans for
 * that reward) on {@code dst}/{@code dst-concave}. On the continuous {@code reacher}: {@code pebble} (SAC),
 * {@code pebble-surf} (with SURF's reward learning), {@code cpl}, {@code cpl-bc}, {@code cpl-nobc} (offline CPL with a
 * Gaussian policy). On {@code offload}: {@code mo-reward} (one conditioned DQN on a reward learned from preferences)
 * and {@code true-reward}. Every training loop checkpoints mid-seed ({@code seed-N.ckpt}, atomically, through
 * {@link LoopCheckpoint}) and a rerun continues an interrupted seed from its checkpoint to the same result; only the
 * short delivery fits ({@code regret}, {@code partial-return}) restart the seed.
 */
public final class RlTrain {
    /** Configuration of a run. */
    public record Config(String env, String method, String teacher, int labels, int seeds, long seed, int steps, String rewardBackend) {
        /** With the reward ensemble on the Java loop. */
        public Config(String env, String method, String teacher, int labels, int seeds, long seed, int steps) {
            this(env, method, teacher, labels, seeds, seed, steps, "java");
        }

        public Config {
            Envs.make(env);
            Teacher.parse(teacher);
            if (labels < 0 || seeds < 1 || steps < 1) {
                throw new IllegalArgumentException("rl train: --labels must be >= 0, --seeds >= 1, --steps >= 1");
            }
            if (!methods(env).contains(method)) {
                throw new IllegalArgumentException("rl train: method '" + method + "' is not available on '" + env + "' (available: "
                        + String.join(", ", methods(env)) + ")");
            }
            if (!RewardBackends.NAMES.contains(rewardBackend)) {
                throw new IllegalArgumentException("rl train: --reward-backend '" + rewardBackend + "' (expected one of " + RewardBackends.NAMES + ")");
            }
            if (!rewardBackend.equals("java") && !method.startsWith("pebble")) {
                throw new IllegalArgumentException("rl train: --reward-backend " + rewardBackend
                        + " applies to the methods that learn a reward ensemble by minibatches (pebble, pebble-surf), not to '" + method + "'");
            }
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("env", env);
            m.put("method", method);
            m.put("teacher", teacher);
            m.put("labels", labels);
            m.put("seeds", seeds);
            m.put("seed", seed);
            m.put("steps", steps);
            if (!rewardBackend.equals("java")) {
                m.put("reward_backend", rewardBackend);     // absent for the default, so older run folders keep their configuration
            }
            return m;
        }
    }

    /** One seed's outcome: a curve (x = environment steps, gradient steps or labels) and its final true return. */
    public record SeedResult(long seed, int[] x, double[] y, double finalReturn, int labelsUsed, Map<String, Object> extra) {
    }

    private RlTrain() {
    }

    public static List<String> methods(String env) {
        return switch (env) {
            case "delivery" -> List.of("regret", "partial-return", "pebble", "true-reward");
            case "reacher-discrete" -> List.of("pebble", "cpl", "cpl-bc", "oppo", "true-reward", "sirl", "style");
            case "reacher" -> List.of("pebble", "pebble-surf", "cpl", "cpl-bc", "cpl-nobc", "true-reward", "random");
            case "offload" -> List.of("mo-reward", "true-reward");
            case "dst", "dst-concave" -> List.of("mo-reward", "mo-active", "mo-policy", "mo-dqn", "mo-cpl");
            default -> List.of();
        };
    }

    /** Runs (or resumes) every seed, writes seed files, report.md and manifest.json; returns the per-seed results. */
    public static List<SeedResult> run(Config c, Path out, Consumer<String> log) {
        return run(c, out, log, s -> { });
    }

    /** As {@link #run(Config, Path, Consumer)}, with a hook called after every environment step of checkpointed loops. */
    static List<SeedResult> run(Config c, Path out, Consumer<String> log, java.util.function.IntConsumer afterStep) {
        try {
            Files.createDirectories(out);
            String configJson = Json.line(c.toMap());
            Path cfg = out.resolve("config.json");
            if (Files.exists(cfg) && !Files.readString(cfg).strip().equals(configJson)) {
                throw new IllegalArgumentException(out + "/config.json: folder holds a run with a different configuration");
            }
            AtomicFiles.writeString(cfg, configJson + "\n");
            List<SeedResult> results = new ArrayList<>();
            for (int i = 0; i < c.seeds(); i++) {
                long seed = c.seed() + i;
                Path f = out.resolve("seed-" + seed + ".json");
                SeedResult r;
                if (Files.exists(f)) {
                    r = Json.MAPPER.readValue(f.toFile(), SeedResult.class);
                    log.accept("seed " + seed + ": done before, resumed from " + f.getFileName());
                } else {
                    long t0 = System.nanoTime();
                    Path ck = out.resolve("seed-" + seed + ".ckpt");
                    if (Files.exists(ck)) {
                        log.accept("seed " + seed + ": continuing from " + ck.getFileName());
                    }
                    r = runSeed(c, seed, new LoopCheckpoint(ck, Math.max(1, c.steps() / 10), afterStep));
                    AtomicFiles.writeString(f, Json.pretty(r) + "\n");
                    Files.deleteIfExists(ck);
                    log.accept(String.format(Locale.ROOT, "seed %d: final %s %.3f, %d labels (%.1f s)", seed,
                            finalName(c), r.finalReturn(), r.labelsUsed(), (System.nanoTime() - t0) / 1e9));
                }
                results.add(r);
            }
            AtomicFiles.writeString(out.resolve("report.md"), report(c, results));
            Manifest.of("rl-train", c.toMap(), c.seed()).withInputHash("config", Hashes.sha256(configJson)).writeTo(out);
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": " + e.getMessage(), e);
        }
    }

    static SeedResult runSeed(Config c, long seed) {
        return runSeed(c, seed, LoopCheckpoint.NONE);
    }

    static SeedResult runSeed(Config c, long seed, LoopCheckpoint ck) {
        Supplier<Env> make = () -> Envs.make(c.env());
        if (c.env().equals("offload")) {
            return offload(c, seed, ck);
        }
        if (c.env().equals("reacher") && c.method().startsWith("cpl")) {
            return continuousCpl(c, seed, ck);
        }
        switch (c.method()) {
            case "regret", "partial-return" -> {
                DeliveryWorld d = new DeliveryWorld();
                PreferenceModel model = c.method().equals("regret") ? PreferenceModel.REGRET : PreferenceModel.PARTIAL_RETURN;
                var pairs = KnoxDelivery.pairs(d, c.labels(), 3, Teacher.parse(c.teacher()), 0.99, seed);
                var lc = new LinearRewardLearner.Config(model, 0.99, c.steps(), 0.05, 1e-4, 3);
                double[] w = LinearRewardLearner.fitBest(d, pairs, new double[6], lc, new java.util.Random(seed));
                double ret = KnoxDelivery.trueReturn(d, w, 0.99);
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("weights", w);
                extra.put("optimalReturn", KnoxDelivery.trueReturn(d, d.trueWeights(), 0.99));
                extra.put("randomReturn", KnoxDelivery.randomReturn(d));
                return new SeedResult(seed, new int[] {c.labels()}, new double[] {ret}, ret, c.labels(), extra);
            }
            case "pebble", "pebble-surf", "true-reward", "random" -> {
                if (c.env().equals("reacher")) {
                    return continuous(c, seed, ck);
                }
                Pebble.Config d = Pebble.Config.defaults(c.labels());
                Pebble.Config pc = new Pebble.Config(c.steps(), Math.min(d.unsupSteps(), c.steps() / 4), Math.max(1, c.steps() / 12),
                        c.labels(), d.perRound(), d.segment(), d.selection(), d.largeBatch(), c.teacher(), d.ensemble(), d.rewardEpochs(),
                        d.dqn(), Math.max(1, c.steps() / 12), d.evalEpisodes());
                Pebble.Curve cv = Pebble.run(make, pc, c.method().equals("pebble") ? Pebble.Mode.PEBBLE : Pebble.Mode.TRUE_REWARD, seed, ck,
                        RewardBackends.named(c.rewardBackend()));
                return new SeedResult(seed, cv.steps(), cv.returns(), cv.last(), cv.labelsUsed(), references(c.env()));
            }
            case "cpl", "cpl-bc", "oppo" -> {
                ControlStudy.Config d = ControlStudy.Config.defaults(c.labels());
                var cc = new ControlStudy.Config(c.labels(), 1, d.segment(), c.teacher(), d.datasetEpisodes(), d.pebble(), d.cpl().withSteps(c.steps()),
                        Math.max(1, c.steps() / 6), seed);
                Pebble.Curve cv = (switch (c.method()) {
                    case "oppo" -> ControlStudy.oppoState(cc, seed, ck);
                    case "cpl-bc" -> ControlStudy.cplWithBcState(cc, seed, 1000, 0.5, ck);
                    default -> ControlStudy.cplState(cc, seed, ck);
                }).curve(c.labels());
                return new SeedResult(seed, cv.steps(), cv.returns(), cv.last(), cv.labelsUsed(), references(c.env()));
            }
            case "sirl" -> {
                return sirl(c, seed, ck);
            }
            case "style" -> {
                return style(c, seed, ck);
            }
            case "mo-cpl", "mo-reward", "mo-active", "mo-dqn", "mo-policy" -> {
                DeepSeaTreasure.Map map = c.env().equals("dst") ? DeepSeaTreasure.Map.CONVEX : DeepSeaTreasure.Map.CONCAVE;
                DstStudy.Config d = DstStudy.Config.defaults(map);
                var dc = new DstStudy.Config(map, d.episodes(), c.labels(), c.teacher(), d.hidden(), d.cpl().withSteps(c.steps()), d.evalGrid(), seed,
                        d.timeouts(), d.basis(), d.queries());
                DstStudy.Result r = switch (c.method()) {
                    case "mo-cpl" -> DstStudy.evaluate(DstStudy.train(dc, ck), dc);
                    case "mo-dqn" -> DstStudy.evaluateNet(DstStudy.trainPolicyNet(dc, DstStudy.dqnConfig(), ck), dc);
                    case "mo-policy" -> DstStudy.evaluateDistilled(DstStudy.trainDistilled(dc, 200, 8000, ck), dc);
                    case "mo-active" -> DstStudy.evaluateReward(DstStudy.trainRewardActive(dc, 3, 3, 10, ck), dc);
                    default -> DstStudy.evaluateReward(DstStudy.trainReward(dc, ck), dc);
                };
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("front", r.front());
                extra.put("exactHypervolume", r.exactHypervolume());
                extra.put("recovered", r.recovered());
                extra.put("unsupportedRecovered", r.unsupportedRecovered());
                extra.put("unsupportedTotal", r.unsupportedTotal());
                extra.put("expectedUtility", r.expectedUtility());
                extra.put("exactExpectedUtility", r.exactExpectedUtility());
                return new SeedResult(seed, new int[] {c.labels()}, new double[] {r.hypervolume()}, r.hypervolume(), c.labels(), extra);
            }
            default -> throw new IllegalArgumentException("rl train: unknown method " + c.method());
        }
    }

    /** The preference counts of a SIRL run's curve: labels / 30, / 10, / 3 and labels (distinct, at least 1). */
    static int[] sirlGrid(int labels) {
        return java.util.stream.IntStream.of(labels / 30, labels / 10, labels / 3, labels).filter(k -> k >= 1).distinct().toArray();
    }

    /**
     * SIRL on the 9-action reacher ({@link dev.prefer.rl.experiments.SirlStudy}): the representation from --steps
     * similarity queries, then linear rewards on it from growing numbers of the --labels preferences (--teacher is
     * fixed to the study's mistake:0.1). Curve: held-out agreement with the true return against the preference count;
     * the raw-input linear reward and the reward ensemble on the same preferences go to extra.
     */
    static SeedResult sirl(Config c, long seed, LoopCheckpoint ck) {
        int[] ks = sirlGrid(c.labels());
        double[][] out = dev.prefer.rl.experiments.SirlStudy.run(seed, c.steps(), ks, ck);
        double[] y = new double[ks.length];
        double[] raw = new double[ks.length];
        double[] ens = new double[ks.length];
        for (int i = 0; i < ks.length; i++) {
            y[i] = out[i][0];
            raw[i] = out[i][1];
            ens[i] = out[i][2];
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("similarityQueries", c.steps());
        extra.put("rawLinearAgreement", raw);
        extra.put("rewardEnsembleAgreement", ens);
        return new SeedResult(seed, ks, y, y[y.length - 1], ks.length == 0 ? 0 : ks[ks.length - 1], extra);
    }

    /**
     * Imitation conditioned on a shown demo's style on the 9-action reacher ({@link dev.prefer.rl.experiments.StyleStudy}),
     * --steps training steps (no preferences: --labels and --teacher are not used). Curve: style accuracy after every
     * quarter of the steps (its own evaluation demos); final: the study's evaluation, with BC and the demonstrators in extra.
     */
    static SeedResult style(Config c, long seed, LoopCheckpoint ck) {
        var d = dev.prefer.rl.experiments.StyleStudy.Config.defaults();
        var im = d.imitation();
        var sc = new dev.prefer.rl.experiments.StyleStudy.Config(d.episodesPerStyle(), d.segment(),
                new dev.prefer.rl.embed.ConditionedImitation.Config(im.zdim(), im.hidden(), c.steps(), im.batch(), im.lr()), d.evalEpisodes());
        List<Integer> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        var r = dev.prefer.rl.experiments.StyleStudy.run(sc, seed, Math.max(1, c.steps() / 4), (x, acc) -> {
            xs.add(x);
            ys.add(acc);
        }, ck);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("conditionedDistance", r.conditionedDistance());
        extra.put("bcAccuracy", r.bcAccuracy());
        extra.put("bcDistance", r.bcDistance());
        extra.put("demonstratorAccuracy", r.demoAccuracy());
        extra.put("demonstratorDistance", r.demoDistance());
        return new SeedResult(seed, xs.stream().mapToInt(Integer::intValue).toArray(), ys.stream().mapToDouble(Double::doubleValue).toArray(),
                r.conditionedAccuracy(), 0, extra);
    }

    /** PEBBLE with SAC, SAC on the true reward, or the random policy on the continuous reacher. */
    static SeedResult continuous(Config c, long seed, LoopCheckpoint ck) {
        PebbleSac.Config pc = PebbleSac.Config.defaults(c.labels()).withSteps(c.steps());
        pc = new PebbleSac.Config(pc.totalSteps(), pc.seedSteps(), pc.unsupSteps(), pc.feedbackEvery(), pc.labels(), pc.perRound(),
                pc.segment(), pc.selection(), pc.largeBatch(), c.teacher(), pc.ensemble(), pc.rewardEpochs(), pc.resetUpdates(), pc.sac(),
                pc.evalEvery(), pc.evalEpisodes());
        double[] ref = ContinuousStudy.references(pc.evalEpisodes());
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("optimalReturn", ref[0]);
        extra.put("randomReturn", ref[1]);
        if (c.method().equals("random")) {
            return new SeedResult(seed, new int[] {0}, new double[] {ref[1]}, ref[1], 0, extra);
        }
        Pebble.Curve cv = PebbleSac.run(ContinuousStudy.reacher(), pc, c.method().startsWith("pebble") ? Pebble.Mode.PEBBLE : Pebble.Mode.TRUE_REWARD,
                seed, c.method().equals("pebble-surf") ? Surf.defaults() : null, ck, RewardBackends.named(c.rewardBackend()));
        extra.put("normalisedFinal", (cv.last() - ref[1]) / (ref[0] - ref[1]));
        return new SeedResult(seed, cv.steps(), cv.returns(), cv.last(), cv.labelsUsed(), extra);
    }

    /** Offline CPL with a Gaussian policy on the continuous reacher; --steps are the CPL steps after BC pre-training. */
    static SeedResult continuousCpl(Config c, long seed, LoopCheckpoint ck) {
        ContinuousStudy.CplConfig d = ContinuousStudy.CplConfig.variant(c.method(), c.labels()).withTeacher(c.teacher());
        var cc = new ContinuousStudy.CplConfig(d.labels(), d.segment(), d.teacher(), d.datasetEpisodes(), d.bcSteps(),
                d.cpl().withSteps(c.steps()), Math.max(1, c.steps() / 3), d.evalEpisodes(), d.hidden(), d.logStd(), d.decoy());
        double[] ref = ContinuousStudy.references(cc.evalEpisodes());
        Pebble.Curve cv = ContinuousStudy.cpl(cc, seed, ck);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("optimalReturn", ref[0]);
        extra.put("randomReturn", ref[1]);
        extra.put("bcOnlyReturn", cv.returns()[0]);
        extra.put("normalisedFinal", (cv.last() - ref[1]) / (ref[0] - ref[1]));
        return new SeedResult(seed, cv.steps(), cv.returns(), cv.last(), cv.labelsUsed(), extra);
    }

    /**
     * One conditioned DQN for the offloading task on the true scalarisation or on a reward learned from --labels
     * preferences (200 random episodes, 10-step segments); --steps environment steps. Final value: the hypervolume of
     * the greedy policy's points for 11 weights at a reference fixed by the baselines ({@link OffloadStudy#referencePoint}).
     */
    static SeedResult offload(Config c, long seed, LoopCheckpoint ck) {
        double[] scale = OffloadStudy.scales();
        OffloadStudy.Reward reward = c.method().equals("true-reward") ? OffloadStudy.trueReward(scale)
                : OffloadStudy.learned(OffloadStudy.learnReward(c.labels(), c.teacher(), 200, 10, seed, scale));
        List<double[]> pts = OffloadStudy.points(OffloadStudy.train(c.steps(), seed, reward, ck));
        List<List<double[]>> base = OffloadStudy.baselines(scale);
        double[] ref = OffloadStudy.referencePoint(base);
        List<double[]> front = dev.prefer.rl.mo.Pareto.front(pts);
        double hv = dev.prefer.rl.mo.Pareto.hypervolume(front, ref);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("front", front);
        extra.put("points", pts);
        extra.put("reference", ref);
        extra.put("linearExpectedUtility", OffloadStudy.linearEu(pts, scale));
        extra.put("fixedPoliciesHypervolume", dev.prefer.rl.mo.Pareto.hypervolume(dev.prefer.rl.mo.Pareto.front(base.get(0)), ref));
        extra.put("myopicPlannerHypervolume", dev.prefer.rl.mo.Pareto.hypervolume(dev.prefer.rl.mo.Pareto.front(base.get(1)), ref));
        return new SeedResult(seed, new int[] {c.steps()}, new double[] {hv}, hv, c.method().equals("true-reward") ? 0 : c.labels(), extra);
    }

    static Map<String, Object> references(String env) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (env.equals("reacher-discrete")) {
            double[] ref = ControlStudy.references(Pebble.Config.defaults(0).evalEpisodes());
            m.put("optimalReturn", ref[0]);
            m.put("randomReturn", ref[1]);
        } else if (env.equals("delivery")) {
            DeliveryWorld d = new DeliveryWorld();
            m.put("optimalReturn", KnoxDelivery.trueReturn(d, d.trueWeights(), 0.99));
            m.put("randomReturn", KnoxDelivery.randomReturn(d));
        }
        return m;
    }

    /** What a seed's final value is, for the log. */
    static String finalName(Config c) {
        return switch (c.method()) {
            case "sirl" -> "held-out agreement";
            case "style" -> "style accuracy";
            default -> c.method().startsWith("mo-") || c.env().equals("offload") ? "hypervolume" : "true return";
        };
    }

    private static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    /** A double array from a fresh result (double[]) or one read back from JSON (a list of numbers). */
    private static double[] doubles(Object o) {
        if (o instanceof double[] d) {
            return d;
        }
        return ((List<?>) o).stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
    }

    static String report(Config c, List<SeedResult> rs) {
        StringBuilder sb = new StringBuilder();
        sb.append("# prefer rl train: ").append(c.method()).append(" on ").append(c.env()).append("\n\n");
        if (c.method().equals("style")) {
            sb.append("Demonstrations only (no teacher, no labels), ").append(c.steps()).append(" training steps, seeds ");
        } else {
            sb.append("Teacher `").append(c.teacher()).append("`, ").append(c.labels()).append(" labels, ").append(c.steps())
                    .append(c.method().equals("sirl") ? " similarity queries" : " steps").append(", seeds ");
        }
        sb.append(c.seed()).append("..").append(c.seed() + c.seeds() - 1).append(".\n\n");
        double[] finals = rs.stream().mapToDouble(SeedResult::finalReturn).toArray();
        String what = c.method().equals("sirl") ? "held-out agreement of the SIRL reward with the true return"
                : c.method().equals("style") ? "style accuracy of the demo-conditioned agent"
                : c.env().equals("offload") ? "hypervolume of the greedy policies for 11 weights"
                : c.method().startsWith("mo-") ? "hypervolume at (0, -25)" : "true return of the greedy policy";
        sb.append("Final ").append(what).append(": **").append(Stats.of(finals)).append("** (mean ± 95% t-interval over seeds)\n\n");
        Object opt = rs.get(0).extra().get("optimalReturn");
        Object rnd = rs.get(0).extra().get("randomReturn");
        if (opt != null) {
            sb.append(String.format(Locale.ROOT, "Optimal return %.3f, uniformly random policy %.3f.%n%n", ((Number) opt).doubleValue(), ((Number) rnd).doubleValue()));
            double o = ((Number) opt).doubleValue();
            double z = ((Number) rnd).doubleValue();
            sb.append("Normalised final score (R - R_random) / (R_opt - R_random): **")
                    .append(Stats.of(rs.stream().mapToDouble(r -> (r.finalReturn() - z) / (o - z)).toArray())).append("**\n\n");
        }
        Object exactHv = rs.get(0).extra().get("exactHypervolume");
        if (exactHv != null) {
            sb.append(String.format(Locale.ROOT, "Exact front hypervolume %.1f.%n%n", ((Number) exactHv).doubleValue()));
            sb.append("| seed | front points recovered (of 10) | unsupported recovered | expected utility (exact) |\n|---:|---:|---:|---:|\n");
            for (SeedResult r : rs) {
                sb.append(String.format(Locale.ROOT, "| %d | %s | %s of %s | %.4f (%.4f) |%n", r.seed(), r.extra().get("recovered"),
                        r.extra().get("unsupportedRecovered"), r.extra().get("unsupportedTotal"),
                        ((Number) r.extra().get("expectedUtility")).doubleValue(), ((Number) r.extra().get("exactExpectedUtility")).doubleValue()));
            }
            sb.append("\n");
        }
        if (c.method().equals("sirl")) {
            sb.append("Held-out agreement with the true return (1000 pairs), same preferences, mean ± 95% interval over seeds:\n\n"
                    + "| preferences | SIRL | raw linear | reward ensemble |\n|---:|---:|---:|---:|\n");
            for (int i = 0; i < rs.get(0).x().length; i++) {
                final int k = i;
                sb.append("| ").append(rs.get(0).x()[i]).append(" | ").append(Stats.of(rs.stream().mapToDouble(r -> r.y()[k]).toArray()))
                        .append(" | ").append(Stats.of(rs.stream().mapToDouble(r -> doubles(r.extra().get("rawLinearAgreement"))[k]).toArray()))
                        .append(" | ").append(Stats.of(rs.stream().mapToDouble(r -> doubles(r.extra().get("rewardEnsembleAgreement"))[k]).toArray()))
                        .append(" |\n");
            }
            sb.append("\n");
        }
        if (c.method().equals("style")) {
            sb.append("Style accuracy / final distance to the asked target, mean ± 95% interval over seeds:\n\n| agent | accuracy | distance |\n|---|---:|---:|\n");
            sb.append("| conditioned on a demo | ").append(Stats.of(finals)).append(" | ")
                    .append(Stats.of(rs.stream().mapToDouble(r -> num(r.extra().get("conditionedDistance"))).toArray())).append(" |\n");
            sb.append("| BC without style | ").append(Stats.of(rs.stream().mapToDouble(r -> num(r.extra().get("bcAccuracy"))).toArray())).append(" | ")
                    .append(Stats.of(rs.stream().mapToDouble(r -> num(r.extra().get("bcDistance"))).toArray())).append(" |\n");
            sb.append("| demonstrators | ").append(Stats.of(rs.stream().mapToDouble(r -> num(r.extra().get("demonstratorAccuracy"))).toArray())).append(" | ")
                    .append(Stats.of(rs.stream().mapToDouble(r -> num(r.extra().get("demonstratorDistance"))).toArray())).append(" |\n\n");
        }
        Object fixedHv = rs.get(0).extra().get("fixedPoliciesHypervolume");
        if (fixedHv != null) {
            sb.append(String.format(Locale.ROOT, "At the same reference: fixed policies' front HV %.1f, myopic cost-model planner HV %.1f.%n%n",
                    ((Number) fixedHv).doubleValue(), ((Number) rs.get(0).extra().get("myopicPlannerHypervolume")).doubleValue()));
            sb.append("| seed | front points | linear expected utility |\n|---:|---:|---:|\n");
            for (SeedResult r : rs) {
                sb.append(String.format(Locale.ROOT, "| %d | %d | %.4f |%n", r.seed(), ((List<?>) r.extra().get("front")).size(),
                        ((Number) r.extra().get("linearExpectedUtility")).doubleValue()));
            }
            sb.append("\n");
        }
        sb.append("| seed | final | labels |\n|---:|---:|---:|\n");
        for (SeedResult r : rs) {
            sb.append(String.format(Locale.ROOT, "| %d | %.3f | %d |%n", r.seed(), r.finalReturn(), r.labelsUsed()));
        }
        if (rs.get(0).x().length > 1) {
            String head = c.method().equals("sirl") ? "| preferences | SIRL agreement |" : c.method().equals("style") ? "| steps | style accuracy |"
                    : "| step | return |";
            sb.append("\nLearning curve (mean ± 95% interval over seeds):\n\n").append(head).append("\n|---:|---:|\n");
            for (int i = 0; i < rs.get(0).x().length; i++) {
                final int k = i;
                sb.append("| ").append(rs.get(0).x()[i]).append(" | ").append(Stats.of(rs.stream().mapToDouble(r -> r.y()[k]).toArray())).append(" |\n");
            }
        }
        return sb.toString();
    }
}
