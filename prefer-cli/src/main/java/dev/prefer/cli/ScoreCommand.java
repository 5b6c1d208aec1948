package dev.prefer.cli;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Manifest;
import dev.prefer.data.Json;
import dev.prefer.data.PreferencePair;
import dev.prefer.reward.LmRewardModel;
import dev.prefer.reward.RewardModel;
import dev.prefer.reward.RewardScorer;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code prefer score}: adds rewards and the preference probability to every pair of a file. */
@Command(name = "score", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Score preference pairs with a saved reward model (a prefer-reward head folder, a Hugging Face "
                + "sequence-classification folder, or a PEFT adapter over one): one JSON line per pair with reward_chosen, "
                + "reward_rejected (models with a per-response reward) and p_chosen = P(chosen > rejected).",
        footer = {"", "Examples:",
                "  ./prefer score --model runs/rm-bt --data ../shared/data/hh-rlhf-harmless/dev.jsonl.gz --out scored.jsonl",
                "  ./prefer score --model runs/rm-pal --data pairs.jsonl --annotator alice",
                "  ./prefer score --model runs/rm-multi --data pairs.jsonl --weights preference=0.8,verbosity=-0.6",
                "  ./prefer score --model ../shared/fixtures/hf-tiny-rm/llama-rm --data ../shared/fixtures/hf-tiny/pairs.jsonl"})
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Saved reward model folder (prefer-reward head, HF sequence-classification model, or PEFT adapter).")
    Path model;

    @Option(names = "--data", required = true, description = "Preference pairs (JSONL or .jsonl.gz).")
    Path data;

    @Option(names = "--out", description = "Output JSONL (written atomically, with OUT.manifest.json); stdout when omitted.")
    Path out;

    @Option(names = "--annotator", description = "Score as this annotator (overrides the rows' annotator field).")
    String annotator;

    @Option(names = "--weights", split = ",", description = "multi head: the user's direction, e.g. preference=0.8,verbosity=-0.6.")
    Map<String, Double> weights;

    @Mixin
    RewardOptions io;

    @Override
    public Integer call() throws Exception {
        List<PreferencePair> pairs = io.read(data);
        try (RewardScorer m = RewardScorer.open(model, io.backbone())) {
            if (weights != null) {
                if (!(m instanceof RewardModel rm)) throw new IllegalArgumentException("--weights needs a multi-attribute head (" + model + " is a language-model reward model)");
                rm.setDirection(weights);
            }
            if (annotator != null) {
                if (m instanceof LmRewardModel) throw new IllegalArgumentException("--annotator: a language-model reward model has no per-annotator parameters");
                pairs = pairs.stream().map(p -> new PreferencePair(p.prompt(), p.chosen(), p.rejected(), p.margin(), p.weight(), annotator,
                        p.attributes(), p.source())).toList();
            }
            List<RewardScorer.PairScore> scores = m.scorePairs(pairs);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < pairs.size(); i++) {
                PreferencePair p = pairs.get(i);
                RewardScorer.PairScore e = scores.get(i);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("line", p.source().line());
                row.put("prompt", p.prompt());
                row.put("chosen", p.chosen());
                row.put("rejected", p.rejected());
                if (p.annotator() != null) row.put("annotator", p.annotator());
                if (!Double.isNaN(e.rewardChosen())) {
                    row.put("reward_chosen", e.rewardChosen());
                    row.put("reward_rejected", e.rewardRejected());
                }
                row.put("p_chosen", e.pChosen());
                sb.append(Json.line(row)).append('\n');
            }
            if (out == null) {
                Writer w = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
                PrintWriter pw = new PrintWriter(w);
                pw.print(sb);
                pw.flush();
            } else {
                AtomicFiles.writeString(out, sb.toString());
                Manifest man = Manifest.of("reward-scores", Map.of("command", "prefer score", "annotator", String.valueOf(annotator),
                        "weights", weights == null ? Map.of() : weights), null).withInput("model", m instanceof RewardModel ? model.resolve("head.json") : model).withInput("data", data);
                AtomicFiles.writeString(out.resolveSibling(out.getFileName() + ".manifest.json"), man.toJson() + "\n");
                System.err.println("prefer: scored " + pairs.size() + " pairs into " + out);
            }
        }
        return 0;
    }
}
