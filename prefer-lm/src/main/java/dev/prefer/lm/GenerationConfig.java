package dev.prefer.lm;

/**
 * How to pick new tokens. Greedy takes the arg-max; otherwise logits are divided by {@code temperature}, cut to the
 * {@code topK} largest (0 = off) and then to the smallest set whose probability reaches {@code topP} (1 = off), the
 * order transformers applies them in, and one token is drawn with a generator seeded by {@code seed}.
 *
 * @param maxNewTokens token budget per prompt (>= 1)
 * @param greedy       arg-max decoding (ignores temperature/top-k/top-p/seed)
 * @param temperature  > 0, default 1
 * @param topK         >= 0, default 0 (off)
 * @param topP         in (0, 1], default 1 (off)
 * @param seed         seed of the sampler
 * @param stopAtEos    stop a row after it emits eos (the eos is kept in its output)
 */
public record GenerationConfig(int maxNewTokens, boolean greedy, double temperature, int topK, double topP, long seed,
                               boolean stopAtEos) {
    public GenerationConfig {
        if (maxNewTokens < 1) throw new IllegalArgumentException("max new tokens must be >= 1: " + maxNewTokens);
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be > 0: " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0: " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1]: " + topP);
    }

    /** Greedy decoding for {@code n} tokens, not stopping at eos (the fixtures' setting). */
    public static GenerationConfig greedy(int n) {
        return new GenerationConfig(n, true, 1.0, 0, 1.0, 0L, false);
    }

    /** Sampling with the given knobs, stopping at eos. */
    public static GenerationConfig sample(int n, double temperature, int topK, double topP, long seed) {
        return new GenerationConfig(n, false, temperature, topK, topP, seed, true);
    }

    public GenerationConfig withStopAtEos(boolean stop) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, seed, stop);
    }
}
