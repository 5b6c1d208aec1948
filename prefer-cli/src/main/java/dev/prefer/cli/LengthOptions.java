package dev.prefer.cli;

import dev.prefer.data.pref.LengthConfig;
import picocli.CommandLine.Option;

/** Length handling of training data (TRL's max_prompt_length / max_length / truncation side), shared by the train commands. */
final class LengthOptions {
    @Option(names = "--max-prompt-length", defaultValue = "0", description = "Prompt token limit (0 = none).")
    int maxPromptLength;
    @Option(names = "--max-length", defaultValue = "0", description = "Prompt + response token limit (0 = the model's positions).")
    int maxLength;
    @Option(names = "--truncation-side", defaultValue = "LEFT", description = "Which end of an over-long prompt is cut: LEFT or RIGHT.")
    LengthConfig.Side truncationSide;
    @Option(names = "--drop-long", description = "Drop over-long rows instead of truncating.")
    boolean dropLong;

    LengthConfig config() {
        return new LengthConfig(maxPromptLength, maxLength, truncationSide, dropLong ? LengthConfig.Overflow.DROP : LengthConfig.Overflow.TRUNCATE);
    }
}
