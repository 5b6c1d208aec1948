package dev.prefer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Manifest;
import dev.prefer.data.Json;
import dev.prefer.data.PreferencePair;
import dev.prefer.reward.LmRewardModel;
import dev.prefer.reward.RewardModel;
import dev.prefer.reward.RewardScorer;
import dev.prefer.reward.source.RewardSource;
import dev.prefer.reward.source.RewardSources;
import dev.prefer.reward.source.RewardSpec;
import dev.prefer.reward.source.Samples;
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

/**
 * {@code prefer score}: adds rewards and the preference probability to every pair of a file ({@code --model}), or
 * scores the completions of a samples file with any reward source ({@code --reward}).
 */
@Command(name = "score", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Score preference pairs with a saved reward model (--model: a prefer-reward head folder, a Hugging Face "
                + "sequence-classification folder, or a PEFT adapter over one): one JSON line per pair with reward_chosen, "
                + "reward_rejected (models with a per-response reward) and p_chosen = P(chosen > rejected).",
                "Or score samples with reward sources (--reward SPEC, repeatable, as TRL's reward_funcs; --reward-weights as its "
                + "reward_weights): verifier:TASK, model:DIR, pairwise:DIR (within-group win rates), judge:URL?model=NAME "
                + "(an OpenAI-compatible LLM judge), each optionally weighted as W*SPEC. Samples are JSONL rows "
                + "{\"prompt\",\"completions\":[...]} or {\"prompt\",\"completion\"} / {\"prompt\",\"text\"} (prefer generate's output; "
                + "rows with the same prompt form one group). Each row comes back with rewards (or reward), reward_components "
                + "and, for pairwise sources, win_probabilities. See docs/reward.md, 'Reward sources'."},
        footer = {"", "Examples:",
                "  ./prefer score --model runs/rm-bt --data ../shared/data/hh-rlhf-harmless/dev.jsonl.gz --out scored.jsonl",
                "  ./prefer score --model runs/rm-pal --data pairs.jsonl --annotator alice",
                "  ./prefer score --model runs/rm-multi --data pairs.jsonl --weights preference=0.8,verbosity=-0.6",
                "  ./prefer score --model ../shared/fixtures/hf-tiny-rm/llama-rm --data ../shared/fixtures/hf-tiny/pairs.jsonl",
                "  ./prefer score --reward pairwise:../shared/fixtures/hf-tiny-rm/llama-rm --data ../shared/fixtures/hf-tiny/pairs.jsonl",
                "  ./prefer score --reward verifier:arithmetic --data samples.jsonl --out scored.jsonl",
                "  ./prefer score --reward verifier:arithmetic --reward model:runs/rm --reward-weights 1,0.5 --data samples.jsonl",
                "  ./prefer score --reward pairwise:runs/rm-gpm --data samples.jsonl",
                "  ./prefer score --reward model:../shared/fixtures/hf-tiny-rm/llama-rm --data ../shared/fixtures/hf-tiny/pairs.jsonl --precision bf16",
                "  ./prefer score --reward 'judge:http://127.0.0.1:8000/v1?model=qwen&mode=pairwise&rubric=rubric.txt' --data samples.jsonl"})
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Saved reward model folder (prefer-reward head, HF sequence-classification model, or PEFT adapter); scores pairs.")
    Path model;

    @Option(names = "--reward", paramLabel = "SPEC", description = "A reward source (repeatable): verifier:TASK, model:DIR, pairwise:DIR, judge:URL?model=NAME[&mode=pairwise&rubric=FILE...], optionally W*SPEC; scores samples.")
    List<String> rewards;

    @Option(names = "--reward-weights", split = ",", paramLabel = "W", description = "One weight per --reward, in order (TRL's reward_weights); default 1 each.")
    List<Double> rewardWeights;

    @Option(names = "--judge-api-key-env", defaultValue = "OPENAI_API_KEY", description = "Environment variable holding the LLM judges' API key (sent as a bearer token when set).")
    String judgeApiKeyEnv;

    @Option(names = "--judge-cache", description = "LLM judges' answer cache folder (default: $XDG_CACHE_HOME/prefer/judge or ~/.cache/prefer/judge).")
    Path judgeCache;

    @Option(names = "--no-judge-cache", description = "Do not cache judge answers on disk.")
    boolean noJudgeCache;

    @Option(names = "--data", required = true, description = "Preference pairs (--model) or samples (--reward), JSONL or .jsonl.gz.")
    Path data;

    @Option(names = "--out", description = "Output JSONL (written atomically, with OUT.manifest.json); stdout when omitted.")
    Path out;

    @Option(names = "--annotator", description = "Score as this annotator (overrides the rows' annotator field; --model only).")
    String annotator;

    @Option(names = "--weights", split = ",", description = "multi head: the user's direction, e.g. preference=0.8,verbosity=-0.6 (--model only).")
    Map<String, Double> weights;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|fp16|bf16", description = "Language-model "
            + "reward models (--model, or model:/pairwise: sources of --reward): fp32, or fp16: float16 weights and compute, or bf16: "
            + "bfloat16 weights and products (half the memory of fp32); norms, softmax and the score are float32 in both. Embedding "
            + "heads take fp32 only; verifiers and judges ignore it.")
    String precision;

    @Mixin
    RewardOptions io;

    @Override
    public Integer call() throws Exception {
        boolean sources = rewards != null && !rewards.isEmpty();
        if (sources == (model != null)) throw new IllegalArgumentException("give either --model DIR (score pairs) or --reward SPEC (score samples)");
        if (sources) return scoreSamples();
        if (rewardWeights != null) throw new IllegalArgumentException("--reward-weights needs --reward");
        List<PreferencePair> pairs = io.read(data);
        dev.prefer.lm.Precision prec = TrainCommand.precision(precision);
        boolean lmFolder = LmRewardModel.isLmFolder(model);
        if (prec != dev.prefer.lm.Precision.F32 && !lmFolder) {
            throw new IllegalArgumentException("--precision " + precision + ": " + model + " is not a language-model reward model (embedding heads run in float32)");
        }
        try (RewardScorer m = lmFolder ? LmRewardModel.load(model, prec) : RewardScorer.open(model, io.backbone())) {
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
                print(sb);
            } else {
                AtomicFiles.writeString(out, sb.toString());
                Manifest man = Manifest.of("reward-scores", Map.of("command", "prefer score", "annotator", String.valueOf(annotator), "precision", precision,
                        "weights", weights == null ? Map.of() : weights), null).withInput("model", m instanceof RewardModel ? model.resolve("head.json") : model).withInput("data", data);
                AtomicFiles.writeString(out.resolveSibling(out.getFileName() + ".manifest.json"), man.toJson() + "\n");
                System.err.println("prefer: scored " + pairs.size() + " pairs into " + out);
            }
        }
        return 0;
    }

    /** {@code --reward}: the library's {@link Samples#score} over the sources the specs name. */
    private int scoreSamples() {
        if (annotator != null || weights != null) throw new IllegalArgumentException("--annotator and --weights go with --model; with --reward write model:DIR?annotator=NAME");
        if (io.format != null || io.skipBadRows) throw new IllegalArgumentException("--format and --skip-bad-rows go with --model (samples files have one layout)");
        RewardSources.Options options = RewardSources.Options.defaults().withPrecision(TrainCommand.precision(precision))
                .withBackbone(io.backbone()).withApiKeyEnv(judgeApiKeyEnv)
                .withJudgeCache(noJudgeCache ? null : judgeCache != null ? judgeCache : RewardSources.defaultJudgeCache());
        Samples.Read input = Samples.read(data);
        try (RewardSource source = RewardSources.open(rewards, rewardWeights, options)) {
            Samples.Scored scored = Samples.score(source, input);
            StringBuilder sb = new StringBuilder();
            for (ObjectNode row : scored.rows()) sb.append(Json.line(row)).append('\n');
            if (out == null) {
                print(sb);
            } else {
                AtomicFiles.writeString(out, sb.toString());
                Map<String, Object> config = new LinkedHashMap<>();
                config.put("command", "prefer score");
                config.put("reward_funcs", rewards);
                config.put("reward_weights", rewardWeights == null ? List.of() : rewardWeights);
                config.put("source", source.name());
                config.put("precision", precision);
                config.put("means", finite(scored.means()));
                config.put("counters", source.counters());
                Manifest man = Manifest.of("reward-scores", config, null).withInput("data", data);
                for (String text : rewards) {
                    RewardSpec spec = RewardSpec.parse(text);
                    if (spec.kind().equals("model") || spec.kind().equals("pairwise")) man = man.withInput(spec.name(), Path.of(spec.target()));
                    for (String file : new String[] {"rubric", "system"}) {
                        if (spec.params().containsKey(file)) man = man.withInput(spec.name() + "/" + file, Path.of(spec.params().get(file)));
                    }
                }
                AtomicFiles.writeString(out.resolveSibling(out.getFileName() + ".manifest.json"), man.toJson() + "\n");
            }
            System.err.println("prefer: scored " + input.completions() + " completions of " + input.groups().size() + " prompts"
                    + (out == null ? "" : " into " + out));
            for (Map.Entry<String, Double> e : scored.means().entrySet()) {
                String key = e.getKey().equals("reward") ? "reward/mean" : "rewards/" + e.getKey() + "/mean";
                System.err.printf("  %-40s %.6f%n", key, e.getValue());
            }
            for (Map.Entry<String, Long> e : source.counters().entrySet()) System.err.printf("  %-40s %d%n", e.getKey(), e.getValue());
        }
        return 0;
    }

    private static Map<String, Object> finite(Map<String, Double> m) {
        Map<String, Object> o = new LinkedHashMap<>();
        m.forEach((k, v) -> o.put(k, Double.isFinite(v) ? v : null));
        return o;
    }

    private static void print(StringBuilder sb) {
        Writer w = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
        PrintWriter pw = new PrintWriter(w);
        pw.print(sb);
        pw.flush();
    }
}
