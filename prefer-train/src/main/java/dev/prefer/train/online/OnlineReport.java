package dev.prefer.train.online;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.core.report.Charts;
import dev.prefer.core.report.HtmlReport;
import dev.prefer.data.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The HTML report of an online run, {@code report.html} beside {@code metrics.jsonl}, on prefer-core's report
 * helpers ({@link HtmlReport}, {@link Charts}): the series over steps that tell an RL run's health (reward and
 * per-source rewards, KL, completion length, entropy, clip ratios, the method's own loss terms) and the held-out
 * evaluation (greedy completions scored by the reward sources; with a verifier, its accuracy) before and after
 * training, then the manifest. Built from the files, so a resumed run's report covers the whole run.
 */
public final class OnlineReport {
    private OnlineReport() {}

    /** Series drawn when present, one chart each (title, y label, metric names). */
    private static final List<String[]> CHARTS = List.of(
            new String[] {"Reward", "reward", "reward"},
            new String[] {"KL to the reference", "KL", "kl", "loss/kl"},
            new String[] {"Completion length", "tokens", "completions/mean_length"},
            new String[] {"Entropy", "nats per token", "entropy"},
            new String[] {"Clip ratios", "fraction of tokens", "clip_ratio/low_mean", "clip_ratio/high_mean", "clip_ratio/region_mean"},
            new String[] {"Truncated completions", "fraction", "completions/clipped_ratio"},
            new String[] {"Preferences", "probability", "rewards/probabilities", "win_rate/mean"},
            new String[] {"Loss", "loss", "loss"});

    /** The metrics rows of {@code metrics.jsonl}. */
    static List<Map<String, Double>> readMetrics(Path file) {
        List<Map<String, Double>> rows = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) continue;
                JsonNode n = Json.MAPPER.readTree(line);
                Map<String, Double> row = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getValue().isNumber()) row.put(e.getKey(), e.getValue().asDouble());
                }
                rows.add(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return rows;
    }

    /**
     * Writes {@code out/report.html} from {@code out/metrics.jsonl}, the evaluation before training (null: none) and
     * the manifest JSON (null: none).
     */
    public static Path write(Path out, String method, Map<String, ?> evalBefore, String manifestJson) {
        List<Map<String, Double>> rows = readMetrics(out.resolve("metrics.jsonl"));
        HtmlReport r = new HtmlReport("prefer train " + method + ": " + out.getFileName());
        r.paragraph(rows.size() + " logged steps; series from metrics.jsonl (TRL's metric names).");
        Set<String> perSource = new LinkedHashSet<>();
        for (Map<String, Double> row : rows)
            for (String k : row.keySet()) if (k.startsWith("rewards/") && k.endsWith("/mean")) perSource.add(k);
        for (String[] chart : CHARTS) {
            List<String> names = new ArrayList<>(List.of(chart).subList(2, chart.length));
            if (chart[0].equals("Reward")) names.addAll(perSource);
            List<Charts.Series> series = new ArrayList<>();
            for (String name : names) {
                Charts.Series s = series(rows, name);
                if (s != null) series.add(s);
            }
            if (series.isEmpty()) continue;
            r.heading(chart[0]).chart(Charts.line(chart[0], "step", chart[1], series));
        }
        Map<String, Double> after = new LinkedHashMap<>();
        for (Map<String, Double> row : rows)
            for (Map.Entry<String, Double> e : row.entrySet()) if (e.getKey().startsWith("eval/")) after.put(e.getKey(), e.getValue());
        if (!after.isEmpty() || (evalBefore != null && !evalBefore.isEmpty())) {
            Set<String> keys = new LinkedHashSet<>();
            if (evalBefore != null) keys.addAll(evalBefore.keySet());
            keys.addAll(after.keySet());
            List<List<String>> table = new ArrayList<>();
            for (String k : keys) {
                Object b = evalBefore == null ? null : evalBefore.get(k);
                Double a = after.get(k);
                table.add(List.of(k, b instanceof Number n ? fmt(n.doubleValue()) : "", a == null ? "" : fmt(a),
                        b instanceof Number n && a != null ? fmt(a - n.doubleValue()) : ""));
            }
            r.heading("Held-out evaluation (greedy)")
                    .paragraph("Held-out prompts decoded greedily and scored by the reward sources, before training and at the last evaluation;"
                            + " for a verifier source its mean is the accuracy.")
                    .table(List.of("metric", "before", "after", "change"), table);
        }
        if (manifestJson != null) r.manifest(manifestJson);
        return r.write(out.resolve("report.html"));
    }

    private static Charts.Series series(List<Map<String, Double>> rows, String name) {
        List<double[]> pts = new ArrayList<>();
        for (Map<String, Double> row : rows) {
            Double v = row.get(name), step = row.get("step");
            if (v != null && step != null && Double.isFinite(v)) pts.add(new double[] {step, v});
        }
        if (pts.isEmpty()) return null;
        double[] x = new double[pts.size()], y = new double[pts.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pts.get(i)[0];
            y[i] = pts.get(i)[1];
        }
        return new Charts.Series(name, x, y);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
