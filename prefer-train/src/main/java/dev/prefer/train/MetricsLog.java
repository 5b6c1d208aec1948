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
import java.time.Duration;
import me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * {@code metrics.jsonl} (one JSON object per logging step, flushed each time) and a progress bar on the console
 * (me.tongfei:progressbar): on an interactive terminal one bar redrawn in place, with the latest metrics as its
 * message; anywhere else (a file, a pipe, CI logs, the quickstart's log) exactly one plain ASCII line per logging
 * step, never carriage returns or cursor moves, e.g.
 * <pre>  train  50% [==========>          ] 10/20 (0:00:03 / 0:00:03) loss 0.6931 acc 0.50 margin 0.0000 ...</pre>
 */
final class MetricsLog implements AutoCloseable {
    /** Width of a non-interactive line (the bar takes what the text leaves). */
    static final int LINE_WIDTH = 150;

    private final BufferedWriter out;
    private final PrintStream console;
    private final int startStep;
    private ProgressBar bar;
    private LineConsumer lines;

    /** Opens {@code file}; when resuming from {@code keepUpToStep}, lines of later steps are dropped first. */
    MetricsLog(Path file, PrintStream console, int keepUpToStep) {
        this.console = console;
        this.startStep = Math.max(0, keepUpToStep);
        if (file == null) { // an in-memory run: rows go to the caller only
            out = null;
            return;
        }
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
        if (out == null) return;
        try {
            out.write(Json.line(row));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code console} is an interactive terminal (then the bar is redrawn in place). */
    static boolean interactive(PrintStream console) {
        return console == System.out && System.console() != null && !"dumb".equals(System.getenv("TERM"));
    }

    void progress(int step, int total, Map<String, Object> row) {
        if (console == null) return;
        if (bar == null) {
            ProgressBarBuilder b = new ProgressBarBuilder().setTaskName("train").setInitialMax(total)
                    .startsFrom(startStep, Duration.ZERO).setUpdateIntervalMillis(Integer.MAX_VALUE);
            if (interactive(console)) {
                b.setStyle(ProgressBarStyle.UNICODE_BLOCK).setConsumer(new InteractiveConsoleProgressBarConsumer(console));
            } else {
                lines = new LineConsumer(console);
                b.setStyle(ProgressBarStyle.ASCII).setConsumer(lines);
            }
            bar = b.build();
            if (lines != null) lines.awaitInitialRender(); // the library's first redraw runs on its own thread
        }
        bar.maxHint(total);
        bar.setExtraMessage(lines != null ? summary(row) : compactSummary(row));
        bar.stepTo(step);
        if (lines != null) lines.expectLine();
        bar.refresh();
        // the library may render on its own thread: wait for this step's line, so that two steps never share one
        if (lines != null) lines.awaitLine();
    }

    /** The few metrics that fit next to a terminal's bar (every metric stays in metrics.jsonl). */
    static String compactSummary(Map<String, Object> row) {
        StringBuilder sb = new StringBuilder();
        append(sb, row, "loss", "loss", "%.4f");
        append(sb, row, "rewards/accuracies", "acc", "%.2f");
        append(sb, row, "rewards/margins", "margin", "%.3f");
        append(sb, row, "reward", "reward", "%.3f");
        append(sb, row, "eval/ranking_accuracy", "eval R", "%.3f");
        return sb.toString().strip();
    }

    /** The metrics shown on each non-interactive line. */
    static String summary(Map<String, Object> row) {
        StringBuilder sb = new StringBuilder();
        append(sb, row, "loss", "loss", "%.4f");
        append(sb, row, "rewards/accuracies", "acc", "%.2f");
        append(sb, row, "rewards/margins", "margin", "%.4f");
        append(sb, row, "reward", "reward", "%.3f");
        append(sb, row, "grad_norm", "|g|", "%.3g");
        append(sb, row, "learning_rate", "lr", "%.2e");
        append(sb, row, "tokens_per_second", "tok/s", "%.0f");
        append(sb, row, "eval/ranking_accuracy", "eval R", "%.3f");
        append(sb, row, "eval/accuracy", "eval acc", "%.3f");
        append(sb, row, "eval/loss", "eval loss", "%.4f");
        return sb.toString().strip();
    }

    /**
     * Non-interactive output: prints the bar only when a logging step asked for it (not the library's initial and
     * closing redraws), one line each, without carriage returns.
     */
    static final class LineConsumer implements ProgressBarConsumer {
        private final PrintStream out;
        private final java.util.concurrent.CountDownLatch initial = new java.util.concurrent.CountDownLatch(1);
        private boolean pending;

        LineConsumer(PrintStream out) {
            this.out = out;
        }

        /** Waits for the library's initial redraw (ignored), so that it cannot interleave with the first step's. */
        void awaitInitialRender() {
            try {
                initial.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        synchronized void expectLine() {
            pending = true;
        }

        /** Waits (up to 1 s) until the line expected by {@link #expectLine()} has been printed. */
        synchronized void awaitLine() {
            long end = System.nanoTime() + 1_000_000_000L;
            try {
                while (pending && System.nanoTime() < end) wait(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public int getMaxRenderedLength() {
            return LINE_WIDTH;
        }

        @Override
        public synchronized void accept(String rendered) {
            initial.countDown();
            if (!pending) return;
            pending = false;
            out.println(rendered.replace('\r', ' ').stripTrailing());
            out.flush();
            notifyAll();
        }

        @Override
        public void close() {}
    }

    private static void append(StringBuilder sb, Map<String, Object> row, String key, String label, String fmt) {
        Object v = row.get(key);
        if (v instanceof Number n) sb.append("  ").append(label).append(' ').append(String.format(Locale.ROOT, fmt, n.doubleValue()));
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
        if (out == null) return;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
