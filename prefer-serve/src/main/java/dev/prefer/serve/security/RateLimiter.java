package dev.prefer.serve.security;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Token-bucket rate limiter keyed by a string (a user id or a client address): each key holds up to
 * {@code burst} tokens, refilled at {@code perSecond}; a request takes one token or is refused. Buckets idle long
 * enough to be full again are dropped, so memory stays bounded by the keys active recently.
 */
public final class RateLimiter {

    /** Limit settings; validated. */
    public record Limit(double perSecond, int burst) {
        public Limit {
            if (!(perSecond > 0)) throw new IllegalArgumentException("rate limit perSecond must be > 0");
            if (burst < 1) throw new IllegalArgumentException("rate limit burst must be >= 1");
        }
    }

    private static final class Bucket {
        double tokens;
        long lastNanos;
    }

    private final Limit limit;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final java.util.function.LongSupplier clock;
    private volatile long lastSweep;

    public RateLimiter(Limit limit) {
        this(limit, System::nanoTime);
    }

    /** With an injectable clock (nanoseconds) for tests. */
    public RateLimiter(Limit limit, java.util.function.LongSupplier clock) {
        this.limit = limit;
        this.clock = clock;
        this.lastSweep = clock.getAsLong();
    }

    /** Takes one token for {@code key}; false when the bucket is empty (the request should be refused). */
    public boolean tryAcquire(String key) {
        long now = clock.getAsLong();
        sweep(now);
        Bucket b = buckets.computeIfAbsent(key, k -> {
            Bucket nb = new Bucket();
            nb.tokens = limit.burst();
            nb.lastNanos = now;
            return nb;
        });
        synchronized (b) {
            double elapsed = Math.max(0, now - b.lastNanos) / 1e9;
            b.tokens = Math.min(limit.burst(), b.tokens + elapsed * limit.perSecond());
            b.lastNanos = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return true;
            }
            return false;
        }
    }

    /** Seconds until {@code key} has a token again (for Retry-After); 0 when it has one now. */
    public long retryAfterSeconds(String key) {
        Bucket b = buckets.get(key);
        if (b == null) return 0;
        synchronized (b) {
            return (long) Math.ceil(Math.max(0, 1 - b.tokens) / limit.perSecond());
        }
    }

    private void sweep(long now) {
        double fullAfter = limit.burst() / limit.perSecond();
        if ((now - lastSweep) / 1e9 < Math.max(60, fullAfter)) return;
        lastSweep = now;
        buckets.entrySet().removeIf(e -> (now - e.getValue().lastNanos) / 1e9 > fullAfter);
    }
}
