package dev.prefer.quickstart;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Json;
import dev.prefer.core.stats.Estimate;
import dev.prefer.eval.metrics.PairedComparison;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Does the aligned model beat the SFT model by more than seed noise? Runs the whole quickstart once per seed (each
 * in {@code OUT/seed-S}) and states, per objective:
 * <ul>
 *   <li>per seed, the greedy accuracy gain aligned − SFT on the same held-out prompts with its paired percentile
 *       bootstrap interval over prompts ({@link PairedComparison#overPrompts});</li>
 *   <li>over seeds, the mean of the per-seed gains with a Student-t interval ({@link PairedComparison#overSeeds}),
 *       which carries the whole run's seed noise: data draw, initial weights, SFT order, sampling, preference order;</li>
 *   <li>the SFT stage's own spread over seeds (standard deviation, min, max of its greedy accuracy).</li>
 * </ul>
 * <b>Criterion</b> ("clearly larger than seed noise"): the t-interval of the mean gain lies above 0 AND every seed's
 * bootstrap interval of its gain lies above 0. Written to {@code OUT/seeds.json} and printed as a table.
 */
public final class SeedStudy {
    private SeedStudy() {}

    /** One objective over all seeds. */
    public record ObjectiveStudy(String objective, double[] sftGreedy, double[] alignedGreedy, List<Estimate> greedyGains,
                                 Estimate meanGreedyGain, Estimate meanSampledGain, boolean criterionMet) {}

    /** What the study produced. */
    public record Result(Path out, List<Long> seeds, List<Quickstart.Result> runs, double sftSd, List<ObjectiveStudy> objectives,
                         Path summary) {}

    public static Result run(QuickstartConfig base, List<Long> seeds, PrintStream console) {
        if (seeds.size() < 2) throw new IllegalArgumentException("a seed study needs at least 2 seeds, got " + seeds.size());
        if (seeds.stream().distinct().count() != seeds.size()) throw new IllegalArgumentException("seeds repeat: " + seeds);
        PrintStream out = console == null ? new PrintStream(PrintStream.nullOutputStream()) : console;
        Path root = base.out();
        try {
            if (Files.isDirectory(root)) {
                try (var s = Files.list(root)) {
                    if (s.findAny().isPresent()) throw new IllegalArgumentException("output folder exists and is not empty: " + root);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Quickstart.Result> runs = new ArrayList<>();
        for (long s : seeds) {
            out.printf(Locale.ROOT, "=== seed %d (%d of %d) ===%n", s, runs.size() + 1, seeds.size());
            runs.add(Quickstart.run(base.withSeed(s).withOut(root.resolve("seed-" + s)), console));
        }
        int n = seeds.size();
        double[] sft = new double[n];
        for (int i = 0; i < n; i++) sft[i] = runs.get(i).sft().greedy().value();
        double sftSd = sd(sft);
        List<ObjectiveStudy> studies = new ArrayList<>();
        // The objectives, then the control run when the pipeline ran one (every seed runs the same list).
        for (int oi = 0; oi < runs.get(0).runs().size(); oi++) {
            double[] al = new double[n], sftS = new double[n], alS = new double[n];
            List<Estimate> gains = new ArrayList<>();
            boolean each = true;
            for (int i = 0; i < n; i++) {
                Quickstart.ObjectiveRun r = runs.get(i).runs().get(oi);
                al[i] = r.scores().greedy().value();
                alS[i] = r.scores().sampled().value();
                sftS[i] = runs.get(i).sft().sampled().value();
                gains.add(r.greedyGain());
                each &= r.greedyGain().lower() > 0;
            }
            Estimate mean = PairedComparison.overSeeds(al, sft, 0.95);
            Estimate meanS = PairedComparison.overSeeds(alS, sftS, 0.95);
            studies.add(new ObjectiveStudy(runs.get(0).runs().get(oi).objective(), sft.clone(), al, gains, mean, meanS, each && mean.lower() > 0));
        }
        Path summary = writeSummary(root.resolve("seeds.json"), seeds, runs, sftSd, studies);
        Map<String, Object> cfg = base.toMap();
        cfg.remove("seed");
        cfg.put("seeds", seeds);
        cfg.put("study", "one quickstart run per seed in seed-S/, combined in seeds.json");
        dev.prefer.data.Manifest m = dev.prefer.data.Manifest.of("quickstart", cfg, null).withInput("seeds.json", summary);
        for (Quickstart.Result r : runs) m = m.withInput(root.relativize(r.out()) + "/manifest.json", r.out().resolve("manifest.json"));
        m.writeTo(root);
        out.println();
        out.print(table(seeds, sftSd, studies));
        out.printf(Locale.ROOT, "seed study: %s%n", summary);
        return new Result(root, List.copyOf(seeds), runs, sftSd, studies, summary);
    }

    /** The console table: one row per seed and objective, then the over-seed line and the verdict. */
    static String table(List<Long> seeds, double sftSd, List<ObjectiveStudy> studies) {
        StringBuilder b = new StringBuilder();
        for (ObjectiveStudy st : studies) {
            b.append(String.format(Locale.ROOT, "%-6s %-10s %-10s %-28s%n", "seed", "SFT", st.objective(), "greedy gain [95% CI, prompts]"));
            for (int i = 0; i < seeds.size(); i++) {
                b.append(String.format(Locale.ROOT, "%-6d %-10.3f %-10.3f %-28s%n", seeds.get(i), st.sftGreedy()[i], st.alignedGreedy()[i],
                        Quickstart.fmtSigned(st.greedyGains().get(i))));
            }
            b.append(String.format(Locale.ROOT, "mean greedy gain over %d seeds %s (Student t); sampled %s; SFT greedy sd over seeds %.3f%n",
                    seeds.size(), Quickstart.fmtSigned(st.meanGreedyGain()), Quickstart.fmtSigned(st.meanSampledGain()), sftSd));
            b.append(String.format(Locale.ROOT, "%s beats SFT by more than seed noise (t-interval over seeds and every seed's interval above 0): %s%n",
                    st.objective(), st.criterionMet() ? "yes" : "no"));
        }
        return b.toString();
    }

    private static Path writeSummary(Path file, List<Long> seeds, List<Quickstart.Result> runs, double sftSd, List<ObjectiveStudy> studies) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("seeds", seeds);
        root.put("criterion", "t-interval (95%) of the mean greedy gain over seeds above 0, and every seed's paired bootstrap "
                + "interval (95%, over prompts) of its greedy gain above 0");
        root.put("sft_greedy_sd_over_seeds", sftSd);
        List<Map<String, Object>> objs = new ArrayList<>();
        for (ObjectiveStudy st : studies) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("objective", st.objective());
            List<Map<String, Object>> per = new ArrayList<>();
            for (int i = 0; i < seeds.size(); i++) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("seed", seeds.get(i));
                r.put("sft_greedy", st.sftGreedy()[i]);
                r.put("aligned_greedy", st.alignedGreedy()[i]);
                r.put("greedy_gain", est(st.greedyGains().get(i)));
                r.put("run", runs.get(i).out().toString());
                per.add(r);
            }
            o.put("per_seed", per);
            o.put("mean_greedy_gain", est(st.meanGreedyGain()));
            o.put("mean_sampled_gain", est(st.meanSampledGain()));
            o.put("criterion_met", st.criterionMet());
            objs.add(o);
        }
        root.put("objectives", objs);
        AtomicFiles.writeString(file, Json.pretty(root) + "\n");
        return file;
    }

    private static Map<String, Object> est(Estimate e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", e.value());
        m.put("lower", e.lower());
        m.put("upper", e.upper());
        m.put("method", e.method());
        return m;
    }

    /** Sample standard deviation (n − 1). */
    static double sd(double[] x) {
        double mean = 0;
        for (double v : x) mean += v;
        mean /= x.length;
        double ss = 0;
        for (double v : x) ss += (v - mean) * (v - mean);
        return Math.sqrt(ss / (x.length - 1));
    }
}
