package dev.prefer.cli;

import dev.prefer.data.PreferencePair;
import dev.prefer.reward.bench.RewardBench;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prefer bench reward}: scoring throughput (pairs/s) on the MiniLM backbone; prints figures, asserts nothing. */
@Command(name = "reward", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Benchmark reward-model scoring throughput with the MiniLM backbone, cold (no embedding cache): "
                + "pairs/s, median of repeats after a warm-up, for each thread count, with and without the prompt as context, "
                + "beside langchain4j's per-text embedding model as the reference.",
        footer = {"", "Examples:",
                "  ./prefer bench reward --data ../shared/data/hh-rlhf-harmless/dev.jsonl.gz --pairs 300 --threads 1,2",
                "  ./prefer bench reward --pairs 1156 --threads 2 --setups batches,int8 --context none",
                "  taskset -c 0,1 ./prefer bench reward --threads 2 --repeats 5"})
public final class BenchRewardCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "../shared/data/hh-rlhf-harmless/dev.jsonl.gz", description = "Preference pairs to score.")
    Path data;

    @Option(names = "--pairs", defaultValue = "300", description = "Pairs per repeat (the first N of the file).")
    int pairs;

    @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "Thread counts to measure.")
    int[] threadCounts;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed repeats per set-up (median reported).")
    int repeats;

    @Option(names = "--setups", split = ",", defaultValue = "langchain4j,intra-op,batches,int8",
            description = "Set-ups: langchain4j (reference, one ONNX call per text), intra-op, batches (the default backbone), int8 (minilm-q).")
    List<String> setups;

    @Option(names = "--context", defaultValue = "both", description = "none (score from the two answers), prompt (also embed the prompt), both.")
    String context;

    private final RewardOptions io = new RewardOptions();

    @Override
    public Integer call() {
        if (pairs < 1 || repeats < 1) throw new IllegalArgumentException("--pairs and --repeats must be >= 1");
        List<PreferencePair> all = io.read(data);
        List<PreferencePair> use = all.subList(0, Math.min(pairs, all.size()));
        System.out.println("reward scoring throughput, all-MiniLM-L6-v2, " + use.size() + " pairs from " + data + ", "
                + Runtime.getRuntime().availableProcessors() + " processors visible");
        boolean[] contexts = switch (context) {
            case "none" -> new boolean[] {false};
            case "prompt" -> new boolean[] {true};
            case "both" -> new boolean[] {false, true};
            default -> throw new IllegalArgumentException("--context must be none, prompt or both: " + context);
        };
        RewardBench.run(use, threadCounts, repeats, setups, contexts, System.out);
        return 0;
    }
}
