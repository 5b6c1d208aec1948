package dev.prefer.serve;

import dev.prefer.serve.security.RateLimiter.Limit;

/**
 * How the server runs; immutable and validated.
 *
 * @param host           address to bind (default 127.0.0.1; give 0.0.0.0 behind a proxy or firewall on purpose)
 * @param port           port (0 picks a free one)
 * @param secureCookies  mark the session cookie {@code Secure} (default true; browsers still send it to
 *                       http://localhost; turn off only for plain-HTTP test setups on another host)
 * @param trustedProxy   address of a reverse proxy whose {@code X-Forwarded-For} is believed, or null (default:
 *                       the client address is the TCP peer, never a header)
 * @param perAddress     rate limit on all requests from one client address
 * @param perUser        rate limit on API requests (next, vote) of one signed-in user
 * @param login          rate limit on sign-in attempts from one client address
 * @param sessionHours   session lifetime in hours (default 12)
 * @param maxBodyBytes   largest request body outside campaign upload (default 64 KiB)
 * @param maxUploadBytes largest campaign JSONL upload (default 64 MiB)
 */
public record ServeConfig(String host, int port, boolean secureCookies, String trustedProxy, Limit perAddress,
                          Limit perUser, Limit login, int sessionHours, long maxBodyBytes, long maxUploadBytes) {

    public ServeConfig {
        if (host == null || host.isBlank()) host = "127.0.0.1";
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        perAddress = perAddress == null ? new Limit(200, 400) : perAddress;
        perUser = perUser == null ? new Limit(10, 30) : perUser;
        login = login == null ? new Limit(0.2, 10) : login;
        if (sessionHours < 1 || sessionHours > 24 * 30) throw new IllegalArgumentException("session hours must be in 1..720");
        if (maxBodyBytes < 1024) throw new IllegalArgumentException("max body must be >= 1024 bytes");
        if (maxUploadBytes < 1024) throw new IllegalArgumentException("max upload must be >= 1024 bytes");
    }

    public static ServeConfig defaults() {
        return new ServeConfig("127.0.0.1", 8080, true, null, null, null, null, 12, 64 * 1024, 64L * 1024 * 1024);
    }

    public ServeConfig withPort(int p) {
        return new ServeConfig(host, p, secureCookies, trustedProxy, perAddress, perUser, login, sessionHours, maxBodyBytes, maxUploadBytes);
    }

    public ServeConfig withHost(String h) {
        return new ServeConfig(h, port, secureCookies, trustedProxy, perAddress, perUser, login, sessionHours, maxBodyBytes, maxUploadBytes);
    }

    public ServeConfig withLimits(Limit perAddress, Limit perUser, Limit login) {
        return new ServeConfig(host, port, secureCookies, trustedProxy, perAddress, perUser, login, sessionHours, maxBodyBytes, maxUploadBytes);
    }

    public ServeConfig withTrustedProxy(String proxy) {
        return new ServeConfig(host, port, secureCookies, proxy, perAddress, perUser, login, sessionHours, maxBodyBytes, maxUploadBytes);
    }

    public ServeConfig withBodyLimits(long body, long upload) {
        return new ServeConfig(host, port, secureCookies, trustedProxy, perAddress, perUser, login, sessionHours, body, upload);
    }

    public ServeConfig withSecureCookies(boolean secure) {
        return new ServeConfig(host, port, secure, trustedProxy, perAddress, perUser, login, sessionHours, maxBodyBytes, maxUploadBytes);
    }
}
