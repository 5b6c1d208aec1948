package dev.prefer.data.pref;

import dev.prefer.data.PreferencePair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Applies a {@link LengthConfig} to token ids, and tokenizes whole datasets with a {@link TokenEncoder}, counting
 * what was kept, truncated and dropped.
 */
public final class LengthLimiter {
    private final LengthConfig config;

    public LengthLimiter(LengthConfig config) {
        this.config = config;
    }

    public LengthConfig config() {
        return config;
    }

    /** A prompt and its responses as token ids, after length handling. */
    public record Tokenized(int[] prompt, List<int[]> responses, boolean truncated) {
        public int[] response(int i) {
            return responses.get(i);
        }
    }

    /** Counts of one pass over a dataset. */
    public record Counts(long kept, long truncated, long dropped) {}

    /** A tokenized pair plus the pair it came from. */
    public record TokenizedPair(PreferencePair pair, int[] prompt, int[] chosen, int[] rejected, boolean truncated) {}

    /**
     * @return the (possibly truncated) ids, or empty when the row is dropped
     */
    public Optional<Tokenized> apply(int[] prompt, List<int[]> responses) {
        int maxP = config.maxPromptLength();
        int maxL = config.maxLength();
        boolean over = maxP > 0 && prompt.length > maxP;
        for (int[] r : responses) over |= maxL > 0 && Math.min(prompt.length, maxP > 0 ? maxP : prompt.length) + r.length > maxL;
        if (!over) return Optional.of(new Tokenized(prompt, List.copyOf(responses), false));
        if (config.overflow() == LengthConfig.Overflow.DROP) return Optional.empty();
        int[] p = prompt;
        if (maxP > 0 && p.length > maxP) {
            p = config.truncationSide() == LengthConfig.Side.LEFT
                    ? Arrays.copyOfRange(p, p.length - maxP, p.length)
                    : Arrays.copyOf(p, maxP);
        }
        List<int[]> out = new ArrayList<>(responses.size());
        for (int[] r : responses) {
            int room = maxL > 0 ? maxL - p.length : Integer.MAX_VALUE;
            out.add(r.length > room ? Arrays.copyOf(r, room) : r);
        }
        return Optional.of(new Tokenized(p, List.copyOf(out), true));
    }

    /** Tokenized pairs and the counts of what happened to them. */
    public record TokenizedPairs(List<TokenizedPair> pairs, Counts counts) {}

    /** Tokenizes pairs (prompt, chosen and rejected encoded separately) and applies the limits. */
    public TokenizedPairs tokenizePairs(List<PreferencePair> pairs, TokenEncoder encoder) {
        List<TokenizedPair> out = new ArrayList<>(pairs.size());
        long kept = 0, truncated = 0, dropped = 0;
        for (PreferencePair pair : pairs) {
            Optional<Tokenized> t = apply(encoder.encode(pair.prompt()),
                    List.of(encoder.encode(pair.chosen()), encoder.encode(pair.rejected())));
            if (t.isEmpty()) {
                dropped++;
                continue;
            }
            kept++;
            if (t.get().truncated()) truncated++;
            out.add(new TokenizedPair(pair, t.get().prompt(), t.get().response(0), t.get().response(1), t.get().truncated()));
        }
        return new TokenizedPairs(List.copyOf(out), new Counts(kept, truncated, dropped));
    }
}
