package dev.prefer.cli;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.data.PreferencePair;
import dev.prefer.data.pref.LengthConfig;
import dev.prefer.reward.HeadTrainer;
import dev.prefer.reward.LmRewardTraining;
import dev.prefer.reward.RewardTraining;
import dev.prefer.reward.head.HeadConfig;
import dev.prefer.train.RewardLoss;
import dev.prefer.train.TrainConfig;
import dev.prefer.train.Trainer;
import dev.prefer.train.TrainingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code prefer train reward}: a reward model from preference pairs, either a head on frozen text embeddings
 * ({@link RewardTraining}) or, with {@code --backbone DIR}, a Hugging Face causal LM with a score head trained fully
 * or with LoRA ({@link LmRewardTraining}).
 */
@Command(name = "reward", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Train a reward model from preference pairs.",
                "With --backbone minilm|minilm-q|hash-N|none: a head on frozen text embeddings. "
                + "Heads: bt (Bradley-Terry, linear), mlp, pal (ideal points + user prototypes), micro (mixture of BT heads, "
                + "context routing), gpm (skew-symmetric preference embeddings), classifier (pairwise MLP), multi "
                + "(attribute heads + direction, DPA), linear (named features).",
                "With --backbone DIR (a Hugging Face *ForSequenceClassification folder, num_labels 1): the whole model with "
                + "its linear score head on the last token (TRL's RewardTrainer), fully or with --lora; output in the same layout "
                + "(or a PEFT adapter + merged/), with manifest.json, metrics.jsonl and checkpoints/ (--save-every, --resume)."},
        footer = {"", "Examples:",
                "  ./prefer train reward --backbone minilm --head bt --data ../shared/data/hh-rlhf-harmless/dev.jsonl.gz --out runs/rm-bt",
                "  ./prefer train reward --head pal --components 2 --data pairs-with-annotators.jsonl --out runs/rm-pal",
                "  ./prefer train reward --head linear --backbone none --data pairs.jsonl --out runs/rm-linear",
                "  ./prefer train reward --head bt --contextual --label-smoothing 0.1 --reward-centering 0.01 --data d.jsonl --out runs/rm",
                "  ./prefer train reward --backbone ../shared/fixtures/hf-tiny-rm/llama-rm --data ../shared/fixtures/hf-tiny/pairs.jsonl \\",
                "      --out runs/rm-lm --lr 1e-3 --batch-size 10 --max-steps 10 --validation-fraction 0",
                "  ./prefer train reward --backbone ../shared/fixtures/hf-tiny-rm/llama-rm --lora --lr 1e-3 --max-prompt-length 96 --max-length 128 \\",
                "      --data ../shared/data/hh-rlhf-harmless/dev.jsonl.gz --out runs/rm-lora --save-every 50   # --resume continues exactly"})
public final class TrainRewardCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--backbone", defaultValue = "minilm", description = "minilm (all-MiniLM-L6-v2), minilm-q (int8), hash-N (feature hashing), none (linear head only), or DIR: a Hugging Face sequence-classification model folder.")
    String backbone;

    @Option(names = "--head", defaultValue = "bt", description = "bt, mlp, pal, micro, gpm, classifier, multi, linear.")
    String head;

    @Option(names = "--data", required = true, description = "Preference pairs (JSONL or .jsonl.gz).")
    Path data;

    @Option(names = "--validation", description = "Held-out pairs; without it --validation-fraction of --data is held out (seeded).")
    Path validation;

    @Option(names = "--out", required = true, description = "Folder for the saved model.")
    Path out;

    @Option(names = "--context", defaultValue = "auto", description = "What conditions the reward: auto, prompt, annotator, both, none.")
    String context;

    @Option(names = "--contextual", description = "Feed [y, c*y] to bt/mlp/pal heads (context-conditioned reward).")
    boolean contextual;

    @Option(names = "--hidden", defaultValue = "64", description = "Hidden units (mlp, classifier).")
    int hidden;

    @Option(names = "--components", defaultValue = "2", description = "PAL prototypes / MiCRo experts.")
    int components;

    @Option(names = "--latent", defaultValue = "8", description = "PAL ideal-point size / GPM embedding size 2k.")
    int latent;

    @Option(names = "--margin", description = "Subtract each pair's margin inside the BT loss.")
    boolean margin;

    @Option(names = "--label-smoothing", defaultValue = "0", description = "BT label smoothing epsilon in [0, 0.5).")
    double smoothing;

    @Option(names = "--reward-centering", defaultValue = "0", description = "BT reward-centering coefficient eta.")
    double centering;

    @Option(names = "--no-derive-verbosity", description = "multi head: do not add a ln(1+words) verbosity label when the data has no attributes.")
    boolean noVerbosity;

    @Option(names = "--epochs", description = "Maximum epochs (default 200 for heads, 1 for a model folder).")
    Integer epochs;

    @Option(names = "--batch-size", description = "Pairs per step (default 32 for heads, 8 for a model folder).")
    Integer batchSize;

    @Option(names = "--lr", description = "AdamW learning rate (default 0.01 for heads, 1e-5 for a model folder).")
    Double lr;

    @Option(names = "--weight-decay", description = "AdamW decoupled weight decay (default 1e-4 for heads, 0 for a model folder).")
    Double weightDecay;

    @Option(names = "--validation-fraction", defaultValue = "0.1", description = "Share held out when --validation is not given.")
    double validationFraction;

    @Option(names = "--patience", defaultValue = "10", description = "Early-stopping patience in epochs (heads).")
    int patience;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for the split, shuffles and initialisation.")
    long seed;

    @Mixin
    RewardOptions io;

    @Mixin
    LmRewardOptions lm;

    @Override
    public Integer call() {
        if (Files.isDirectory(Path.of(backbone))) return trainLm();
        for (String o : LmRewardOptions.NAMES) {
            if (spec.commandLine().getParseResult().hasMatchedOption(o)) throw new IllegalArgumentException(o + " needs --backbone DIR (a model folder)");
        }
        int epochs = this.epochs == null ? 200 : this.epochs, batchSize = this.batchSize == null ? 32 : this.batchSize;
        double lr = this.lr == null ? 0.01 : this.lr, weightDecay = this.weightDecay == null ? 1e-4 : this.weightDecay;
        HeadConfig hc = new HeadConfig(head, hidden, contextual, components, latent, new RewardLoss(margin, centering, smoothing), null);
        try {
            Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
        }
        TrainConfig tc = HeadTrainer.defaults().toBuilder().seed(seed).epochs(epochs).batchSize(batchSize).learningRate(lr)
                .weightDecay(weightDecay).eval(null, validationFraction).patience(patience).out(out).build(); // metrics.jsonl: one row per epoch
        RewardTraining.Config cfg = new RewardTraining.Config(backbone, hc, tc, context, !noVerbosity);
        List<PreferencePair> pairs = io.read(data);
        List<PreferencePair> val = validation == null ? null : io.read(validation);
        RewardTraining.Outcome o = RewardTraining.train(pairs, val, cfg, io.backbone(), s -> System.err.println("prefer: " + s));
        Manifest m = Manifest.of("reward-model", Map.of("training", cfg.toMap(), "command", "prefer train reward"), seed).withInput("data", data);
        if (validation != null) m = m.withInput("validation", validation);
        o.model().save(out, m);
        AtomicFiles.writeString(out.resolve("metrics.json"), Json.pretty(o.metrics()) + "\n");
        o.model().close();
        System.out.printf(Locale.ROOT, "head=%s backbone=%s train: %s%n", head, backbone, o.train());
        if (o.validation() != null) System.out.printf(Locale.ROOT, "head=%s backbone=%s validation: %s%n", head, backbone, o.validation());
        System.out.println("saved " + out);
        return 0;
    }

    /** Backbone (b): the whole sequence-classification model (or LoRA + its score head) by prefer-train's trainer. */
    private Integer trainLm() {
        if (!head.equals("bt")) throw new IllegalArgumentException("--head " + head + ": a model folder trains its own linear score head (bt)");
        if (contextual) throw new IllegalArgumentException("--contextual applies to embedding heads, not to a model folder");
        if (!context.equals("auto")) throw new IllegalArgumentException("--context applies to embedding heads, not to a model folder");
        if (io.format != null) throw new IllegalArgumentException("--format: a model folder's data layout is detected from the rows (standard, conversational, implicit prompt)");
        if (io.threads > 0 || io.cache != null || io.noCache) throw new IllegalArgumentException("--threads/--cache/--no-cache apply to embedding backbones");
        TrainConfig.LoraConfig l = lm.lora.config(!lm.noMerge);
        LengthConfig len = lm.length.config();
        TrainConfig c = TrainConfig.builder(TrainConfig.Task.REWARD)
                .model(Path.of(backbone)).data(data).eval(validation, validation == null ? validationFraction : 0).out(out)
                .reward(new RewardLoss(margin, centering, smoothing))
                .learningRate(lr == null ? 1e-5 : lr).weightDecay(weightDecay == null ? 0 : weightDecay)
                .schedule(lm.schedule, lm.warmupSteps).maxGradNorm(lm.maxGradNorm).maxSteps(lm.maxSteps).epochs(epochs == null ? 1 : epochs)
                .batchSize(batchSize == null ? 8 : batchSize).gradAccumulation(lm.gradAccumulation).seed(seed)
                .every(lm.logEvery, lm.saveEvery, lm.evalEvery).lora(l).length(len).skipBadRows(io.skipBadRows).precision(TrainCommand.precision(lm.precision))
                .resume(lm.resume).prefixSharing(TrainConfig.PrefixSharing.OFF).build();
        try {
            Trainer.TrainResult r = LmRewardTraining.train(c, System.out);
            if (!r.evalMetrics().isEmpty()) System.out.println("validation: " + Json.line(r.evalMetrics()));
            System.out.println("saved " + out + " (" + r.steps() + " steps)");
            return 0;
        } catch (TrainingException e) {
            System.err.println("prefer: " + e.getMessage());
            return 3;
        }
    }
}
