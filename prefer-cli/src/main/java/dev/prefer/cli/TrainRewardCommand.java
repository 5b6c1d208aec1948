package dev.prefer.cli;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Json;
import dev.prefer.data.Manifest;
import dev.prefer.data.PreferencePair;
import dev.prefer.reward.RewardTraining;
import dev.prefer.reward.head.BtLoss;
import dev.prefer.reward.head.HeadConfig;
import dev.prefer.reward.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code prefer train reward}: a reward model (frozen backbone + trained head) from preference pairs. */
@Command(name = "reward", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Train a reward model: a head on frozen text embeddings, from preference pairs. "
                + "Heads: bt (Bradley-Terry, linear), mlp, pal (ideal points + user prototypes), micro (mixture of BT heads, "
                + "context routing), gpm (skew-symmetric preference embeddings), classifier (pairwise MLP), multi "
                + "(attribute heads + direction, DPA), linear (named features).",
        footer = {"", "Examples:",
                "  ./prefer train reward --backbone minilm --head bt --data ../shared/data/hh-rlhf-harmless/dev.jsonl.gz --out runs/rm-bt",
                "  ./prefer train reward --head pal --components 2 --data pairs-with-annotators.jsonl --out runs/rm-pal",
                "  ./prefer train reward --head linear --backbone none --data pairs.jsonl --out runs/rm-linear",
                "  ./prefer train reward --head bt --contextual --label-smoothing 0.1 --reward-centering 0.01 --data d.jsonl --out runs/rm"})
public final class TrainRewardCommand implements Callable<Integer> {
    @Option(names = "--backbone", defaultValue = "minilm", description = "minilm (all-MiniLM-L6-v2), hash-N (feature hashing), none (linear head only).")
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

    @Option(names = "--epochs", defaultValue = "200", description = "Maximum epochs.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", description = "Pairs per step.")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.01", description = "AdamW learning rate.")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0.0001", description = "AdamW decoupled weight decay.")
    double weightDecay;

    @Option(names = "--validation-fraction", defaultValue = "0.1", description = "Share held out when --validation is not given.")
    double validationFraction;

    @Option(names = "--patience", defaultValue = "10", description = "Early-stopping patience in epochs.")
    int patience;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for the split, shuffles and initialisation.")
    long seed;

    @Mixin
    RewardOptions io;

    @Override
    public Integer call() {
        HeadConfig hc = new HeadConfig(head, hidden, contextual, components, latent, new BtLoss(margin, smoothing, centering), null);
        TrainConfig tc = new TrainConfig(seed, epochs, batchSize, lr, weightDecay, validationFraction, patience);
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
}
