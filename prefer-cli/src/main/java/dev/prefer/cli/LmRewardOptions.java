package dev.prefer.cli;

import dev.prefer.train.TrainConfig;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of {@code prefer train reward --backbone DIR} only (the trainer's; defaults are prefer-train's). */
final class LmRewardOptions {
    /** Every option here: given without a model-folder backbone, they are an error. */
    static final List<String> NAMES = List.of("--lora", "--lora-rank", "--lora-alpha", "--lora-dropout", "--lora-target-modules",
            "--lora-init", "--no-merge", "--max-steps", "--grad-accumulation", "--max-grad-norm", "--warmup-steps", "--schedule", "--log-every",
            "--save-every", "--eval-every", "--resume", "--max-prompt-length", "--max-length", "--truncation-side", "--drop-long", "--precision");

    @picocli.CommandLine.Mixin
    LoraOptions lora;
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
    @picocli.CommandLine.Mixin
    LengthOptions length;
    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|fp16|bf16", description = "Model folder: fp32, or fp16: "
            + "mixed precision (float32 master weights and AdamW state, float16 forward/backward), or bf16: bfloat16 weights for "
            + "the LoRA base, float32 masters with bfloat16 products in full fine-tuning; the score head's weights stay float32.")
    String precision;
}
