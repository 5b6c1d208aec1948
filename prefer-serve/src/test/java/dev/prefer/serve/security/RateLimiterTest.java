package dev.prefer.serve.security;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class RateLimiterTest {

    @Test
    void burstThenRefill() {
        AtomicLong now = new AtomicLong(0);
        RateLimiter r = new RateLimiter(new RateLimiter.Limit(2, 3), now::get);
        assertTrue(r.tryAcquire("u"));
        assertTrue(r.tryAcquire("u"));
        assertTrue(r.tryAcquire("u"));
        assertFalse(r.tryAcquire("u"), "burst of 3 spent");
        assertTrue(r.tryAcquire("v"), "keys are independent");
        assertEquals(1, r.retryAfterSeconds("u"));
        now.addAndGet(500_000_000L); // 0.5 s at 2/s = one token
        assertTrue(r.tryAcquire("u"));
        assertFalse(r.tryAcquire("u"));
        now.addAndGet(10_000_000_000L); // long idle: refilled to the burst, not beyond
        for (int i = 0; i < 3; i++) assertTrue(r.tryAcquire("u"));
        assertFalse(r.tryAcquire("u"));
    }

    @Test
    void validates() {
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter.Limit(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter.Limit(1, 0));
    }
}
