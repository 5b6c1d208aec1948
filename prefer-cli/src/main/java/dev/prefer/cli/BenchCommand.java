package dev.prefer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code prefer bench <what>}: benchmarks that print figures (medians of repeats) and assert nothing. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark.",
        subcommands = {BenchGenerateCommand.class, BenchGrpoCommand.class, BenchLmCommand.class, BenchMemoryCommand.class, BenchRatingsCommand.class, BenchRewardCommand.class, BenchRlRewardCommand.class, BenchTrainCommand.class},
        footer = {"", "Examples:", "  ./prefer bench generate --size tiny", "  ./prefer bench grpo --help", "  ./prefer bench lm --size tiny", "  ./prefer bench memory --help", "  ./prefer bench ratings --help", "  ./prefer bench reward --help", "  ./prefer bench rl-reward --help", "  ./prefer bench train --help"})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
