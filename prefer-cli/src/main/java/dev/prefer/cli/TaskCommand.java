package dev.prefer.cli;

import dev.prefer.data.Json;
import dev.prefer.eval.RunSetup;
import dev.prefer.eval.VerifyResponses;
import dev.prefer.core.stats.Bootstrap;
import dev.prefer.eval.tasks.Tasks;
import dev.prefer.eval.tasks.Verdict;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prefer task <verb>}: the built-in verifiable tasks (arithmetic, format, counting). */
@Command(name = "task", mixinStandardHelpOptions = true,
        description = "Verifiable tasks: make data, a tokenizer and an initial model; verify responses.",
        subcommands = {TaskCommand.Prepare.class, TaskCommand.Verify.class, TaskCommand.Check.class},
        footer = {"", "Examples:", "  ./prefer task prepare --task arithmetic --out runs/arith",
                "  ./prefer task check --task arithmetic --prompt '12+35=' --response 47",
                "  ./prefer task verify --task format --responses runs/fmt/samples.jsonl"})
public final class TaskCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "prepare", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"Write task data (SFT rows, training and held-out prompts, held-out hard-negative pairs), a BPE "
                    + "tokenizer trained on it and a randomly initialised Llama-layout model folder, with a manifest. "
                    + "Deterministic for a seed."},
            footer = {"", "Examples:", "  ./prefer task prepare --task arithmetic --out runs/arith",
                    "  ./prefer task prepare --task format --train 5000 --hidden 256 --layers 6 --seed 1 --out runs/fmt"})
    static final class Prepare implements Callable<Integer> {
        @Option(names = "--task", defaultValue = "arithmetic", description = "arithmetic, format or counting.")
        String task;
        @Option(names = "--out", required = true, description = "Output folder (must be new or empty).")
        Path out;
        @Option(names = "--train", defaultValue = "2000", description = "Training problems.")
        int train;
        @Option(names = "--held-out", defaultValue = "200", description = "Held-out problems (disjoint from training for every seed).")
        int heldOut;
        @Option(names = "--negatives", defaultValue = "2", description = "Hard negatives per held-out prompt (held-out pairs).")
        int negatives;
        @Option(names = "--vocab-size", defaultValue = "512", description = "Tokenizer vocabulary (at most; the model takes the tokenizer's).")
        int vocabSize;
        @Option(names = "--hidden", defaultValue = "128", description = "Model width.")
        int hidden;
        @Option(names = "--ffn", defaultValue = "256", description = "SwiGLU inner width.")
        int ffn;
        @Option(names = "--layers", defaultValue = "4", description = "Decoder layers.")
        int layers;
        @Option(names = "--heads", defaultValue = "4", description = "Attention heads.")
        int heads;
        @Option(names = "--kv-heads", defaultValue = "2", description = "Key/value heads (grouped-query attention).")
        int kvHeads;
        @Option(names = "--max-positions", defaultValue = "64", description = "Longest sequence the model takes.")
        int maxPositions;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the data draw and the initial weights.")
        long seed;

        @Override
        public Integer call() {
            RunSetup.Result r = RunSetup.prepare(new RunSetup.Config(task, train, heldOut, negatives, vocabSize, hidden, ffn, layers,
                    heads, kvHeads, maxPositions, seed), out);
            System.out.printf(Locale.ROOT, "%s: %d training and %d held-out problems, %d held-out pairs -> %s%n",
                    task, r.trainCount(), r.heldOutCount(), r.heldOutPairs(), r.dataDir());
            System.out.printf(Locale.ROOT, "model: %,d parameters, vocabulary %d, longest sequence %d tokens -> %s%n",
                    r.parameters(), r.tokenizerVocab(), r.longestSequence(), r.modelDir());
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Verifier accuracy of a JSONL file of {\"prompt\", \"response\"} rows, with 95%% intervals.",
            footer = {"", "Examples:", "  ./prefer task verify --task arithmetic --responses samples.jsonl",
                    "  ./prefer task verify --task counting --responses samples.jsonl --json"})
    static final class Verify implements Callable<Integer> {
        @Option(names = "--task", defaultValue = "arithmetic", description = "arithmetic, format or counting.")
        String task;
        @Option(names = "--responses", required = true, description = "JSONL with prompt and response (or completion) per row.")
        Path responses;
        @Option(names = "--bootstrap", defaultValue = "2000", description = "Bootstrap resamples.")
        int resamples;
        @Option(names = "--seed", defaultValue = "0", description = "Bootstrap seed.")
        long seed;
        @Option(names = "--json", description = "Print one JSON object instead of text.")
        boolean json;

        @Override
        public Integer call() {
            VerifyResponses.Summary s = VerifyResponses.verify(task, responses, new Bootstrap(resamples, 0.95, seed));
            if (json) {
                System.out.println(Json.line(s));
                return 0;
            }
            System.out.printf(Locale.ROOT, "%s, %d responses%n", task, s.n());
            System.out.printf(Locale.ROOT, "verifier accuracy  %.4f  bootstrap [%.4f, %.4f]  Wilson [%.4f, %.4f]%n",
                    s.accuracy().value(), s.accuracy().lower(), s.accuracy().upper(), s.wilson().lower(), s.wilson().upper());
            System.out.printf(Locale.ROOT, "mean score         %.4f  [%.4f, %.4f]%n", s.meanScore().value(), s.meanScore().lower(), s.meanScore().upper());
            s.components().forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-16s %.4f%n", k, v));
            System.out.printf(Locale.ROOT, "length (chars)     mean %.1f, median %.1f, p90 %.1f, max %.0f%n",
                    s.lengths().mean(), s.lengths().median(), s.lengths().p90(), s.lengths().max());
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Score one response to one prompt with the task's verifier (prints JSON).",
            footer = {"", "Examples:", "  ./prefer task check --task arithmetic --prompt '12+35=' --response 47",
                    "  ./prefer task check --task format --prompt $'Write about ocean; 3 words; uppercase\\n' --response 'BLUE DEEP SEA'"})
    static final class Check implements Callable<Integer> {
        @Option(names = "--task", defaultValue = "arithmetic", description = "arithmetic, format or counting.")
        String task;
        @Option(names = "--prompt", required = true, description = "The prompt, exactly as the model saw it.")
        String prompt;
        @Option(names = "--response", required = true, description = "The model's completion.")
        String response;

        @Override
        public Integer call() {
            Verdict v = Tasks.byName(task).verify(prompt, response);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pass", v.pass());
            m.put("score", v.score());
            m.put("components", v.components());
            System.out.println(Json.line(m));
            return v.pass() ? 0 : 1;
        }
    }
}
