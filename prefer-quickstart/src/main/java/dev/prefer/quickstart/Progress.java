package dev.prefer.quickstart;

import java.io.PrintStream;
import me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar for sampling and evaluation batches, with the trainer's library (me.tongfei:progressbar): redrawn in
 * place on an interactive terminal, and nothing elsewhere (logs and CI keep the one line per stage the pipeline prints).
 */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /** A bar of {@code total} units named {@code task} when {@code console} is an interactive terminal, else a no-op. */
    static Progress of(PrintStream console, String task, long total) {
        boolean interactive = console != null && console == System.out && System.console() != null && !"dumb".equals(System.getenv("TERM"));
        if (!interactive) return new Progress(null);
        return new Progress(new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.UNICODE_BLOCK)
                .setConsumer(new InteractiveConsoleProgressBarConsumer(console)).setUpdateIntervalMillis(250).build());
    }

    /** A bar that never shows. */
    static Progress none() {
        return new Progress(null);
    }

    void step(long n) {
        if (bar != null) bar.stepBy(n);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
