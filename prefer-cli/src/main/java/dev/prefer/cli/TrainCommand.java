package dev.prefer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code prefer train <what>}: the training verbs. Other trainers register their subcommand here. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model.",
        subcommands = {TrainRewardCommand.class},
        footer = {"", "Examples:", "  ./prefer train reward --help"})
public final class TrainCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
