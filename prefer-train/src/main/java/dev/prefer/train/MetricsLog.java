package dev.prefer.train;

import dev.prefer.data.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code metrics.jsonl} (one JSON object per logging step, flushed each time) and a plain-text progress line on
 * the console ({@code [#####-----] step 10/50 loss ... acc ... lr ... tok/s}), which picocli commands print as is.
 */
final class MetricsLog implements AutoCloseable {
    private final BufferedWriter out;
    private final PrintStream console;

    /** Opens {@code file}; when resuming from {@code keepUpToStep}, lines of later steps are dropped first. */
    MetricsLog(Path file, PrintStream console, int keepUpToStep) {
        this.console = console;
        try {
            if (keepUpToStep >= 0 && Files.exists(file)) {
                List<String> kept = new ArrayList<>();
                for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (l.isBlank()) continue;
                    try {
                        if (Json.MAPPER.readTree(l).path("step").asInt(Integer.MAX_VALUE) <= keepUpToStep) kept.add(l);
                    } catch (IOException e) {
                        // a torn last line from a killed run: drop it
                    }
                }
                Files.write(file, kept, StandardCharsets.UTF_8);
            } else {
                Files.deleteIfExists(file);
            }
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    void write(Map<String, Object> row) {
        try {
            out.write(Json.line(row));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void progress(int step, int total, Map<String, Object> row) {
        if (console == null) return;
        int width = 20, filled = (int) Math.round(width * (double) step / total);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < width; i++) sb.append(i < filled ? '#' : '-');
        sb.append("] step ").append(step).append('/').append(total);
        append(sb, row, "loss", "loss", "%.4f");
        append(sb, row, "rewards/accuracies", "acc", "%.2f");
        append(sb, row, "rewards/margins", "margin", "%.4f");
        append(sb, row, "grad_norm", "|g|", "%.3g");
        append(sb, row, "learning_rate", "lr", "%.2e");
        append(sb, row, "tokens_per_second", "tok/s", "%.0f");
        append(sb, row, "eval/ranking_accuracy", "eval R", "%.3f");
        append(sb, row, "eval/accuracy", "eval acc", "%.3f");
        append(sb, row, "eval/loss", "eval loss", "%.4f");
        console.println(sb);
        console.flush();
    }

    private static void append(StringBuilder sb, Map<String, Object> row, String key, String label, String fmt) {
        Object v = row.get(key);
        if (v instanceof Number n) sb.append("  ").append(label).append(' ').append(String.format(Locale.ROOT, fmt, n.doubleValue()));
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
