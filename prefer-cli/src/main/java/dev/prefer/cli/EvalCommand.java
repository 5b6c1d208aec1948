package dev.prefer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code prefer eval <what>}: evaluation verbs. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a model.",
        subcommands = {EvalRewardCommand.class},
        footer = {"", "Examples:", "  ./prefer eval reward --help"})
public final class EvalCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
