package dev.prefer.cli;

import dev.prefer.data.Json;
import dev.prefer.data.PreferencePair;
import dev.prefer.reward.RewardModel;
import dev.prefer.reward.RewardScorer;
import dev.prefer.reward.eval.PairMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code prefer eval reward}: accuracy, log-likelihood, calibration and per-annotator accuracy on labelled pairs. */
@Command(name = "reward", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Evaluate a saved reward model on preference pairs: pairwise accuracy, mean log-likelihood, expected calibration error (10 bins), accuracy per annotator.",
        footer = {"", "Examples:",
                "  ./prefer eval reward --model runs/rm-bt --data ../shared/data/hh-rlhf-harmless/dev.jsonl.gz",
                "  ./prefer eval reward --model runs/rm-multi --data pairs.jsonl --weights preference=1 --json",
                "  ./prefer eval reward --model ../shared/fixtures/hf-tiny-rm/llama-rm --data ../shared/fixtures/hf-tiny/pairs.jsonl"})
public final class EvalRewardCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Saved reward model folder (prefer-reward head, HF sequence-classification model, or PEFT adapter).")
    Path model;

    @Option(names = "--data", required = true, description = "Preference pairs (JSONL or .jsonl.gz).")
    Path data;

    @Option(names = "--weights", split = ",", description = "multi head: the user's direction, e.g. preference=0.8,verbosity=-0.6.")
    Map<String, Double> weights;

    @Option(names = "--json", description = "Print the metrics as JSON.")
    boolean json;

    @Mixin
    RewardOptions io;

    @Override
    public Integer call() {
        List<PreferencePair> pairs = io.read(data);
        try (RewardScorer m = RewardScorer.open(model, io.backbone())) {
            if (weights != null) {
                if (!(m instanceof RewardModel rm)) throw new IllegalArgumentException("--weights needs a multi-attribute head (" + model + " is a language-model reward model)");
                rm.setDirection(weights);
            }
            PairMetrics r = m.evaluate(pairs);
            if (json) {
                System.out.println(Json.pretty(r.toMap()));
            } else {
                System.out.printf(Locale.ROOT, "pairs %d%naccuracy %.4f%nlog-likelihood %.4f%nece %.4f%n", r.pairs(), r.accuracy(), r.logLikelihood(), r.ece());
                r.accuracyByAnnotator().forEach((a, acc) -> System.out.printf(Locale.ROOT, "accuracy[%s] %.4f (%d pairs)%n", a, acc, r.pairsByAnnotator().get(a)));
            }
        }
        return 0;
    }
}
