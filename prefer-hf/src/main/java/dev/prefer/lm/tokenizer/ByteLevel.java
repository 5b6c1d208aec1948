package dev.prefer.lm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level pre-tokenization, as the Hugging Face tokenizers library's {@code ByteLevel} pre-tokenizer
 * and decoder do it (Radford et al. 2019; {@code bytes_to_unicode} in openai/gpt-2 {@code encoder.py}): text is split
 * with the GPT-2 regex, each piece's UTF-8 bytes are mapped one-to-one onto 256 printable characters (printable
 * Latin-1 bytes map to themselves, the other 68 to U+0100..U+0143, so a space becomes 'Ġ'), and decoding inverts it.
 */
public final class ByteLevel {
    private ByteLevel() {}

    /** The GPT-2 split pattern (the tokenizers library's ByteLevel with use_regex = true); \s is Unicode white space. */
    static final Pattern SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) direct[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) direct[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) direct[b] = true;
        int n = 0;
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) {
            char c = direct[b] ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    /** The 256 byte symbols sorted by code point: ids 1..256 of a trained vocabulary (the library's order). */
    public static List<String> alphabet() {
        char[] cs = BYTE_TO_CHAR.clone();
        java.util.Arrays.sort(cs);
        List<String> out = new ArrayList<>(256);
        for (char c : cs) out.add(String.valueOf(c));
        return out;
    }

    /** Splits text into pre-tokens and maps each to its byte-level string. */
    public static List<String> preTokenize(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = SPLIT.matcher(text);
        while (m.find()) out.add(toByteLevel(m.group()));
        return out;
    }

    /** The byte-level string of a piece of text. */
    public static String toByteLevel(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(bytes.length);
        for (byte x : bytes) b.append(BYTE_TO_CHAR[x & 0xFF]);
        return b.toString();
    }

    /** Inverse of {@link #toByteLevel}: byte-level characters back to text (invalid UTF-8 becomes U+FFFD, as the library does). */
    public static String fromByteLevel(String s) {
        byte[] bytes = new byte[s.length()];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) throw new IllegalArgumentException("not a byte-level symbol: U+" + Integer.toHexString(c));
            bytes[i] = (byte) b;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
