package dev.prefer.lm;

/**
 * One prompt to continue, as token ids, with the seed of its samples: sample k draws from its own generator seeded
 * by {@link #sampleSeed(long, int)}, so its tokens do not depend on which other prompts share the batch (nor on the
 * batch size, the order of requests or finished rows leaving), up to the float rounding of batched matrix products.
 *
 * @param promptIds the prompt's ids (not empty)
 * @param seed      the request's seed
 */
public record GenerationRequest(long[] promptIds, long seed) {
    public GenerationRequest {
        if (promptIds == null || promptIds.length == 0) throw new IllegalArgumentException("empty prompt");
        promptIds = promptIds.clone();
    }

    @Override
    public long[] promptIds() {
        return promptIds.clone();
    }

    int length() {
        return promptIds.length;
    }

    long id(int j) {
        return promptIds[j];
    }

    /** Whether {@code o} continues the same prompt ids (its rows can share one prefill). */
    boolean samePrompt(GenerationRequest o) {
        return o == this || java.util.Arrays.equals(promptIds, o.promptIds);
    }

    /** The seed of sample {@code k} of a request seeded {@code seed} (SplitMix64's finaliser over both). */
    public static long sampleSeed(long seed, int k) {
        return mix(seed + 0x9E3779B97F4A7C15L * (k + 1L));
    }

    /** A per-item seed from a run seed and an item index (e.g. the line of a prompt file), the same mixer. */
    public static long itemSeed(long runSeed, long index) {
        return mix(runSeed ^ mix(index + 0x632BE59BD9B4E019L));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
