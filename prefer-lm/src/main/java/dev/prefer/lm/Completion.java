package dev.prefer.lm;

/**
 * One sampled continuation of a {@link GenerationRequest}.
 *
 * @param promptIds    the prompt's ids
 * @param tokenIds     the new ids; the eos that ended it is kept, and so is the token that completed a stop string
 * @param logps        per new token, the raw model log-probability log softmax(logits)[token] at temperature 1
 *                     before any top-k/top-p/min-p cut — not the log-probability under the sampling distribution —
 *                     which is what vLLM returns as sample log-probs and what TRL's GRPO keeps as {@code old_per_token_logps}
 * @param finishReason why it ended
 * @param text         the decoded new ids (special tokens skipped), cut before the stop string when one ended it
 * @param sample       its index k among the request's samples
 * @param seed         the seed of its generator ({@link GenerationRequest#sampleSeed(long, int)})
 */
public record Completion(long[] promptIds, long[] tokenIds, double[] logps, FinishReason finishReason, String text, int sample, long seed) {
    public Completion {
        promptIds = promptIds.clone();
        tokenIds = tokenIds.clone();
        logps = logps.clone();
        if (logps.length != tokenIds.length) throw new IllegalArgumentException("one log-prob per token");
    }

    @Override
    public long[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public double[] logps() {
        return logps.clone();
    }

    @Override
    public long[] promptIds() {
        return promptIds.clone();
    }

    /** Sum of the per-token log-probabilities. */
    public double sumLogp() {
        double s = 0;
        for (double x : logps) s += x;
        return s;
    }

    /** Why a sample ended. */
    public enum FinishReason {
        /** it emitted an end-of-sequence id (and stopping at eos was on) */
        EOS,
        /** its text reached a stop string */
        STOP,
        /** it used the whole token budget */
        LENGTH;

        /** "eos", "stop" or "length" (the JSON name). */
        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
