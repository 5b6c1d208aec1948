package dev.prefer.cli;

import dev.prefer.data.Json;
import dev.prefer.data.pref.ChatTemplate;
import dev.prefer.data.pref.PreferenceData;
import dev.prefer.data.pref.PreferenceFormat;
import dev.prefer.data.pref.PreferenceReader;
import dev.prefer.data.pref.PreferenceStats;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code prefer data ...}: look at preference files. */
@Command(name = "data",
        mixinStandardHelpOptions = true,
        description = "Preference data files.",
        subcommands = {DataCommand.Inspect.class},
        footer = {"", "Examples:", "  ./prefer data inspect ../shared/data/hh-rlhf-harmless/dev.jsonl.gz"})
public final class DataCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code prefer data inspect FILE}: counts, prompt-split statistics and bad rows. */
    @Command(name = "inspect",
            mixinStandardHelpOptions = true,
            showDefaultValues = true,
            description = "Read a preference file (JSONL or gzip JSONL; standard, conversational, implicit-prompt, "
                    + "ranked or unpaired rows) and print counts, how prompts were split, lengths and bad rows.",
            footer = {"", "Examples:",
                    "  ./prefer data inspect ../shared/data/hh-rlhf-harmless/dev.jsonl.gz",
                    "  ./prefer data inspect ../shared/fixtures/hf-tiny/pairs.jsonl --json",
                    "  ./prefer data inspect chats.jsonl --chat-template MODEL_DIR --skip-bad-rows"})
    static final class Inspect implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The preference file.")
        Path file;

        @Option(names = "--format", description = "Row layout (default: detected from the first row): "
                + "standard, conversational, implicit-prompt, conversational-implicit-prompt, ranked, unpaired, joint.")
        String format;

        @Option(names = "--skip-bad-rows", description = "Count and skip bad rows instead of stopping at the first.")
        boolean skipBadRows;

        @Option(names = "--chat-template", paramLabel = "MODEL",
                description = "Model folder (or tokenizer_config.json) whose chat template renders conversational rows.")
        Path chatTemplate;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Override
        public Integer call() {
            PreferenceReader.Options options = new PreferenceReader.Options(
                    format == null ? null : PreferenceFormat.parse(format), skipBadRows,
                    chatTemplate == null ? null : ChatTemplate.fromTokenizerConfig(chatTemplate));
            PreferenceData data = PreferenceReader.read(file, options);
            Map<String, Object> stats = PreferenceStats.of(data);
            System.out.print(json ? Json.pretty(stats) + "\n" : PreferenceStats.toText(stats));
            return 0;
        }
    }
}
