package dev.prefer.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.serve.bench.Client;
import dev.prefer.serve.security.RateLimiter.Limit;
import dev.prefer.serve.web.PreferServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The security bar over real HTTP, against each backend: script in model output is inert, votes without a valid
 * CSRF token, session or comparison id are refused, rate limits trip, annotators cannot reach admin pages,
 * cookies carry their flags, spoofed forwarding headers are ignored, oversized input is refused.
 */
class SecurityTest {

    @TempDir
    Path tmp;

    static List<String> backends() {
        return TestDatabases.backends();
    }

    static final String EVIL = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\"> [link](javascript:alert(1)) **bold**";

    @ParameterizedTest
    @MethodSource("backends")
    void scriptInResponsesIsInert(String backend) throws Exception {
        Path prompts = TestServer.prompts(tmp, 2, List.of("p", "q"), EVIL, 3);
        for (CampaignSpec.Render render : CampaignSpec.Render.values()) {
            try (TestServer ts = new TestServer(backend, tmp, 1, CampaignSpec.defaults().withRender(render), prompts, TestServer.roomy())) {
                Client c = new Client(ts.url());
                c.login("ann1", TestServer.PASSWORD);
                JsonNode next = c.next(ts.campaign.id());
                String left = next.get("left").asText();
                if (render == CampaignSpec.Render.markdown) {
                    // Sanitised HTML: formatting kept, every active part gone.
                    // Parse it as a browser would: no script or img element, no on* attribute, no javascript: URL;
                    // the markup arrives as visible text instead.
                    assertTrue(left.contains("<strong>bold</strong>"), left);
                    var doc = org.jsoup.Jsoup.parseBodyFragment(left);
                    assertTrue(doc.select("script, img, iframe, object").isEmpty(), left);
                    for (var el : doc.getAllElements()) {
                        for (var at : el.attributes()) {
                            assertFalse(at.getKey().toLowerCase().startsWith("on"), left);
                            assertFalse(at.getValue().toLowerCase().contains("javascript:"), left);
                        }
                    }
                    assertTrue(doc.text().contains("<script>window.__pwned = 1</script>"), doc.text());
                } else {
                    // Plain text travels as text; the page inserts it with textContent.
                    assertTrue(left.contains("<script>window.__pwned = 1</script>"));
                }
                // The voting page itself: strict CSP, no inline script, and text goes in via textContent.
                Client.Res page = c.get("/vote/" + ts.campaign.id());
                String csp = page.raw().headers().firstValue("content-security-policy").orElseThrow();
                assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);
                assertFalse(page.body().matches("(?s).*<script>(?!</script>).*"), "no inline script blocks");
                assertEquals("nosniff", page.raw().headers().firstValue("x-content-type-options").orElseThrow());
                String js = c.get("/static/vote.js").body();
                assertTrue(js.contains("el.textContent = value"));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void refusalsAndRoles(String backend) throws Exception {
        Path prompts = TestServer.prompts(tmp, 3, List.of("p", "q"), "", 4);
        try (TestServer ts = new TestServer(backend, tmp, 2, CampaignSpec.defaults(), prompts, TestServer.roomy())) {
            long cid = ts.campaign.id();
            Client c = new Client(ts.url());
            // Wrong password: no session.
            assertEquals(302, c.login("ann1", "wrong password!"));
            assertFalse(c.cookies.containsKey(PreferServer.SESSION_COOKIE));
            assertEquals(302, c.login("ann1", TestServer.PASSWORD));
            String setCookie = c.get("/login").raw().headers().allValues("set-cookie").toString();
            assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Secure"), setCookie);
            String id = c.next(cid).get("comparisonId").asText();

            // No CSRF token, or a wrong one: refused, comparison not used.
            assertEquals(403, c.postJson("/api/campaigns/" + cid + "/votes", Map.of("comparisonId", id, "outcome", "left"), false).status());
            String good = c.csrf;
            c.csrf = "not-the-token";
            assertEquals(403, c.vote(cid, id, "left").status());
            c.csrf = good;
            // No session: refused.
            Client anon = new Client(ts.url());
            anon.csrf = good;
            assertEquals(401, anon.vote(cid, id, "left").status());
            // Stolen comparison id with another user's session: refused.
            Client other = new Client(ts.url());
            other.login("ann2", TestServer.PASSWORD);
            assertEquals(400, other.vote(cid, id, "left").status());
            // No comparison id / forged one: refused.
            assertEquals(400, c.postJson("/api/campaigns/" + cid + "/votes", Map.of("outcome", "left"), true).status());
            assertEquals(400, c.vote(cid, id + "x", "left").status());
            // A cross-origin POST with a valid token is still refused.
            assertEquals(403, c.send(c.req("/api/campaigns/" + cid + "/votes").header("Content-Type", "application/json")
                    .header(PreferServer.CSRF_HEADER, good).header("Origin", "http://evil.example")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"comparisonId\":\"" + id + "\",\"outcome\":\"left\"}")).build()).status());
            assertEquals(0, ts.store.votes(cid).size());
            // The real thing works.
            assertEquals(200, c.vote(cid, id, "left").status());

            // Annotator cannot reach admin pages or actions.
            for (String p : List.of("/admin", "/admin/campaigns/" + cid, "/admin/campaigns/" + cid + "/export/trl", "/admin/campaigns/" + cid + "/leaderboard.json")) {
                assertEquals(403, c.get(p).status(), p);
            }
            assertEquals(403, c.postForm("/admin/users", Map.of("_csrf", good, "username", "mallory", "password", "0123456789ab", "role", "admin")).status());
            assertTrue(ts.store.users().stream().noneMatch(u -> u.username().equals("mallory")));
            // Signed-out visitors are sent to sign in.
            assertEquals(302, anon.get("/admin").status());
            assertEquals("/login", anon.get("/admin").raw().headers().firstValue("location").orElseThrow());
            // Admin can, and the admin's form POST needs the CSRF field too.
            Client admin = new Client(ts.url());
            admin.login("admin", TestServer.PASSWORD);
            assertEquals(200, admin.get("/admin").status());
            assertEquals(403, admin.postForm("/admin/users", Map.of("username", "eve", "password", "0123456789ab", "role", "annotator")).status());
            assertEquals(302, admin.postForm("/admin/users", Map.of("_csrf", admin.csrf, "username", "eve", "password", "0123456789ab", "role", "annotator")).status());
            assertTrue(ts.store.users().stream().anyMatch(u -> u.username().equals("eve")));
            assertTrue(ts.store.auditLog(10).stream().anyMatch(a -> a.action().equals("create-user") && a.detailJson().contains("eve")));

            // Sign out kills the session server-side: the old cookie no longer works.
            Map<String, String> oldCookies = Map.copyOf(c.cookies);
            assertEquals(302, c.postForm("/logout", Map.of("_csrf", good)).status());
            Client replay = new Client(ts.url());
            replay.cookies.putAll(oldCookies);
            replay.csrf = good;
            assertEquals(401, replay.postJson("/api/campaigns/" + cid + "/next", Map.of(), true).status());

            // Oversized body refused.
            String huge = "{\"comparisonId\":\"" + "x".repeat(200_000) + "\",\"outcome\":\"left\"}";
            admin.postJson("/api/campaigns/" + cid + "/next", Map.of(), true);
            int st = admin.postJson("/api/campaigns/" + cid + "/votes", huge, true).status();
            assertTrue(st == 413 || st == 400, "oversized body refused, got " + st);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void rateLimitsTripAndSpoofedAddressesDoNotHelp(String backend) throws Exception {
        Path prompts = TestServer.prompts(tmp, 3, List.of("p", "q"), "", 5);
        ServeConfig cfg = ServeConfig.defaults().withLimits(new Limit(1000, 1000), new Limit(0.01, 5), new Limit(0.01, 3));
        try (TestServer ts = new TestServer(backend, tmp, 1, CampaignSpec.defaults(), prompts, cfg)) {
            long cid = ts.campaign.id();
            Client c = new Client(ts.url());
            c.login("ann1", TestServer.PASSWORD);
            // Per user: burst 5, refill one per 100 s (slow, so the count does not depend on machine speed):
            // of 12 API calls the last 7 meet a 429 with Retry-After.
            int limited = 0;
            String retry = null;
            for (int i = 0; i < 12; i++) {
                Client.Res r = c.postJson("/api/campaigns/" + cid + "/next", Map.of(), true);
                if (r.status() == 429) {
                    limited++;
                    retry = r.raw().headers().firstValue("retry-after").orElse(null);
                }
            }
            assertEquals(7, limited);
            assertNotNull(retry);
            // Sign-in attempts per address: burst 3 (one used above); X-Forwarded-For is not believed without a trusted proxy.
            int loginLimited = 0;
            for (int i = 0; i < 5; i++) {
                Client x = new Client(ts.url());
                String page = x.get("/login").body();
                String token = page.replaceAll("(?s).*name=\"_csrf\" value=\"([^\"]+)\".*", "$1");
                Client.Res r = x.send(x.req("/login").header("Content-Type", "application/x-www-form-urlencoded")
                        .header("X-Forwarded-For", "10.0.0." + i)
                        .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + token + "&username=ann1&password=nope")).build());
                if (r.status() == 429) loginLimited++;
            }
            assertTrue(loginLimited >= 3, "login limited " + loginLimited);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void loginNeedsItsCsrfCookie(String backend) throws Exception {
        Path prompts = TestServer.prompts(tmp, 2, List.of("p", "q"), "", 6);
        try (TestServer ts = new TestServer(backend, tmp, 1, CampaignSpec.defaults(), prompts, TestServer.roomy())) {
            Client x = new Client(ts.url());
            assertEquals(403, x.postForm("/login", Map.of("_csrf", "guess", "username", "ann1", "password", TestServer.PASSWORD)).status());
            assertFalse(x.cookies.containsKey(PreferServer.SESSION_COOKIE));
            assertTrue(Files.exists(tmp));
        }
    }
}
