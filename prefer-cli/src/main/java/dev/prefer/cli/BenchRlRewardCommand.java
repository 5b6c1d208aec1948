package dev.prefer.cli;

import dev.prefer.rl.torch.RewardBackendBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code prefer bench rl-reward}: one reward-ensemble minibatch (a member's loss and gradient over segment pairs) on
 * prefer-rl's Java loop and on the PyTorch engine ({@code prefer-rl-torch}), alternated, medians. A benchmark: it
 * prints figures and asserts nothing.
 */
@Command(name = "rl-reward", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Benchmark the RL reward ensemble's minibatch loss + gradient: Java loop vs PyTorch engine.",
        footer = {"", "Examples:", "  ./prefer bench rl-reward --repeats 7 --batch 32"})
public final class BenchRlRewardCommand implements Callable<Integer> {
    @Option(names = "--repeats", defaultValue = "7", description = "Alternated repeats per shape (medians reported).")
    int repeats;

    @Option(names = "--batch", defaultValue = "32", description = "Segment pairs per minibatch (PEBBLE here trains with 32).")
    int batch;

    @Override
    public Integer call() {
        RewardBackendBench.main(new String[] {Integer.toString(repeats), Integer.toString(batch)});
        return 0;
    }
}
