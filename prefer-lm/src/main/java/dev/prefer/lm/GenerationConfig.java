package dev.prefer.lm;

import java.util.List;

/**
 * How to pick new tokens. Greedy takes the arg-max; otherwise logits are divided by {@code temperature}, cut to the
 * {@code topK} largest (0 = off), then to the smallest set whose probability reaches {@code topP} (1 = off), then to
 * the tokens whose probability is at least {@code minP} times the largest (0 = off), the order transformers applies
 * its warpers in ({@code generation/utils.py} {@code _get_logits_processor}: Temperature, TopK, TopP, MinP), and one
 * token is drawn from what is left, renormalised.
 *
 * <p>Seeds: {@link CausalLM#complete(List, GenerationConfig)} gives every sample its own generator, seeded from its
 * request's seed and its sample index, so that a sample's tokens do not depend on the other rows of the batch; the
 * older {@link CausalLM#generateIds(List, GenerationConfig)} derives each row's seed from {@code seed} and the row.
 *
 * @param maxNewTokens token budget per sample (>= 1)
 * @param greedy       arg-max decoding (ignores temperature, top-k, top-p, min-p and seeds)
 * @param temperature  > 0, default 1
 * @param topK         >= 0, default 0 (off)
 * @param topP         in (0, 1], default 1 (off)
 * @param seed         seed of the sampler (of the rows of {@code generateIds}; requests carry their own)
 * @param stopAtEos    stop a sample after it emits eos (the eos is kept in its ids)
 * @param minP         in [0, 1], default 0 (off): min-p sampling (Nguyen et al. 2024, arXiv:2407.01082)
 * @param stop         stop strings: a sample stops once its text contains one; its text is cut before it (its ids
 *                     keep the token that completed it), as vLLM does
 * @param samples      samples per request, K >= 1
 * @param maxBatch     rows decoded together at most (prompts x samples are split into waves of this many), >= 1
 */
public record GenerationConfig(int maxNewTokens, boolean greedy, double temperature, int topK, double topP, long seed,
                               boolean stopAtEos, double minP, List<String> stop, int samples, int maxBatch) {
    /** Default rows in flight. */
    public static final int DEFAULT_MAX_BATCH = 64;

    public GenerationConfig {
        if (maxNewTokens < 1) throw new IllegalArgumentException("max new tokens must be >= 1: " + maxNewTokens);
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be > 0: " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0: " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1]: " + topP);
        if (!(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("min-p must be in [0, 1]: " + minP);
        stop = List.copyOf(stop == null ? List.of() : stop);
        for (String s : stop) if (s.isEmpty()) throw new IllegalArgumentException("stop strings must not be empty");
        if (samples < 1) throw new IllegalArgumentException("samples per prompt must be >= 1: " + samples);
        if (maxBatch < 1) throw new IllegalArgumentException("max batch must be >= 1: " + maxBatch);
    }

    /** The original seven knobs; no min-p, no stop strings, one sample, {@link #DEFAULT_MAX_BATCH} rows in flight. */
    public GenerationConfig(int maxNewTokens, boolean greedy, double temperature, int topK, double topP, long seed, boolean stopAtEos) {
        this(maxNewTokens, greedy, temperature, topK, topP, seed, stopAtEos, 0.0, List.of(), 1, DEFAULT_MAX_BATCH);
    }

    /** Greedy decoding for {@code n} tokens, not stopping at eos (the fixtures' setting). */
    public static GenerationConfig greedy(int n) {
        return new GenerationConfig(n, true, 1.0, 0, 1.0, 0L, false);
    }

    /** Sampling with the given knobs, stopping at eos. */
    public static GenerationConfig sample(int n, double temperature, int topK, double topP, long seed) {
        return new GenerationConfig(n, false, temperature, topK, topP, seed, true);
    }

    public GenerationConfig withStopAtEos(boolean v) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, seed, v, minP, stop, samples, maxBatch);
    }

    public GenerationConfig withMinP(double v) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, seed, stopAtEos, v, stop, samples, maxBatch);
    }

    public GenerationConfig withStop(List<String> v) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, seed, stopAtEos, minP, v, samples, maxBatch);
    }

    public GenerationConfig withSamples(int v) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, seed, stopAtEos, minP, stop, v, maxBatch);
    }

    public GenerationConfig withMaxBatch(int v) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, seed, stopAtEos, minP, stop, samples, v);
    }

    /** Whether any token can be cut before the draw (top-k, top-p or min-p on). */
    boolean filters() {
        return topK > 0 || topP < 1 || minP > 0;
    }
}
