package dev.prefer.data.pref;

/**
 * The one thing length handling needs from a tokenizer: text to token ids, without special tokens. The real
 * tokenizer lives in prefer-lm; anything with an {@code encode} method fits ({@code tokenizer::encode}).
 */
@FunctionalInterface
public interface TokenEncoder {
    int[] encode(String text);
}
