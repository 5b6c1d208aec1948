package dev.prefer.reward.source;

import dev.prefer.eval.tasks.Tasks;
import dev.prefer.lm.Precision;
import dev.prefer.reward.Backbones;
import dev.prefer.reward.LmRewardModel;
import dev.prefer.reward.RewardScorer;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Builds reward sources from {@link RewardSpec} strings: the one entry point of {@code prefer score --reward} and the online trainers. */
public final class RewardSources {
    private RewardSources() {}

    /**
     * What the specs do not say.
     *
     * @param backbone   how embedding reward models open their backbone
     * @param judgeCache default answer cache folder of LLM judges (a spec's {@code cache=} overrides; null: none)
     * @param apiKeyEnv  default environment variable of the judges' API key (a spec's {@code api-key-env=} overrides)
     * @param env        reads environment variables ({@code System::getenv}; tests pass a map)
     * @param precision  weights and compute of the language models that {@code model:} and {@code pairwise:} load (score
     *                   heads, PEFT adapters over them, and the causal LMs of an implicit reward): {@link Precision#F32}
     *                   (default), F16 (float16 weights and compute) or BF16 (bfloat16 weights and products; norms, softmax
     *                   and the score in float32), as {@code prefer score --model --precision}. Embedding heads run in
     *                   float32 only: such a spec is refused under any other precision. Verifiers and judges ignore it.
     */
    public record Options(Backbones.Options backbone, Path judgeCache, String apiKeyEnv, Function<String, String> env, Precision precision) {
        public Options {
            java.util.Objects.requireNonNull(precision, "precision");
        }

        public static Options defaults() {
            return new Options(Backbones.Options.defaults(), null, "OPENAI_API_KEY", System::getenv, Precision.F32);
        }

        public Options withJudgeCache(Path p) {
            return new Options(backbone, p, apiKeyEnv, env, precision);
        }

        public Options withApiKeyEnv(String v) {
            return new Options(backbone, judgeCache, v, env, precision);
        }

        public Options withEnv(Function<String, String> v) {
            return new Options(backbone, judgeCache, apiKeyEnv, v, precision);
        }

        public Options withBackbone(Backbones.Options v) {
            return new Options(v, judgeCache, apiKeyEnv, env, precision);
        }

        public Options withPrecision(Precision v) {
            return new Options(backbone, judgeCache, apiKeyEnv, env, v);
        }
    }

    /** The CLI's judge cache: {@code $XDG_CACHE_HOME/prefer/judge} or {@code ~/.cache/prefer/judge}. */
    public static Path defaultJudgeCache() {
        return dev.prefer.reward.backbone.CachedBackbone.defaultRoot().resolveSibling("judge");
    }

    /** One source from one spec (its weight, if any, is ignored: see {@link #open(List, List, Options)}). */
    public static RewardSource open(String spec, Options options) {
        RewardSpec s = RewardSpec.parse(spec);
        return open(s, s.name(), options);
    }

    /**
     * TRL's {@code reward_funcs} and {@code reward_weights}: one source per spec, weighted by the spec's own
     * {@code W*} prefix or by {@code weights} (one per spec; not both). A single unweighted spec gives the bare
     * source, anything else a {@link WeightedSum}. Sources opened before a failing spec are closed.
     */
    public static RewardSource open(List<String> specs, List<Double> weights, Options options) {
        if (specs == null || specs.isEmpty()) throw new IllegalArgumentException("no reward spec; give at least one, e.g. verifier:arithmetic");
        List<RewardSpec> parsed = new ArrayList<>();
        for (String s : specs) parsed.add(RewardSpec.parse(s));
        if (weights != null && !weights.isEmpty()) {
            if (weights.size() != specs.size()) {
                throw new IllegalArgumentException("reward weights: " + weights.size() + " weights for " + specs.size() + " reward specs");
            }
            for (RewardSpec s : parsed) {
                if (!s.unweighted().equals(s.text().strip())) {
                    throw RewardSpec.error(s.text(), "has its own weight; give weights either in the specs or as reward weights, not both");
                }
            }
        }
        if (parsed.size() == 1 && (weights == null || weights.isEmpty()) && parsed.get(0).weight() == 1) return open(parsed.get(0), parsed.get(0).name(), options);
        List<WeightedSum.Part> parts = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        try {
            for (int i = 0; i < parsed.size(); i++) {
                RewardSpec s = parsed.get(i);
                int n = seen.merge(s.name(), 1, Integer::sum);
                String name = n == 1 ? s.name() : s.name() + "#" + n;
                double w = weights != null && !weights.isEmpty() ? weights.get(i) : s.weight();
                parts.add(new WeightedSum.Part(open(s, name, options), w));
            }
        } catch (RuntimeException e) {
            for (WeightedSum.Part p : parts) {
                try {
                    p.source().close();
                } catch (RuntimeException ignored) {
                    e.addSuppressed(ignored);
                }
            }
            throw e;
        }
        return new WeightedSum(parts);
    }

    static RewardSource open(RewardSpec spec, String name, Options options) {
        switch (spec.kind()) {
            case "verifier" -> {
                try {
                    return new VerifierSource(name, Tasks.byName(spec.target()));
                } catch (IllegalArgumentException e) {
                    throw RewardSpec.error(spec.text(), e.getMessage());
                }
            }
            case "model", "pairwise" -> {
                Path folder = Path.of(spec.target());
                if (!Files.isDirectory(folder)) throw RewardSpec.error(spec.text(), "no such model folder " + folder);
                if (spec.kind().equals("pairwise") && (spec.params().containsKey("ref") || spec.params().containsKey("implicit"))) return implicit(spec, name, folder, options.precision());
                if (spec.params().containsKey("beta")) throw RewardSpec.error(spec.text(), "beta= goes with ref= or implicit= (a causal LM judged by its implicit reward)");
                boolean lm = LmRewardModel.isLmFolder(folder);
                if (options.precision() != Precision.F32 && !lm && Files.isRegularFile(folder.resolve("head.json"))) throw embeddingPrecision(spec, folder, options);
                RewardScorer scorer;
                try {
                    scorer = lm ? LmRewardModel.load(folder, options.precision()) : RewardScorer.open(folder, options.backbone());
                } catch (RuntimeException e) {
                    throw RewardSpec.error(spec.text(), dev.prefer.data.DataException.oneLine(e.getMessage()));
                }
                if (options.precision() != Precision.F32 && !(scorer instanceof LmRewardModel)) {
                    scorer.close();
                    throw embeddingPrecision(spec, folder, options);
                }
                String annotator = spec.params().get("annotator");
                try {
                    return spec.kind().equals("model") ? new ModelSource(name, scorer, annotator) : new PairwiseModelSource(name, scorer, annotator);
                } catch (RuntimeException e) {
                    scorer.close();
                    throw RewardSpec.error(spec.text(), e.getMessage());
                }
            }
            case "judge" -> {
                return new JudgeSource(name, judgeConfig(spec, options), options.env());
            }
            default -> throw RewardSpec.error(spec.text(), "unknown kind " + spec.kind());
        }
    }

    private static IllegalArgumentException embeddingPrecision(RewardSpec spec, Path folder, Options options) {
        String p = switch (options.precision()) {
            case F32 -> "fp32";
            case F64 -> "fp64";
            case F16 -> "fp16";
            case BF16 -> "bf16";
        };
        return RewardSpec.error(spec.text(), "precision " + p + ": " + folder
                + " is not a language-model reward model (embedding heads run in float32)");
    }

    /**
     * {@code pairwise:DIR?ref=REF&beta=B} (DPO's implicit reward) or {@code pairwise:DIR?implicit=simpo&beta=B} (SimPO's,
     * reference-free): a preference-trained causal LM as a judge, the policy and its reference loaded in {@code precision}.
     */
    static RewardSource implicit(RewardSpec spec, String name, Path folder, Precision precision) {
        String kind = spec.params().getOrDefault("implicit", "dpo");
        if (!kind.equals("dpo") && !kind.equals("simpo")) throw RewardSpec.error(spec.text(), "implicit= is dpo or simpo, not " + kind);
        Path ref = null;
        if (kind.equals("dpo")) {
            if (!spec.params().containsKey("ref")) throw RewardSpec.error(spec.text(), "DPO's implicit reward needs ref= (the reference model folder)");
            ref = Path.of(spec.params().get("ref"));
            if (!Files.isDirectory(ref)) throw RewardSpec.error(spec.text(), "no such reference folder " + ref);
        } else if (spec.params().containsKey("ref")) {
            throw RewardSpec.error(spec.text(), "SimPO's implicit reward has no reference (drop ref=)");
        }
        double beta;
        try {
            beta = Double.parseDouble(spec.params().getOrDefault("beta", kind.equals("dpo") ? "0.1" : "2"));
        } catch (NumberFormatException e) {
            throw RewardSpec.error(spec.text(), "beta is not a number: " + spec.params().get("beta"));
        }
        if (!(beta > 0) || !Double.isFinite(beta)) throw RewardSpec.error(spec.text(), "beta must be > 0");
        dev.prefer.lm.CausalLM policy = null;
        try {
            policy = dev.prefer.lm.CausalLM.load(folder, precision);
            dev.prefer.lm.CausalLM reference = ref == null ? null : dev.prefer.lm.CausalLM.load(ref, precision);
            return new ImplicitRewardSource(name, policy, reference, beta);
        } catch (RuntimeException e) {
            if (policy != null) policy.close();
            throw RewardSpec.error(spec.text(), dev.prefer.data.DataException.oneLine(e.getMessage()));
        }
    }

    /** The judge settings a {@code judge:} spec writes (defaults of {@link JudgeConfig} for the rest). */
    public static JudgeConfig judgeConfig(RewardSpec spec, Options options) {
        Map<String, String> p = spec.params();
        URI endpoint;
        try {
            endpoint = new URI(spec.target());
        } catch (URISyntaxException e) {
            throw RewardSpec.error(spec.text(), "bad endpoint URL: " + e.getMessage());
        }
        if (!p.containsKey("model")) throw RewardSpec.error(spec.text(), "judge needs model=NAME (the judge model's name at the endpoint)");
        JudgeConfig.Builder b;
        try {
            b = JudgeConfig.builder(endpoint, p.get("model"));
            if (options.apiKeyEnv() != null) b.apiKeyEnv(options.apiKeyEnv());
            b.cache(options.judgeCache());
            for (Map.Entry<String, String> e : p.entrySet()) {
                String v = e.getValue().strip();
                switch (e.getKey()) {
                    case "model", "name" -> { }
                    case "mode" -> b.mode(switch (v.toLowerCase()) {
                        case "pointwise" -> JudgeConfig.Mode.POINTWISE;
                        case "pairwise" -> JudgeConfig.Mode.PAIRWISE;
                        default -> throw new IllegalArgumentException("mode must be pointwise or pairwise, got '" + v + "'");
                    });
                    case "rubric" -> b.rubric(readFile(spec, "rubric", v));
                    case "system" -> b.system(readFile(spec, "system", v));
                    case "temperature" -> b.temperature(number("temperature", v));
                    case "max-tokens" -> b.maxTokens(integer("max-tokens", v));
                    case "timeout" -> b.timeout(seconds("timeout", v));
                    case "backoff" -> b.backoff(seconds("backoff", v));
                    case "retries" -> b.retries(integer("retries", v));
                    case "concurrency" -> b.concurrency(integer("concurrency", v));
                    case "cache" -> b.cache(v.equalsIgnoreCase("none") ? null : Path.of(v));
                    case "api-key-env" -> b.apiKeyEnv(v);
                    case "malformed" -> b.onMalformed(switch (v.toLowerCase()) {
                        case "neutral" -> JudgeConfig.Malformed.NEUTRAL;
                        case "skip" -> JudgeConfig.Malformed.SKIP;
                        case "fail" -> JudgeConfig.Malformed.FAIL;
                        default -> throw new IllegalArgumentException("malformed must be neutral, skip or fail, got '" + v + "'");
                    });
                    case "scale" -> {
                        int dash = v.indexOf('-', 1);
                        if (dash < 0) throw new IllegalArgumentException("scale must be MIN-MAX, e.g. 1-10, got '" + v + "'");
                        b.scale(number("scale", v.substring(0, dash)), number("scale", v.substring(dash + 1)));
                    }
                    case "orders" -> b.bothOrders(switch (v.toLowerCase()) {
                        case "both" -> true;
                        case "one" -> false;
                        default -> throw new IllegalArgumentException("orders must be both or one, got '" + v + "'");
                    });
                    default -> throw new IllegalArgumentException("unknown key " + e.getKey());
                }
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("reward spec '")) throw e;
            throw RewardSpec.error(spec.text(), e.getMessage());
        }
    }

    private static String readFile(RewardSpec spec, String key, String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw RewardSpec.error(spec.text(), key + " file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static double number(String key, String v) {
        try {
            double d = Double.parseDouble(v.strip());
            if (!Double.isFinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + v + "'");
        }
    }

    private static int integer(String key, String v) {
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
        }
    }

    private static Duration seconds(String key, String v) {
        return Duration.ofNanos(Math.round(number(key, v) * 1e9));
    }
}
