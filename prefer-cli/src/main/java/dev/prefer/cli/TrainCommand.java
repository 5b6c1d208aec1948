package dev.prefer.cli;

import dev.prefer.data.pref.LengthConfig;
import dev.prefer.lm.Precision;
import dev.prefer.objectives.Objective;
import dev.prefer.objectives.ObjectiveCatalog;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.Trainer;
import dev.prefer.train.TrainingException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code prefer train dpo|sft}: a thin layer over {@link Trainer#run(TrainConfig)}. */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        description = "Trains a model: preference optimization of a Hugging Face causal LM (dpo and every objective of `prefer objectives`), SFT, or a reward model.",
        subcommands = {TrainCommand.Dpo.class, TrainCommand.Sft.class, TrainRewardCommand.class,
                TrainOnlineCommand.Grpo.class, TrainOnlineCommand.Rloo.class, TrainOnlineCommand.ReinforcePp.class, TrainOnlineCommand.OnlineDpo.class,
                TrainOnlineCommand.NashMd.class, TrainOnlineCommand.Sppo.class, TrainOnlineCommand.Dno.class, TrainOnlineCommand.Inpo.class,
                TrainOnlineCommand.PrefGrpo.class})
public final class TrainCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Options shared by both tasks. */
    static final class Common {
        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Initial policy: Hugging Face model folder.")
        Path model;
        @Option(names = "--data", required = true, paramLabel = "FILE", description = "Training data (JSONL or gzip JSONL).")
        Path data;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder: model (or PEFT adapter + merged/), manifest.json, metrics.jsonl, checkpoints/.")
        Path out;
        @Option(names = "--eval-data", paramLabel = "FILE", description = "Evaluation file (default: --eval-fraction of the data).")
        Path evalData;
        @Option(names = "--eval-fraction", defaultValue = "0", description = "Held-out fraction when no --eval-data is given.")
        double evalFraction;
        @Option(names = "--learning-rate", defaultValue = "1e-6", description = "Peak learning rate (AdamW).")
        double learningRate;
        @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW decoupled weight decay.")
        double weightDecay;
        @Option(names = "--schedule", defaultValue = "LINEAR", description = "CONSTANT, LINEAR or COSINE after warm-up.")
        TrainConfig.Schedule schedule;
        @Option(names = "--warmup-steps", defaultValue = "0", description = "Linear warm-up steps.")
        int warmupSteps;
        @Option(names = "--max-steps", defaultValue = "0", description = "Optimizer steps (0 = --epochs passes).")
        int maxSteps;
        @Option(names = "--epochs", defaultValue = "1", description = "Passes over the data when --max-steps is 0.")
        int epochs;
        @Option(names = "--batch-size", defaultValue = "4", description = "Groups per forward pass.")
        int batchSize;
        @Option(names = "--grad-accumulation", defaultValue = "1", description = "Forward passes per optimizer step.")
        int gradAccumulation;
        @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Global gradient-norm clip (0 = off).")
        double maxGradNorm;
        @Option(names = "--seed", defaultValue = "42", description = "Data order, LoRA init, dropout.")
        long seed;
        @Option(names = "--log-every", defaultValue = "1", description = "Steps between metric lines.")
        int logEvery;
        @Option(names = "--save-every", defaultValue = "0", description = "Steps between checkpoints (0 = none).")
        int saveEvery;
        @Option(names = "--eval-every", defaultValue = "0", description = "Steps between evaluations (0 = at the end).")
        int evalEvery;
        @Option(names = "--resume", description = "Continue from the last checkpoint in OUT/checkpoints (an error when there is none).")
        boolean resume;
        @Option(names = "--resume-if-exists", description = "Continue from the last checkpoint when there is one, else start from step 0.")
        boolean resumeIfExists;
        @Option(names = "--device", defaultValue = "CPU", description = "CPU or GPU (GPU needs a CUDA build of libtorch).")
        TrainConfig.Device device;
        @Mixin
        LoraOptions lora;
        @Mixin
        LengthOptions length;
        @Option(names = "--cache-dir", paramLabel = "DIR", description = "Reference log-prob cache (default ~/.cache/prefer/ref-logps).")
        Path cacheDir;
        @Option(names = "--skip-bad-rows", description = "Skip and count bad rows instead of failing.")
        boolean skipBadRows;

        @Option(names = "--prefix-sharing", defaultValue = "AUTO", description = "Run each group's shared prompt once "
                + "(AUTO: when that saves at least 5%% of the tokens; ON; OFF).")
        TrainConfig.PrefixSharing prefixSharing;

        @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|fp16|bf16", description = PRECISION_HELP)
        String precision;

        @Option(names = "--gradient-checkpointing", description = "Recompute each block's activations in the backward pass "
                + "instead of keeping them: less memory, about one more forward pass of time; same numbers.")
        boolean gradientCheckpointing;

        Precision precision() {
            return TrainCommand.precision(precision);
        }

        TrainConfig config(TrainConfig.Task task, Path ref, Objective objective) {
            boolean doResume = TrainCommand.resumes(resume, resumeIfExists, out);
            return TrainConfig.builder(task).model(model).ref(ref).data(data).eval(evalData, evalFraction).out(out).cacheDir(cacheDir)
                    .objective(objective).learningRate(learningRate).weightDecay(weightDecay).schedule(schedule, warmupSteps)
                    .maxGradNorm(maxGradNorm).maxSteps(maxSteps).epochs(epochs).batchSize(batchSize).gradAccumulation(gradAccumulation)
                    .seed(seed).every(logEvery, saveEvery, evalEvery).lora(lora.config(true)).length(length.config())
                    .skipBadRows(skipBadRows).precision(precision()).device(device).gradientCheckpointing(gradientCheckpointing)
                    .resume(doResume).prefixSharing(prefixSharing).build();
        }
    }

    /** The help text of {@code --precision} on the training verbs (offline, online, reward). */
    static final String PRECISION_HELP = "fp32, or fp16: mixed precision (float32 master weights and AdamW state, float16 "
            + "forward/backward; the reference model in float16), or bf16: bfloat16 weights for the LoRA base and the reference "
            + "model, float32 masters with bfloat16 products in full fine-tuning.";

    /** {@code --precision fp32|fp16|bf16} (every command that takes it): the library's {@link Precision}. */
    static Precision precision(String value) {
        return precision("--precision", value);
    }

    /** The same for another option ({@code --reward-precision}), named in the error. */
    static Precision precision(String option, String value) {
        return switch (value) {
            case "fp32" -> Precision.F32;
            case "fp16" -> Precision.F16;
            case "bf16" -> Precision.BF16;
            default -> throw new IllegalArgumentException(option + " must be fp32, fp16 or bf16, got " + value);
        };
    }

    /**
     * Whether a run continues from its last checkpoint: {@code --resume} requires one (Hugging Face's Trainer refuses
     * too), {@code --resume-if-exists} uses one when it is there; giving both is an error.
     */
    static boolean resumes(boolean resume, boolean resumeIfExists, Path out) {
        if (resume && resumeIfExists) throw new IllegalArgumentException("--resume and --resume-if-exists: give one");
        if (resume && !Trainer.hasCheckpoint(out)) {
            throw new IllegalArgumentException("--resume: no checkpoint in " + out.resolve("checkpoints")
                    + " (use --resume-if-exists to start from scratch when there is none)");
        }
        return resume || (resumeIfExists && Trainer.hasCheckpoint(out));
    }

    static int execute(TrainConfig c) {
        try {
            Trainer.TrainResult r = Trainer.run(c, System.out);
            System.out.println("prefer train: " + r.steps() + " steps -> " + r.out());
            return 0;
        } catch (TrainingException e) {
            System.err.println("prefer: " + e.getMessage());
            return 3;
        }
    }

    @Command(name = "dpo", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"Preference optimization with any objective of `prefer objectives` (default dpo).",
                    "Data: pairs, ranked lists, unpaired rows (kto; bco with unpaired=1) or joint pairs with different prompts (dove).",
                    "Reference log-probs come from --ref (default: the initial policy), computed once and cached on disk."},
            footer = {"", "Examples:",
                    "  ./prefer train dpo --model ../shared/fixtures/hf-tiny/llama/policy --ref ../shared/fixtures/hf-tiny/llama/reference \\",
                    "      --data ../shared/fixtures/hf-tiny/pairs.jsonl --out runs/dpo --learning-rate 1e-3 --max-steps 50 --batch-size 10",
                    "  ./prefer train dpo --model M --data pairs.jsonl.gz --out runs/ipo --objective ipo --objective-params tau=0.1 --lora",
                    "  ./prefer train dpo --model M --data unpaired.jsonl --out runs/kto --objective kto --batch-size 8   # {prompt, completion, label}",
                    "  ./prefer train dpo --model M --data unpaired.jsonl --out runs/bco --objective bco --objective-params beta=0.1,unpaired=1",
                    "  ./prefer train dpo --model M --data joint.jsonl --out runs/dove --objective dove   # {prompt_chosen, chosen, prompt_rejected, rejected}",
                    "  ./prefer train dpo --model M --data pairs.jsonl --out runs/x --save-every 100 --resume"})
    static final class Dpo implements Callable<Integer> {
        @Mixin
        Common common = new Common();
        @Option(names = "--ref", paramLabel = "DIR", description = "Reference model folder (default: the initial policy; unused by reference-free objectives).")
        Path ref;
        @Option(names = "--objective", defaultValue = "dpo", description = "Objective name (see `prefer objectives`).")
        String objective;
        @Option(names = "--objective-params", paramLabel = "K=V,...", description = "Overrides of the objective's own defaults "
                + "(listed by `prefer objectives`), e.g. beta=0.2 for dpo, tau=0.05 for ipo.")
        String params;

        @Override
        public Integer call() {
            // the objective with its own defaults and the user's overrides; unknown names and parameters fail here
            Objective o = ObjectiveCatalog.create(objective, ObjectiveCatalog.parseParams(params));
            return execute(common.config(TrainConfig.Task.PREFERENCE, ref, o));
        }
    }

    @Command(name = "sft", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"Supervised fine-tuning: next-token loss on the completion only (prompt masked).",
                    "Rows: {\"prompt\",\"completion\"} strings, {\"messages\":[...]} or prompt/completion message lists (chat template),",
                    "or a preference file (the chosen response is the completion)."},
            footer = {"", "Examples:",
                    "  ./prefer train sft --model ../shared/fixtures/hf-tiny/gpt2/policy --data ../shared/fixtures/hf-tiny/pairs.jsonl --out runs/sft \\",
                    "      --learning-rate 1e-3 --max-steps 20",
                    "  ./prefer train sft --model M --data chats.jsonl --out runs/sft --lora --lora-target-modules q_proj,k_proj,v_proj,o_proj"})
    static final class Sft implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Override
        public Integer call() {
            return execute(common.config(TrainConfig.Task.SFT, null, null));
        }
    }
}
