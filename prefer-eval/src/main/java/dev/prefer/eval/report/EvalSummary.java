package dev.prefer.eval.report;

import dev.prefer.core.report.Charts;
import dev.prefer.core.report.HtmlReport;

import dev.prefer.data.Manifest;
import dev.prefer.core.stats.Estimate;
import dev.prefer.eval.metrics.KlEstimate;
import dev.prefer.eval.metrics.LengthStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The before/after summary of a quickstart-style run: one row per model (the SFT baseline first, then one per
 * objective), as a console table and as an HTML report with the three standard charts (training curves, accuracy
 * before/after per objective, ranking vs idealized ranking accuracy).
 */
public final class EvalSummary {
    private EvalSummary() {}

    /**
     * One evaluated model. Null fields are shown as "-".
     *
     * @param name            e.g. "sft", "dpo", "ipo"
     * @param greedy          verifier accuracy of greedy responses on held-out prompts
     * @param sampled         verifier accuracy with sampling (mean per-prompt pass rate), or null
     * @param rankingAccuracy ranking accuracy R on held-out pairs (summed log-probs), or null
     * @param idealized       idealized ranking accuracy R* of this model's reference at its beta, or null
     * @param kl              KL to the reference from samples, or null
     * @param lengths         response lengths, or null
     */
    public record ModelScores(String name, Estimate greedy, Estimate sampled, Double rankingAccuracy, Double idealized,
                              KlEstimate kl, LengthStats lengths) {
        public ModelScores {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("name is required");
            if (greedy == null) throw new IllegalArgumentException(name + ": greedy accuracy is required");
        }

        /** R* − R when both are known. */
        public Double alignmentGap() {
            return rankingAccuracy == null || idealized == null ? null : idealized - rankingAccuracy;
        }
    }

    /** A training curve of one run (NaN for missing steps). */
    public record Curve(String name, double[] step, double[] value) {}

    /** Fixed-width console table, one line per model. */
    public static String consoleTable(List<ModelScores> rows) {
        StringBuilder b = new StringBuilder();
        int w = Math.max(10, rows.stream().mapToInt(r -> r.name().length()).max().orElse(0));
        String fmt = "%-" + w + "s %-22s %-22s %8s %8s %8s %9s %8s%n";
        b.append(String.format(Locale.ROOT, fmt, "model", "greedy acc [95% CI]", "sampled acc [95% CI]", "rank acc", "R*", "gap", "KL (k3)", "length"));
        for (ModelScores r : rows) {
            b.append(String.format(Locale.ROOT, fmt, r.name(), interval(r.greedy()), interval(r.sampled()), num(r.rankingAccuracy(), "%.3f"),
                    num(r.idealized(), "%.3f"), num(r.alignmentGap(), "%+.3f"), r.kl() == null ? "-" : String.format(Locale.ROOT, "%.4f", r.kl().k3()),
                    r.lengths() == null ? "-" : String.format(Locale.ROOT, "%.1f", r.lengths().mean())));
        }
        return b.toString();
    }

    /**
     * The HTML report. {@code rows.get(0)} is the baseline (before); the accuracy chart pairs it with each other row.
     *
     * @param lossCurves   training loss per run (may be empty)
     * @param rewardCurves reward margin or accuracy per run (may be empty)
     */
    public static HtmlReport report(String title, List<ModelScores> rows, List<Curve> lossCurves, List<Curve> rewardCurves, Manifest manifest) {
        if (rows.isEmpty()) throw new IllegalArgumentException("no models");
        HtmlReport r = new HtmlReport(title);
        ModelScores base = rows.get(0);
        List<ModelScores> after = rows.subList(1, rows.size());
        if (!after.isEmpty()) {
            List<String> groups = after.stream().map(ModelScores::name).toList();
            double[][] v = new double[after.size()][2], lo = new double[after.size()][2], hi = new double[after.size()][2];
            for (int g = 0; g < after.size(); g++) {
                Estimate[] e = {base.greedy(), after.get(g).greedy()};
                for (int s = 0; s < 2; s++) {
                    v[g][s] = e[s].value();
                    lo[g][s] = e[s].lower();
                    hi[g][s] = e[s].upper();
                }
            }
            r.heading("Held-out verifier accuracy before and after")
                    .chart(Charts.groupedBars("Greedy verifier accuracy, " + Math.round(100 * base.greedy().confidence()) + "% intervals",
                            "accuracy", groups, List.of(base.name() + " (before)", "after"), v, lo, hi));
        }
        List<String> header = List.of("model", "greedy acc [CI]", "sampled acc [CI]", "rank acc", "R*", "gap", "KL (k3)", "length");
        List<List<String>> table = new ArrayList<>();
        for (ModelScores m : rows) {
            table.add(List.of(m.name(), interval(m.greedy()), interval(m.sampled()), num(m.rankingAccuracy(), "%.3f"), num(m.idealized(), "%.3f"),
                    num(m.alignmentGap(), "%+.3f"), m.kl() == null ? "-" : String.format(Locale.ROOT, "%.4f", m.kl().k3()),
                    m.lengths() == null ? "-" : String.format(Locale.ROOT, "%.1f", m.lengths().mean())));
        }
        r.table(header, table);
        if (!lossCurves.isEmpty()) {
            r.heading("Training loss").chart(Charts.line("Loss", "step", "loss", series(lossCurves)));
        }
        if (!rewardCurves.isEmpty()) {
            r.heading("Rewards").chart(Charts.line("Reward margin", "step", "reward", series(rewardCurves)));
        }
        List<Charts.Point> pts = new ArrayList<>();
        for (ModelScores m : rows) if (m.rankingAccuracy() != null && m.idealized() != null) pts.add(new Charts.Point(m.rankingAccuracy(), m.idealized(), m.name()));
        if (!pts.isEmpty()) {
            r.heading("Ranking accuracy vs idealized ranking accuracy")
                    .paragraph("Points above the dashed line have an alignment gap: a perfect optimizer of the objective would rank more held-out pairs right (Chen et al. 2024).")
                    .chart(Charts.scatter("Ranking accuracy R vs idealized R*", "ranking accuracy R", "idealized ranking accuracy R*", pts, true));
        }
        return r.manifest(manifest.toJson());
    }

    private static List<Charts.Series> series(List<Curve> curves) {
        return curves.stream().map(c -> new Charts.Series(c.name(), c.step(), c.value())).toList();
    }

    static String interval(Estimate e) {
        return e == null ? "-" : String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", e.value(), e.lower(), e.upper());
    }

    private static String num(Double v, String fmt) {
        return v == null ? "-" : String.format(Locale.ROOT, fmt, v);
    }
}
