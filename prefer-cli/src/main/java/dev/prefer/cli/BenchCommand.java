package dev.prefer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code prefer bench <what>}: benchmarks that print figures (medians of repeats) and assert nothing. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark.",
        subcommands = {BenchLmCommand.class, BenchRatingsCommand.class, BenchRewardCommand.class, BenchTrainCommand.class, BenchMemoryCommand.class},
        footer = {"", "Examples:", "  ./prefer bench lm --size tiny", "  ./prefer bench ratings --help", "  ./prefer bench reward --help", "  ./prefer bench train --help", "  ./prefer bench memory --help"})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
