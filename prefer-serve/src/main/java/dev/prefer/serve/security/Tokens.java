package dev.prefer.serve.security;

import dev.prefer.data.Hashes;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable random tokens (session ids, CSRF tokens, comparison ids) and their stored digests. */
public final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {}

    /** 256 random bits, base64url without padding (43 characters). */
    public static String random() {
        return random(32);
    }

    public static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** SHA-256 of a token: what the database keeps, so a leaked database does not leak live sessions. */
    public static String digest(String token) {
        return Hashes.sha256(token);
    }

    /** Constant-time string equality. */
    public static boolean same(String a, String b) {
        if (a == null || b == null) return false;
        return java.security.MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
