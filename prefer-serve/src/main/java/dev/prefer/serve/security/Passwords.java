package dev.prefer.serve.security;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Password hashing with Argon2id (RFC 9106), BouncyCastle's implementation. Stored in the PHC string format
 * {@code $argon2id$v=19$m=<KiB>,t=<iterations>,p=<lanes>$<salt>$<hash>} (unpadded base64), so the parameters
 * travel with each hash and can be raised later without breaking old ones. Defaults follow OWASP's password
 * storage cheat sheet: m = 19 MiB, t = 2, p = 1, 16-byte salt, 32-byte tag.
 */
public final class Passwords {

    /** Argon2id cost parameters; validated. */
    public record Params(int memoryKiB, int iterations, int parallelism) {
        public Params {
            if (memoryKiB < 8 * parallelism) throw new IllegalArgumentException("argon2 memory must be >= 8 KiB per lane");
            if (iterations < 1) throw new IllegalArgumentException("argon2 iterations must be >= 1");
            if (parallelism < 1) throw new IllegalArgumentException("argon2 parallelism must be >= 1");
        }

        /** OWASP's recommended minimum for Argon2id. */
        public static final Params DEFAULT = new Params(19 * 1024, 2, 1);
    }

    /** Longest accepted password, in characters: a bound on hashing work per request. */
    public static final int MAX_LENGTH = 1024;
    /** Shortest accepted password for new accounts. */
    public static final int MIN_LENGTH = 10;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private Passwords() {}

    public static String hash(char[] password) {
        return hash(password, Params.DEFAULT);
    }

    public static String hash(char[] password, Params p) {
        checkLength(password);
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] tag = argon2(password, salt, p, 32);
        return "$argon2id$v=19$m=" + p.memoryKiB() + ",t=" + p.iterations() + ",p=" + p.parallelism()
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(tag);
    }

    /** True when {@code password} matches {@code encoded}; compares in constant time. */
    public static boolean verify(char[] password, String encoded) {
        if (password == null || password.length > MAX_LENGTH || encoded == null) return false;
        String[] parts = encoded.split("\\$");
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) return false;
        int m = 0, t = 0, par = 0;
        for (String kv : parts[3].split(",")) {
            String[] x = kv.split("=");
            if (x.length != 2) return false;
            switch (x[0]) {
                case "m" -> m = Integer.parseInt(x[1]);
                case "t" -> t = Integer.parseInt(x[1]);
                case "p" -> par = Integer.parseInt(x[1]);
                default -> { return false; }
            }
        }
        byte[] salt = B64D.decode(parts[4]);
        byte[] expected = B64D.decode(parts[5]);
        byte[] actual = argon2(password, salt, new Params(m, t, par), expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    /** A password policy check for new accounts; throws with a one-line reason. */
    public static void checkNew(char[] password) {
        checkLength(password);
        if (password.length < MIN_LENGTH) {
            throw new IllegalArgumentException("password must have at least " + MIN_LENGTH + " characters");
        }
    }

    private static void checkLength(char[] password) {
        if (password == null || password.length == 0) throw new IllegalArgumentException("password is empty");
        if (password.length > MAX_LENGTH) throw new IllegalArgumentException("password longer than " + MAX_LENGTH + " characters");
    }

    static byte[] argon2(char[] password, byte[] salt, Params p, int tagLength) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(p.memoryKiB())
                .withIterations(p.iterations())
                .withParallelism(p.parallelism())
                .withSalt(salt)
                .build();
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(params);
        byte[] out = new byte[tagLength];
        byte[] pw = new String(password).getBytes(StandardCharsets.UTF_8);
        gen.generateBytes(pw, out);
        java.util.Arrays.fill(pw, (byte) 0);
        return out;
    }
}
