package dev.prefer.data.pref;

/**
 * Explicit length handling for tokenized preference rows (prompt ids followed by response ids).
 *
 * <p>With {@link Overflow#TRUNCATE}: a prompt longer than {@code maxPromptLength} keeps its last tokens
 * ({@link Side#LEFT}, the default: the end of the prompt is what the response answers) or its first
 * ({@link Side#RIGHT}); then each response is cut at its end so that prompt + response fits {@code maxLength}.
 * With {@link Overflow#DROP}: a row in which any limit would be exceeded is dropped whole, and counted.
 *
 * @param maxPromptLength longest prompt in tokens, or 0 for no limit (default 0)
 * @param maxLength       longest prompt + response in tokens, or 0 for no limit (default 0)
 * @param truncationSide  which end of an over-long prompt is cut (default LEFT)
 * @param overflow        truncate or drop over-long rows (default TRUNCATE)
 */
public record LengthConfig(int maxPromptLength, int maxLength, Side truncationSide, Overflow overflow) {

    /** Which end of the prompt is cut. */
    public enum Side { LEFT, RIGHT }

    /** What happens to a row over a limit. */
    public enum Overflow { TRUNCATE, DROP }

    /** No limits. */
    public static final LengthConfig UNLIMITED = new LengthConfig(0, 0, Side.LEFT, Overflow.TRUNCATE);

    public LengthConfig {
        if (maxPromptLength < 0) throw new IllegalArgumentException("max prompt length must be >= 0 (0 = no limit): " + maxPromptLength);
        if (maxLength < 0) throw new IllegalArgumentException("max length must be >= 0 (0 = no limit): " + maxLength);
        if (truncationSide == null) truncationSide = Side.LEFT;
        if (overflow == null) overflow = Overflow.TRUNCATE;
        if (maxLength > 0 && maxPromptLength > 0 && maxPromptLength >= maxLength) {
            throw new IllegalArgumentException("max prompt length (" + maxPromptLength + ") must be below max length ("
                    + maxLength + ") to leave room for a response");
        }
        if (maxLength > 0 && maxPromptLength == 0 && overflow == Overflow.TRUNCATE) {
            throw new IllegalArgumentException("truncating to a max length needs a max prompt length below it,"
                    + " so that every response keeps at least one token");
        }
    }

    public static LengthConfig truncate(int maxPromptLength, int maxLength) {
        return new LengthConfig(maxPromptLength, maxLength, Side.LEFT, Overflow.TRUNCATE);
    }

    public static LengthConfig drop(int maxPromptLength, int maxLength) {
        return new LengthConfig(maxPromptLength, maxLength, Side.LEFT, Overflow.DROP);
    }
}
