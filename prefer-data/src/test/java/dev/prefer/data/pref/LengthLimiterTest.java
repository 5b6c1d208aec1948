package dev.prefer.data.pref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.PreferencePair;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Length handling on token ids, with a fake whitespace tokenizer: word i of a text becomes the id of its number. */
class LengthLimiterTest {

    /** "w1 w2 w3" -> [1, 2, 3]. */
    static final TokenEncoder WORDS = text -> text.isBlank() ? new int[0]
            : java.util.Arrays.stream(text.trim().split("\\s+")).mapToInt(w -> Integer.parseInt(w.substring(1))).toArray();

    @Test
    void truncatesPromptFromTheChosenSideThenResponsesAtTheirEnd() {
        PreferencePair p = PreferencePair.of("w1 w2 w3 w4 w5", "w10 w11 w12 w13", "w20");
        var left = new LengthLimiter(LengthConfig.truncate(3, 5)).tokenizePairs(List.of(p), WORDS);
        // Prompt keeps its last 3 tokens; chosen keeps 5 - 3 = 2 tokens; rejected fits.
        assertArrayEquals(new int[] {3, 4, 5}, left.pairs().get(0).prompt());
        assertArrayEquals(new int[] {10, 11}, left.pairs().get(0).chosen());
        assertArrayEquals(new int[] {20}, left.pairs().get(0).rejected());
        assertEquals(new LengthLimiter.Counts(1, 1, 0), left.counts());
        var right = new LengthLimiter(new LengthConfig(3, 5, LengthConfig.Side.RIGHT, LengthConfig.Overflow.TRUNCATE))
                .tokenizePairs(List.of(p), WORDS);
        assertArrayEquals(new int[] {1, 2, 3}, right.pairs().get(0).prompt());
    }

    @Test
    void dropsOverlongRowsAndCountsThem() {
        List<PreferencePair> pairs = List.of(
                PreferencePair.of("w1 w2", "w3", "w4"),            // fits: 2 + 1
                PreferencePair.of("w1 w2 w3 w4", "w5", "w6"),      // prompt 4 > 3
                PreferencePair.of("w1", "w2 w3 w4 w5 w6", "w7"));  // 1 + 5 > 5
        var r = new LengthLimiter(LengthConfig.drop(3, 5)).tokenizePairs(pairs, WORDS);
        assertEquals(new LengthLimiter.Counts(1, 0, 2), r.counts());
        assertFalse(r.pairs().get(0).truncated());
        var all = new LengthLimiter(LengthConfig.UNLIMITED).tokenizePairs(pairs, WORDS);
        assertEquals(new LengthLimiter.Counts(3, 0, 0), all.counts());
    }

    @Test
    void configIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> LengthConfig.truncate(5, 5));
        assertThrows(IllegalArgumentException.class, () -> LengthConfig.truncate(-1, 5));
        assertThrows(IllegalArgumentException.class, () -> LengthConfig.truncate(0, 5));
        assertTrue(LengthConfig.drop(0, 5).maxLength() == 5);
    }
}
