package dev.prefer.quickstart;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.core.stats.Estimate;
import dev.prefer.core.report.Charts;
import dev.prefer.eval.report.EvalSummary;
import dev.prefer.eval.report.EvalSummary.ModelScores;
import dev.prefer.core.report.HtmlReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code summary.json} (every number of the run) and {@code report.html} (the same numbers, as tables and charts). */
final class QuickstartReport {
    private QuickstartReport() {}

    static Path writeSummary(Path file, ModelScores sft, SlipStats sftSlips, List<Quickstart.ObjectiveRun> runs, double seconds) {
        Map<String, Object> root = new LinkedHashMap<>();
        List<Map<String, Object>> models = new ArrayList<>();
        models.add(row(sft, null, sftSlips));
        for (Quickstart.ObjectiveRun r : runs) models.add(row(r.scores(), r, r.slips()));
        root.put("models", models);
        root.put("seconds", seconds);
        AtomicFiles.writeString(file, Json.pretty(root) + "\n");
        return file;
    }

    private static Map<String, Object> row(ModelScores m, Quickstart.ObjectiveRun run, SlipStats slips) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", m.name());
        r.put("greedy_accuracy", est(m.greedy()));
        r.put("sampled_accuracy", est(m.sampled()));
        r.put("ranking_accuracy", m.rankingAccuracy());
        r.put("idealized_ranking_accuracy", m.idealized());
        r.put("alignment_gap", m.alignmentGap());
        r.put("kl", m.kl() == null ? null : Map.of("k1", m.kl().k1(), "k2", m.kl().k2(), "k3", m.kl().k3(), "n", m.kl().n()));
        r.put("length_mean", m.lengths() == null ? null : m.lengths().mean());
        if (slips != null) {
            Map<String, Object> sl = new LinkedHashMap<>();
            sl.put("slippable_prompts", slips.slippable());
            sl.put("greedy_accuracy_slippable", slips.accuracySlippable());
            sl.put("greedy_answer_is_the_slip", slips.slipShare());
            sl.put("other_prompts", slips.others());
            sl.put("greedy_accuracy_others", slips.accuracyOthers());
            r.put("demonstrator_mistake", sl);
        }
        if (run != null) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("wins", run.winRateVsSft().wins());
            w.put("ties", run.winRateVsSft().ties());
            w.put("losses", run.winRateVsSft().losses());
            w.put("win_rate", est(run.winRateVsSft().winRate()));
            r.put("win_rate_vs_sft", w);
            r.put("greedy_gain_vs_sft", est(run.greedyGain()));
            r.put("sampled_gain_vs_sft", est(run.sampledGain()));
            r.put("groups_per_round", run.groupsPerRound());
            r.put("model", run.model().toString());
        }
        return r;
    }

    private static Map<String, Object> est(Estimate e) {
        if (e == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", e.value());
        m.put("lower", e.lower());
        m.put("upper", e.upper());
        m.put("n", e.n());
        m.put("method", e.method());
        return m;
    }

    static Path write(Path file, QuickstartConfig c, ModelScores sft, SlipStats sftSlips, Double demoAccuracy, List<Quickstart.ObjectiveRun> runs,
                      EvalSummary.Curve sftLoss, Manifest manifest) {
        String base = c.model() == null ? "SFT" : "base"; // the model the objectives start from
        HtmlReport r = new HtmlReport("prefer quickstart: " + c.task() + ", seed " + c.seed());
        QuickstartConfig.Online o = c.online();
        String how = !o.isOnline() ? String.join(", ", c.objectives()) + " on its own verifier-scored samples (" + c.rounds() + " rounds of "
                + c.promptsPerRound() + " prompts x " + c.samplesPerPrompt() + " samples, reference = "
                + (c.reference() == QuickstartConfig.Reference.SFT ? "the starting model" : "the policy that started each round") + ")"
                : o.method() + " (" + o.steps() + " online steps of " + o.promptsPerStep() + " prompts x " + o.generations() + " samples, reward = "
                + (OnlineRun.judged(o.method()) && c.rewards().isEmpty() ? (o.method().equals("pref-grpo") ? "win rates under" : "the preferences of")
                + " a pairwise judge learned from verifier-labelled pairs of the SFT model's samples; "
                + "the RL never calls the verifier" : c.rewards().isEmpty() ? "the verifier" : String.join(" + ", c.rewards())) + ")";
        r.paragraph((c.model() == null ? "A " + c.layers() + "-layer Llama-layout model built from nothing was trained by SFT (" + c.sftSteps()
                + " steps), then by " : "The given model " + c.model() + " (row \"base\", no SFT) was trained by ") + how
                + ". All numbers below are on " + sft.greedy().n()
                + " held-out prompts that never appear in training.");
        if (demoAccuracy != null && c.demoSlipRate() > 0) {
            r.paragraph(String.format(Locale.ROOT, "The SFT demonstrations came from a weak demonstrator: on %.0f%% of the problems where the task's "
                    + "systematic mistake applies (arithmetic: a carry out of the ones column) it made that mistake, so %.1f%% of the SFT "
                    + "completions are correct. The verifier that scores the policy's samples knows the true answers.", 100 * c.demoSlipRate(), 100 * demoAccuracy));
        }
        // Accuracy before/after per objective.
        if (!runs.isEmpty()) {
            List<String> groups = runs.stream().map(Quickstart.ObjectiveRun::objective).toList();
            double[][] v = new double[runs.size()][4], lo = new double[runs.size()][4], hi = new double[runs.size()][4];
            for (int g = 0; g < runs.size(); g++) {
                Estimate[] e = {sft.greedy(), runs.get(g).scores().greedy(), sft.sampled(), runs.get(g).scores().sampled()};
                for (int s = 0; s < 4; s++) {
                    v[g][s] = e[s].value();
                    lo[g][s] = e[s].lower();
                    hi[g][s] = e[s].upper();
                }
            }
            r.heading("Held-out verifier accuracy before (" + base + ") and after").chart(Charts.groupedBars(
                    "Verifier accuracy, 95% bootstrap intervals over prompts", "accuracy", groups,
                    List.of(base + " greedy", "aligned greedy", base + " sampled", "aligned sampled"), v, lo, hi));
        }
        List<String> header = List.of("model", "greedy acc [CI]", "sampled acc [CI]", "greedy gain vs " + base + " [CI]", "win rate vs " + base + " [CI]", "rank acc", "R*", "gap", "KL (k3)", "length");
        List<List<String>> table = new ArrayList<>();
        table.add(cells(sft, null));
        for (Quickstart.ObjectiveRun run : runs) table.add(cells(run.scores(), run));
        r.heading("Summary").table(header, table).paragraph("Greedy gain: aligned minus SFT greedy accuracy on the same "
                + "prompts, 95% paired percentile-bootstrap interval over prompts. Win rate: share of held-out prompts where the aligned model's greedy "
                + "response gets a higher verifier score than the SFT model's, ties counted half. Rank acc: share of held-out "
                + "pairs (reference answer vs a near miss or wrong answer) where the model gives the reference the higher "
                + "log-probability; R*: the same for the model that exactly optimizes the objective from the SFT reference "
                + "(Chen et al. 2024). KL from " + c.evalSamples() + " samples per prompt. Length: tokens of sampled responses.");
        if (sftSlips != null) {
            List<List<String>> st = new ArrayList<>();
            st.add(slipCells(sft.name(), sftSlips));
            for (Quickstart.ObjectiveRun run : runs) if (run.slips() != null) st.add(slipCells(run.objective(), run.slips()));
            r.heading("Where the demonstrator's mistake applies").table(List.of("model", "prompts with the mistake's condition",
                    "greedy accuracy there", "greedy answer = the mistake", "other prompts", "greedy accuracy there"), st)
                    .paragraph("Greedy decoding on the held-out prompts, split by whether the demonstrator's systematic mistake applies "
                            + "(for arithmetic: the sum has a carry out of the ones column). A model that imitated the demonstrator answers "
                            + "such prompts with the mistake; a model that learned from the verifier answers them right.");
        }
        r.heading("Training loss");
        if (sftLoss.step().length > 0) {
            // The control continues SFT: its loss goes on the SFT chart, after the SFT steps.
            List<Charts.Series> sl = new ArrayList<>(List.of(new Charts.Series("sft", sftLoss.step(), sftLoss.value())));
            for (Quickstart.ObjectiveRun run : runs) {
                if (!run.objective().equals(Quickstart.CONTROL)) continue;
                for (EvalSummary.Curve cv : run.loss()) {
                    double[] x = cv.step().clone();
                    for (int i = 0; i < x.length; i++) x[i] += c.sftSteps();
                    if (x.length > 0) sl.add(new Charts.Series(cv.name() + " (control)", x, cv.value()));
                }
            }
            r.chart(Charts.line("SFT loss (the control continues it)", "step", "loss", sl));
        }
        List<Charts.Series> pl = new ArrayList<>(), rw = new ArrayList<>();
        for (Quickstart.ObjectiveRun run : runs) {
            if (run.objective().equals(Quickstart.CONTROL)) continue;
            for (EvalSummary.Curve cv : run.loss()) if (cv.step().length > 0) pl.add(new Charts.Series(cv.name(), cv.step(), cv.value()));
            for (EvalSummary.Curve cv : run.reward()) if (cv.step().length > 0) rw.add(new Charts.Series(cv.name(), cv.step(), cv.value()));
        }
        if (!pl.isEmpty()) r.chart(Charts.line("Preference loss (steps of all rounds in sequence)", "step", "loss", pl));
        if (!rw.isEmpty()) {
            r.heading("Rewards").chart(Charts.line("Implicit reward margin, chosen − rejected (β·log-ratio)", "step", "reward margin", rw));
        }
        List<Charts.Point> pts = new ArrayList<>();
        for (Quickstart.ObjectiveRun run : runs) {
            ModelScores m = run.scores();
            if (m.rankingAccuracy() != null && m.idealized() != null) pts.add(new Charts.Point(m.rankingAccuracy(), m.idealized(), m.name()));
        }
        if (!pts.isEmpty()) {
            r.heading("Ranking accuracy vs idealized ranking accuracy")
                    .paragraph("Points above the dashed line have an alignment gap: a perfect optimizer of the objective would rank more held-out pairs right (Chen et al. 2024).")
                    .chart(Charts.scatter("Ranking accuracy R vs idealized R* on held-out pairs", "ranking accuracy R", "idealized ranking accuracy R*", pts, true));
        }
        return r.manifest(manifest.toJson()).write(file);
    }

    static List<String> cells(ModelScores m, Quickstart.ObjectiveRun run) {
        return List.of(m.name(), Quickstart.fmt(m.greedy()), Quickstart.fmt(m.sampled()),
                run == null ? "-" : Quickstart.fmtSigned(run.greedyGain()),
                run == null ? "-" : Quickstart.fmt(run.winRateVsSft().winRate()), num(m.rankingAccuracy(), "%.3f"),
                num(m.idealized(), "%.3f"), num(m.alignmentGap(), "%+.3f"), m.kl() == null ? "-" : String.format(Locale.ROOT, "%.4f", m.kl().k3()),
                m.lengths() == null ? "-" : String.format(Locale.ROOT, "%.1f", m.lengths().mean()));
    }

    static List<String> slipCells(String name, SlipStats s) {
        return List.of(name, Integer.toString(s.slippable()), String.format(Locale.ROOT, "%.3f", s.accuracySlippable()),
                String.format(Locale.ROOT, "%.3f", s.slipShare()), Integer.toString(s.others()), num(s.accuracyOthers(), "%.3f"));
    }

    private static String num(Double v, String fmt) {
        return v == null ? "-" : String.format(Locale.ROOT, fmt, v);
    }
}
