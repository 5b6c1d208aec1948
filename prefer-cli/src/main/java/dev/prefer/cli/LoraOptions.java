package dev.prefer.cli;

import dev.prefer.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** LoRA options (PEFT's names and defaults), shared by {@code train dpo|sft} and {@code train reward --backbone DIR}. */
final class LoraOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--lora", description = "Train LoRA adapters (PEFT layout) instead of all weights; a reward model's score head is trained too.")
    boolean lora;
    @Option(names = "--lora-rank", defaultValue = "8", description = "LoRA rank r.")
    int rank;
    @Option(names = "--lora-alpha", defaultValue = "16", description = "LoRA alpha (scale alpha / r).")
    double alpha;
    @Option(names = "--lora-dropout", defaultValue = "0", description = "Dropout on the LoRA path.")
    double dropout;
    @Option(names = "--lora-target-modules", split = ",", paramLabel = "NAME", description = "Module names (default: q_proj,v_proj for Llama-family, c_attn for GPT-2).")
    List<String> targets;
    @Option(names = "--lora-init", paramLabel = "DIR", description = "Start from this PEFT adapter folder (its r, alpha and target modules must match the options) instead of fresh adapters.")
    Path init;

    /** The LoRA config, or null for full fine-tuning; {@code merge}: also write OUT/merged. */
    TrainConfig.LoraConfig config(boolean merge) {
        if (init != null && !lora) throw new ParameterException(mixee.commandLine(), "--lora-init needs --lora");
        return lora ? new TrainConfig.LoraConfig(rank, alpha, dropout, targets, merge, init) : null;
    }
}
