package dev.prefer.lm.bench;

import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Completion;
import dev.prefer.lm.GenerationConfig;
import dev.prefer.lm.GenerationRequest;
import dev.prefer.lm.ModelConfig;
import dev.prefer.lm.Precision;
import dev.prefer.lm.Torch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Batched sampling throughput of {@link CausalLM#complete} on a GPT-2-shaped model with random weights: B prompts of
 * different lengths (row i has minLen + i·(maxLen − minLen)/(B − 1) tokens), each sampled once for {@code newTokens}
 * tokens (no eos stop: with random weights every row runs the whole budget, as in the reference), per-token raw
 * log-probs recorded. The same workload as bench/generate_torch.py. A benchmark: it measures and asserts nothing.
 */
public final class GenerateBench {
    private GenerateBench() {}

    /** A model shape and a workload. */
    public record Size(String name, int layers, int width, int heads, int vocab, int ctx, int batch, int minLen, int maxLen, int newTokens) {
        public static final Size TINY = new Size("tiny", 2, 128, 4, 512, 1024, 16, 16, 64, 64);
        public static final Size GPT2_SMALL = new Size("gpt2-small", 12, 768, 12, 50257, 1024, 8, 32, 128, 64);

        public static Size named(String name) {
            return switch (name) {
                case "tiny" -> TINY;
                case "gpt2-small", "gpt2" -> GPT2_SMALL;
                default -> throw new IllegalArgumentException("unknown size '" + name + "' (tiny, gpt2-small)");
            };
        }

        public int promptLen(int i) {
            return minLen + (i * (maxLen - minLen)) / Math.max(1, batch - 1);
        }

        public int tokensPerRun() {
            return batch * newTokens;
        }

        /** The reference script's flags for this shape. */
        public List<String> torchArgs() {
            return List.of("--layers", "" + layers, "--d-model", "" + width, "--heads", "" + heads, "--vocab", "" + vocab, "--ctx", "" + ctx,
                    "--batch", "" + batch, "--min-len", "" + minLen, "--max-len", "" + maxLen, "--new-tokens", "" + newTokens);
        }
    }

    /** Sampling knobs (defaults: temperature 1, no cut: the GRPO setting of TRL and vLLM). */
    public record Sampling(double temperature, int topK, double topP, double minP) {}

    /** Seconds per timed run and tokens/s of their median. */
    public record Result(double[] seconds, double tokensPerSecond, double meanLogp, double peakRssMiB) {
        public double median() {
            double[] s = seconds.clone();
            Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
        }
    }

    public static Result run(Size size, Sampling sampling, int warmup, int runs, long seed) {
        Torch.init();
        ModelConfig cfg = ModelConfig.gpt2(size.vocab(), size.ctx(), size.width(), size.layers(), size.heads());
        try (CausalLM lm = CausalLM.randomInit(cfg, seed, Precision.F32)) {
            Random rng = new Random(seed + 1);
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < size.batch(); i++) {
                long[] ids = new long[size.promptLen(i)];
                for (int j = 0; j < ids.length; j++) ids[j] = rng.nextInt(size.vocab());
                reqs.add(new GenerationRequest(ids, seed + i));
            }
            GenerationConfig gc = new GenerationConfig(size.newTokens(), false, sampling.temperature(), sampling.topK(), sampling.topP(), seed, false)
                    .withMinP(sampling.minP()).withMaxBatch(size.batch());
            double[] secs = new double[runs];
            double logp = 0;
            for (int r = 0; r < warmup + runs; r++) {
                long t0 = System.nanoTime();
                List<List<Completion>> out = lm.complete(reqs, gc);
                double dt = (System.nanoTime() - t0) / 1e9;
                if (r >= warmup) secs[r - warmup] = dt;
                double s = 0;
                int n = 0;
                for (List<Completion> cs : out) for (Completion c : cs) {
                    s += c.sumLogp();
                    n += c.tokenIds().length;
                }
                if (n != size.tokensPerRun()) throw new IllegalStateException("expected " + size.tokensPerRun() + " new tokens, got " + n);
                logp = s / n;
            }
            Result res = new Result(secs, 0, logp, Rss.peakMiB());
            return new Result(secs, size.tokensPerRun() / res.median(), logp, res.peakRssMiB());
        }
    }
}
