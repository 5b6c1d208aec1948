package dev.prefer.serve.security;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class PasswordsTest {

    @Test
    void hashesVerifyAndCarryTheirParameters() {
        String h = Passwords.hash("correct horse battery".toCharArray());
        assertTrue(h.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), h);
        assertTrue(Passwords.verify("correct horse battery".toCharArray(), h));
        assertFalse(Passwords.verify("correct horse batterx".toCharArray(), h));
        assertNotEquals(h, Passwords.hash("correct horse battery".toCharArray()), "fresh salt each time");
        // Cheaper parameters stored with the hash are honoured on verification.
        String cheap = Passwords.hash("pw-0123456789".toCharArray(), new Passwords.Params(1024, 1, 1));
        assertTrue(cheap.contains("m=1024,t=1,p=1"));
        assertTrue(Passwords.verify("pw-0123456789".toCharArray(), cheap));
        assertFalse(Passwords.verify("pw".toCharArray(), "not a hash"));
    }

    @Test
    void policy() {
        assertThrows(IllegalArgumentException.class, () -> Passwords.checkNew("short".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> Passwords.checkNew("x".repeat(2000).toCharArray()));
        Passwords.checkNew("long enough pw".toCharArray());
    }
}
