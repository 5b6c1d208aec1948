package dev.prefer.serve.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.serve.web.PreferServer;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted browser for the load generator and tests: keeps cookies itself (the session cookie is Secure, which
 * java.net's CookieManager would not send over http), signs in through the real form, and calls the JSON API with
 * the page's CSRF token.
 */
public final class Client {
    private static final Pattern HIDDEN = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static final Pattern META = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"");

    public final String base;
    public final HttpClient http;
    public final Map<String, String> cookies = new HashMap<>();
    public String csrf;

    public Client(String base) {
        this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build());
    }

    public Client(String base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    /** Response status and body. */
    public record Res(int status, String body, HttpResponse<String> raw) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (Exception e) {
                throw new IllegalStateException("not JSON (" + status + "): " + body, e);
            }
        }
    }

    public HttpRequest.Builder req(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (!cookies.isEmpty()) {
            StringBuilder c = new StringBuilder();
            cookies.forEach((k, v) -> c.append(c.length() == 0 ? "" : "; ").append(k).append('=').append(v));
            b.header("Cookie", c.toString());
        }
        return b;
    }

    public Res send(HttpRequest r) throws Exception {
        HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
        for (String sc : res.headers().allValues("set-cookie")) {
            String nv = sc.split(";", 2)[0];
            int eq = nv.indexOf('=');
            String k = nv.substring(0, eq), v = nv.substring(eq + 1);
            if (v.isEmpty()) cookies.remove(k); else cookies.put(k, v);
        }
        return new Res(res.statusCode(), res.body(), res);
    }

    public Res get(String path) throws Exception {
        return send(req(path).GET().build());
    }

    public Res postForm(String path, Map<String, String> form) throws Exception {
        StringBuilder b = new StringBuilder();
        form.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return send(req(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(b.toString())).build());
    }

    /** POSTs JSON with the CSRF header (when {@code withCsrf}). */
    public Res postJson(String path, Object body, boolean withCsrf) throws Exception {
        HttpRequest.Builder b = req(path).header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.line(body)));
        if (withCsrf && csrf != null) b.header(PreferServer.CSRF_HEADER, csrf);
        return send(b.build());
    }

    /** Signs in through the form; afterwards {@link #csrf} holds the session's token. Returns the POST's status. */
    public int login(String user, String password) throws Exception {
        Res page = get("/login");
        Matcher m = HIDDEN.matcher(page.body());
        if (!m.find()) throw new IllegalStateException("no CSRF field on the login page");
        Res r = postForm("/login", Map.of("_csrf", m.group(1), "username", user, "password", password));
        if (r.status() == 302 && cookies.containsKey(PreferServer.SESSION_COOKIE)) {
            Res home = get("/");
            Matcher mm = META.matcher(home.body());
            if (mm.find()) csrf = mm.group(1);
        }
        return r.status();
    }

    public JsonNode next(long campaign) throws Exception {
        Res r = postJson("/api/campaigns/" + campaign + "/next", Map.of(), true);
        if (r.status() != 200) throw new IllegalStateException("next: " + r.status() + " " + r.body());
        return r.json().get("next");
    }

    public Res vote(long campaign, String comparisonId, String outcome) throws Exception {
        return postJson("/api/campaigns/" + campaign + "/votes", Map.of("comparisonId", comparisonId, "outcome", outcome), true);
    }
}
