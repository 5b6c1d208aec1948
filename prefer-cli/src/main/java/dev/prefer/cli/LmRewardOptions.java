package dev.prefer.cli;

import dev.prefer.data.pref.LengthConfig;
import dev.prefer.train.TrainConfig;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of {@code prefer train reward --backbone DIR} only (the trainer's; defaults are prefer-train's). */
final class LmRewardOptions {
    /** Every option here: given without a model-folder backbone, they are an error. */
    static final List<String> NAMES = List.of("--lora", "--lora-rank", "--lora-alpha", "--lora-dropout", "--lora-target-modules",
            "--lora-init", "--no-merge", "--max-steps", "--grad-accumulation", "--max-grad-norm", "--warmup-steps", "--schedule", "--log-every",
            "--save-every", "--eval-every", "--resume", "--max-prompt-length", "--max-length", "--truncation-side", "--drop-long");

    @Option(names = "--lora", description = "Model folder: train LoRA adapters and the score head (PEFT SEQ_CLS) instead of all weights.")
    boolean lora;
    @Option(names = "--lora-rank", defaultValue = "8", description = "Model folder: LoRA rank r.")
    int loraRank;
    @Option(names = "--lora-alpha", defaultValue = "16", description = "Model folder: LoRA alpha (scale alpha / r).")
    double loraAlpha;
    @Option(names = "--lora-dropout", defaultValue = "0", description = "Model folder: dropout on the LoRA path.")
    double loraDropout;
    @Option(names = "--lora-target-modules", split = ",", paramLabel = "NAME", description = "Model folder: LoRA modules (default q_proj,v_proj; GPT-2 c_attn).")
    List<String> loraTargets;
    @Option(names = "--lora-init", paramLabel = "DIR", description = "Model folder with --lora: start from this PEFT adapter (its r, alpha and target modules must match).")
    java.nio.file.Path loraInit;
    @Option(names = "--no-merge", description = "Model folder with --lora: do not also write the merged model to OUT/merged.")
    boolean noMerge;
    @Option(names = "--max-steps", defaultValue = "0", description = "Model folder: optimizer steps (0 = --epochs passes).")
    int maxSteps;
    @Option(names = "--grad-accumulation", defaultValue = "1", description = "Model folder: forward passes per optimizer step.")
    int gradAccumulation;
    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Model folder: global gradient-norm clip (0 = off).")
    double maxGradNorm;
    @Option(names = "--warmup-steps", defaultValue = "0", description = "Model folder: linear warm-up steps.")
    int warmupSteps;
    @Option(names = "--schedule", defaultValue = "LINEAR", description = "Model folder: CONSTANT, LINEAR or COSINE after warm-up.")
    TrainConfig.Schedule schedule;
    @Option(names = "--log-every", defaultValue = "1", description = "Model folder: steps between metric lines.")
    int logEvery;
    @Option(names = "--save-every", defaultValue = "0", description = "Model folder: steps between checkpoints (0 = none).")
    int saveEvery;
    @Option(names = "--eval-every", defaultValue = "0", description = "Model folder: steps between evaluations (0 = at the end).")
    int evalEvery;
    @Option(names = "--resume", description = "Model folder: continue from the last checkpoint in OUT/checkpoints.")
    boolean resume;
    @Option(names = "--max-prompt-length", defaultValue = "0", description = "Model folder: prompt token limit (0 = none).")
    int maxPromptLength;
    @Option(names = "--max-length", defaultValue = "0", description = "Model folder: prompt + response token limit (0 = the model's positions).")
    int maxLength;
    @Option(names = "--truncation-side", defaultValue = "LEFT", description = "Model folder: which end of an over-long prompt is cut.")
    LengthConfig.Side truncationSide;
    @Option(names = "--drop-long", description = "Model folder: drop over-long rows instead of truncating.")
    boolean dropLong;
}
