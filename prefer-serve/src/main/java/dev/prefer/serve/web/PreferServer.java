package dev.prefer.serve.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.serve.CampaignImport;
import dev.prefer.serve.CampaignSpec;
import dev.prefer.serve.LeaderboardView;
import dev.prefer.serve.Leaderboards;
import dev.prefer.data.votes.Outcome;
import dev.prefer.serve.Records.Campaign;
import dev.prefer.serve.Records.Comparison;
import dev.prefer.serve.Records.Item;
import dev.prefer.serve.Records.User;
import dev.prefer.serve.Role;
import dev.prefer.serve.ServeConfig;
import dev.prefer.serve.VotingService;
import dev.prefer.serve.export.ExportFormat;
import dev.prefer.serve.export.Exporter;
import dev.prefer.serve.security.RateLimiter;
import dev.prefer.serve.security.Tokens;
import dev.prefer.serve.stats.CampaignStats;
import dev.prefer.serve.store.Store;
import dev.prefer.serve.store.Store.Session;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web app: sign-in, the voting page and its JSON API, and the admin pages (campaigns, users, results,
 * exclusions, exports, audit log), on Javalin (Jetty). Security, in order of the request: per-address rate
 * limit; session from an HttpOnly, SameSite=Strict (and by default Secure) cookie whose SHA-256 is looked up in
 * the database; admin pages refused to non-admins; every state-changing request must carry the session's CSRF
 * token (header {@code X-CSRF-Token} or form field {@code _csrf}) and, when the browser sends one, a same-origin
 * {@code Origin}; per-user rate limit on the voting API. Pages go out with a strict Content-Security-Policy (no
 * inline script), so even a sanitiser miss cannot run model output.
 */
public final class PreferServer implements AutoCloseable {

    public static final String SESSION_COOKIE = "prefer_session";
    public static final String LOGIN_CSRF_COOKIE = "prefer_login_csrf";
    public static final String CSRF_HEADER = "X-CSRF-Token";

    private final Store store;
    private final VotingService voting;
    private final ServeConfig config;
    private final Leaderboards leaderboards;
    private final RateLimiter perAddress;
    private final RateLimiter perUser;
    private final RateLimiter login;
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private Javalin app;

    public PreferServer(Store store, ServeConfig config) {
        this(store, new VotingService(store), config, new Leaderboards());
    }

    public PreferServer(Store store, VotingService voting, ServeConfig config, Leaderboards leaderboards) {
        this.store = store;
        this.voting = voting;
        this.config = config;
        this.leaderboards = leaderboards;
        this.perAddress = new RateLimiter(config.perAddress());
        this.perUser = new RateLimiter(config.perUser());
        this.login = new RateLimiter(config.login());
    }

    /** Starts listening; returns this. */
    public PreferServer start() {
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            cfg.http.maxRequestSize = config.maxBodyBytes();
            cfg.http.generateEtags = false;
            cfg.jetty.multipartConfig.maxFileSize(config.maxUploadBytes(), SizeUnit.BYTES);
            cfg.jetty.multipartConfig.maxTotalRequestSize(config.maxUploadBytes() + 64 * 1024, SizeUnit.BYTES);
            cfg.jetty.multipartConfig.maxInMemoryFileSize(1, SizeUnit.MB);
            cfg.jetty.modifyServer(server -> server.setStopTimeout(2000));
            cfg.staticFiles.add(sf -> {
                sf.hostedPath = "/static";
                sf.directory = "/dev/prefer/serve/static";
                sf.location = Location.CLASSPATH;
                sf.headers = Map.of("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff");
            });
        });
        app.before(this::guard);
        app.exception(IllegalArgumentException.class, (e, ctx) -> fail(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
        app.exception(DataException.class, (e, ctx) -> fail(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
        app.exception(Refused.class, (e, ctx) -> fail(ctx, e.status, e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            if (isTooLarge(e)) {
                fail(ctx, HttpStatus.CONTENT_TOO_LARGE, tooLargeMessage(ctx, ctx.req().getContentLengthLong()));
                return;
            }
            org.slf4j.LoggerFactory.getLogger(PreferServer.class).error("request failed: " + ctx.path(), e);
            fail(ctx, HttpStatus.INTERNAL_SERVER_ERROR, "internal error");
        });
        app.error(HttpStatus.NOT_FOUND, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) fail(ctx, HttpStatus.NOT_FOUND, "not found");
        });

        app.get("/healthz", ctx -> ctx.result("ok"));
        app.get("/favicon.ico", ctx -> ctx.status(HttpStatus.NO_CONTENT));
        app.get("/login", this::loginPage);
        app.post("/login", this::loginSubmit);
        app.post("/logout", this::logout);
        app.get("/", this::home);
        app.get("/vote/{cid}", this::votePage);
        app.post("/api/campaigns/{cid}/next", this::apiNext);
        app.post("/api/campaigns/{cid}/votes", this::apiVote);

        app.get("/admin", this::adminHome);
        app.post("/admin/users", this::adminCreateUser);
        app.post("/admin/campaigns", this::adminCreateCampaign);
        app.get("/admin/campaigns/{cid}", this::adminCampaign);
        app.post("/admin/campaigns/{cid}/exclusions", this::adminExclude);
        app.get("/admin/campaigns/{cid}/export/{format}", this::adminExport);
        app.get("/admin/campaigns/{cid}/leaderboard.json", this::adminLeaderboardJson);
        app.start(config.host(), config.port());
        return this;
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return app.port();
    }

    public String baseUrl() {
        return "http://" + (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":" + port();
    }

    @Override
    public void close() {
        if (app != null) app.stop();
    }

    // ------------------------------------------------------------------ guard

    /** A refusal with its HTTP status. */
    static final class Refused extends RuntimeException {
        final HttpStatus status;

        Refused(HttpStatus status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** The client's address: the TCP peer, or the last X-Forwarded-For hop when the peer is the trusted proxy. */
    String clientAddress(Context ctx) {
        String peer = ctx.req().getRemoteAddr();
        if (config.trustedProxy() != null && config.trustedProxy().equals(peer)) {
            String xff = ctx.header("X-Forwarded-For");
            if (xff != null && !xff.isBlank()) {
                String[] hops = xff.split(",");
                return hops[hops.length - 1].strip();
            }
        }
        return peer;
    }

    private void guard(Context ctx) {
        ctx.header("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "same-origin");
        String path = ctx.path();
        if (path.startsWith("/static/") || path.equals("/healthz") || path.equals("/favicon.ico")) return;
        ctx.header("Cache-Control", "no-store");

        String addr = clientAddress(ctx);
        if (!perAddress.tryAcquire(addr)) throw tooMany(ctx, perAddress, addr);
        long length = ctx.req().getContentLengthLong();
        if (length > bodyLimit(ctx)) throw new Refused(HttpStatus.CONTENT_TOO_LARGE, tooLargeMessage(ctx, length));

        Session s = session(ctx);
        if (s != null) ctx.attribute("session", s);
        boolean mutating = !ctx.method().name().equals("GET") && !ctx.method().name().equals("HEAD");
        if (mutating) checkOrigin(ctx);
        if (path.equals("/login")) {
            if (mutating && !login.tryAcquire(addr)) throw tooMany(ctx, login, addr);
            return;
        }
        if (s == null) {
            if (path.startsWith("/api/") || mutating) throw new Refused(HttpStatus.UNAUTHORIZED, "sign in first");
            ctx.redirect("/login");
            ctx.skipRemainingHandlers();
            return;
        }
        if (path.equals("/admin") || path.startsWith("/admin/")) {
            if (s.user().role() != Role.admin) throw new Refused(HttpStatus.FORBIDDEN, "admins only");
        }
        if (mutating) {
            String token = ctx.header(CSRF_HEADER);
            if (token == null) token = formParamQuietly(ctx, "_csrf");
            if (!Tokens.same(token, s.csrfToken())) throw new Refused(HttpStatus.FORBIDDEN, "missing or invalid CSRF token");
        }
        if (path.startsWith("/api/") && !perUser.tryAcquire(Long.toString(s.user().id()))) {
            throw tooMany(ctx, perUser, Long.toString(s.user().id()));
        }
    }

    /** Campaign uploads may be as large as the upload limit plus room for the form fields; other bodies the body limit. */
    private boolean isUpload(Context ctx) {
        return ctx.path().equals("/admin/campaigns") && ctx.method().name().equals("POST");
    }

    private long bodyLimit(Context ctx) {
        return isUpload(ctx) ? config.maxUploadBytes() + UPLOAD_FORM_ROOM : config.maxBodyBytes();
    }

    /** Bytes allowed beside the uploaded file for the form's other fields (the same room Jetty's multipart limit has). */
    private static final long UPLOAD_FORM_ROOM = 64 * 1024;

    private String tooLargeMessage(Context ctx, long length) {
        return "request body of " + (length >= 0 ? length + " bytes" : "unknown length") + " is over this server's "
                + (isUpload(ctx) ? "upload " : "") + "limit of " + bodyLimit(ctx) + " bytes";
    }

    /** Whether a failure is a size limit tripping while the body streams (no Content-Length to check up front). */
    static boolean isTooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.javalin.http.HttpResponseException h && h.getStatus() == 413) return true;
            String m = t.getMessage();
            if (m != null && (m.contains("exceeds maxRequestSize") || m.contains("exceeds maxFileSize")
                    || m.contains("exceeds max") || m.contains("Request exceeds") || m.contains("Content too large"))) {
                return true;
            }
            if (t.getCause() == t) break;
        }
        return false;
    }

    private static String formParamQuietly(Context ctx, String name) {
        String ct = ctx.contentType();
        if (ct == null) return null;
        if (ct.startsWith("application/x-www-form-urlencoded") || ct.startsWith("multipart/form-data")) return ctx.formParam(name);
        return null;
    }

    /**
     * Browsers send Origin on POST; when it names a site it must be this server's own. ("null", sent by privacy
     * settings, is left to the CSRF token check, which every state-changing request passes anyway.)
     */
    private static void checkOrigin(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null || origin.equals("null")) return;
        String host = ctx.header("Host");
        if (host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host))) {
            throw new Refused(HttpStatus.FORBIDDEN, "cross-origin request refused");
        }
    }

    private Refused tooMany(Context ctx, RateLimiter limiter, String key) {
        ctx.header("Retry-After", Long.toString(Math.max(1, limiter.retryAfterSeconds(key))));
        return new Refused(HttpStatus.TOO_MANY_REQUESTS, "rate limit exceeded; slow down");
    }

    private Session session(Context ctx) {
        String token = ctx.cookie(SESSION_COOKIE);
        if (token == null || token.length() > 100) return null;
        String hash = Tokens.digest(token);
        Session s = sessions.get(hash);
        if (s == null) {
            s = store.session(hash).orElse(null);
            if (s == null) return null;
            sessions.put(hash, s);
        }
        if (s.expiresAt() < System.currentTimeMillis()) {
            sessions.remove(hash);
            return null;
        }
        return s;
    }

    private static Session current(Context ctx) {
        Session s = ctx.attribute("session");
        if (s == null) throw new Refused(HttpStatus.UNAUTHORIZED, "sign in first");
        return s;
    }

    private void fail(Context ctx, HttpStatus status, String message) {
        String msg = DataException.oneLine(message);
        ctx.status(status);
        if (ctx.path().startsWith("/api/") || "application/json".equals(ctx.header("Accept"))) {
            ctx.json(Map.of("error", msg, "status", status.getCode()));
        } else {
            ctx.html(Pages.error(status.getCode(), msg));
        }
    }

    private String cookie(String name, String value, long maxAgeSeconds) {
        return name + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
                + (config.secureCookies() ? "; Secure" : "");
    }

    // ------------------------------------------------------------------ sign-in

    private void loginPage(Context ctx) {
        // Reuse the browser's login token if it has one, so that a second tab or a stray request for /login
        // does not invalidate the form already on screen.
        String token = ctx.cookie(LOGIN_CSRF_COOKIE);
        if (token == null || !token.matches("[A-Za-z0-9_-]{43}")) token = Tokens.random();
        ctx.res().addHeader("Set-Cookie", cookie(LOGIN_CSRF_COOKIE, token, 3600));
        ctx.html(Pages.login(token, ctx.queryParam("error") != null));
    }

    private void loginSubmit(Context ctx) {
        String cookieToken = ctx.cookie(LOGIN_CSRF_COOKIE);
        if (!Tokens.same(cookieToken, ctx.formParam("_csrf"))) throw new Refused(HttpStatus.FORBIDDEN, "missing or invalid CSRF token");
        String username = ctx.formParam("username");
        String password = ctx.formParam("password");
        if (username == null || password == null || username.length() > 64 || password.length() > 1024) {
            ctx.redirect("/login?error=1");
            return;
        }
        var user = store.authenticate(username, password.toCharArray());
        if (user.isEmpty()) {
            ctx.redirect("/login?error=1");
            return;
        }
        var created = store.createSession(user.get(), config.sessionHours() * 3600_000L);
        sessions.put(created.getValue().tokenHash(), created.getValue());
        ctx.res().addHeader("Set-Cookie", cookie(SESSION_COOKIE, created.getKey(), config.sessionHours() * 3600L));
        ctx.res().addHeader("Set-Cookie", cookie(LOGIN_CSRF_COOKIE, "", 0));
        ctx.redirect(user.get().role() == Role.admin ? "/admin" : "/");
    }

    private void logout(Context ctx) {
        Session s = current(ctx);
        sessions.remove(s.tokenHash());
        store.deleteSession(s.tokenHash());
        ctx.res().addHeader("Set-Cookie", cookie(SESSION_COOKIE, "", 0));
        ctx.redirect("/login");
    }

    // ------------------------------------------------------------------ annotator

    private void home(Context ctx) {
        Session s = current(ctx);
        ctx.html(Pages.home(s, store.campaigns()));
    }

    private long campaignId(Context ctx) {
        try {
            long id = Long.parseLong(ctx.pathParam("cid"));
            if (store.campaign(id).isEmpty()) throw new Refused(HttpStatus.NOT_FOUND, "no such campaign");
            return id;
        } catch (NumberFormatException e) {
            throw new Refused(HttpStatus.NOT_FOUND, "no such campaign");
        }
    }

    private void votePage(Context ctx) {
        Session s = current(ctx);
        long cid = campaignId(ctx);
        Campaign c = voting.campaign(cid);
        ctx.html(Pages.vote(s, c, store.voteCount(cid, s.user().id()), voting.itemCount(cid)));
    }

    private Map<String, Object> comparisonJson(Comparison cmp, Campaign c) {
        Item it = voting.item(c.id(), cmp.itemId());
        boolean md = c.spec().render() == CampaignSpec.Render.markdown;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("comparisonId", cmp.id());
        m.put("render", c.spec().render().name());
        String prompt = it.prompt(), left = it.responses().get(cmp.leftSystem()), right = it.responses().get(cmp.rightSystem());
        m.put("prompt", md ? Markdown.toSafeHtml(prompt) : prompt);
        m.put("left", md ? Markdown.toSafeHtml(left) : left);
        m.put("right", md ? Markdown.toSafeHtml(right) : right);
        return m;
    }

    private void apiNext(Context ctx) {
        Session s = current(ctx);
        long cid = campaignId(ctx);
        Campaign c = voting.campaign(cid);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("next", comparisonJson(voting.next(cid, s.user().id()), c));
        out.put("votes", store.voteCount(cid, s.user().id()));
        ctx.json(out);
    }

    private void apiVote(Context ctx) {
        Session s = current(ctx);
        long cid = campaignId(ctx);
        JsonNode body;
        String text;
        try {
            text = ctx.body();
        } catch (RuntimeException e) {
            if (isTooLarge(e)) throw new Refused(HttpStatus.CONTENT_TOO_LARGE, tooLargeMessage(ctx, ctx.req().getContentLengthLong()));
            throw e;
        }
        try {
            body = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("body must be a JSON object");
        }
        if (body == null || !body.isObject()) throw new IllegalArgumentException("body must be a JSON object");
        JsonNode cmpNode = body.get("comparisonId");
        if (cmpNode == null || !cmpNode.isTextual() || cmpNode.asText().length() > 100) {
            throw new Refused(HttpStatus.BAD_REQUEST, "missing comparisonId");
        }
        Outcome outcome = Outcome.parse(body.path("outcome").isTextual() ? body.get("outcome").asText() : null);
        Map<String, Map<String, Integer>> attrs = new LinkedHashMap<>();
        JsonNode an = body.get("attributes");
        if (an != null && !an.isNull()) {
            if (!an.isObject()) throw new IllegalArgumentException("attributes must be an object");
            for (var it = an.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isObject()) throw new IllegalArgumentException("attribute '" + e.getKey() + "' must be {left: n, right: n}");
                Map<String, Integer> sides = new LinkedHashMap<>();
                for (var si = e.getValue().fields(); si.hasNext(); ) {
                    var se = si.next();
                    if (se.getValue().isNull()) continue;
                    if (!se.getValue().canConvertToInt()) throw new IllegalArgumentException("attribute '" + e.getKey() + "' must be an integer");
                    sides.put(se.getKey(), se.getValue().asInt());
                }
                if (!sides.isEmpty()) attrs.put(e.getKey(), sides);
            }
        }
        String rationale = body.path("rationale").isTextual() ? body.get("rationale").asText() : null;
        boolean wantNext = !"false".equals(ctx.queryParam("next"));
        Store.CastResult res = voting.vote(cid, cmpNode.asText(), s.user().id(), outcome, attrs, rationale, wantNext);
        if (res.refusal() != null) {
            switch (res.refusal()) {
                case ALREADY_USED -> throw new Refused(HttpStatus.CONFLICT, "this comparison was already voted on");
                case NOT_YOURS, UNKNOWN_COMPARISON -> throw new Refused(HttpStatus.BAD_REQUEST, "unknown comparison id");
            }
        }
        var v = res.vote();
        Campaign c = voting.campaign(cid);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("voteId", v.id());
        out.put("reveal", Map.of("left", v.leftSystem(), "right", v.rightSystem()));
        out.put("outcome", v.outcome().wireName());
        out.put("votes", store.voteCount(cid, s.user().id()));
        if (res.next() != null) out.put("next", comparisonJson(res.next(), c));
        ctx.json(out);
    }

    // ------------------------------------------------------------------ admin

    private void adminHome(Context ctx) {
        Session s = current(ctx);
        ctx.html(Pages.admin(s, store.campaigns(), store.users(), store.auditLog(50), ctx.queryParam("msg")));
    }

    private void adminCreateUser(Context ctx) {
        Session s = current(ctx);
        String username = ctx.formParam("username");
        String password = ctx.formParam("password");
        String role = ctx.formParam("role");
        Role r = "admin".equals(role) ? Role.admin : Role.annotator;
        if (password == null) throw new IllegalArgumentException("password is missing");
        store.createUser(username, password.toCharArray(), r, s.user().id());
        ctx.redirect("/admin?msg=" + java.net.URLEncoder.encode("created user " + username, java.nio.charset.StandardCharsets.UTF_8));
    }

    private void adminCreateCampaign(Context ctx) throws Exception {
        Session s = current(ctx);
        var file = ctx.uploadedFile("file");
        if (file == null) throw new IllegalArgumentException("choose a JSONL file of prompts");
        String name = ctx.formParam("name");
        List<CampaignSpec.Attribute> attrs = new ArrayList<>();
        String attrText = ctx.formParam("attributes");
        if (attrText != null) {
            for (String a : attrText.split(",")) if (!a.isBlank()) attrs.add(CampaignSpec.Attribute.parse(a.strip()));
        }
        CampaignSpec spec = new CampaignSpec(ctx.formParam("question"), attrs,
                enumOr(CampaignSpec.Rationale.class, ctx.formParam("rationale"), CampaignSpec.Rationale.off),
                enumOr(CampaignSpec.Render.class, ctx.formParam("render"), CampaignSpec.Render.text),
                enumOr(CampaignSpec.Policy.class, ctx.formParam("policy"), CampaignSpec.Policy.uniform),
                parseDouble(ctx.formParam("mixing"), 0.1, "mixing"),
                (long) parseDouble(ctx.formParam("min_response_ms"), 1500, "min_response_ms"));
        Path tmp = Files.createTempFile("prefer-upload", ".jsonl");
        try {
            try (InputStream in = file.content()) {
                Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            List<Item> items;
            try {
                items = CampaignImport.read(tmp);
            } catch (DataException e) {
                // Name the uploaded file, not the temporary copy.
                throw new DataException(file.filename(), e.line(), e.field(), e.reason());
            }
            Campaign c = store.createCampaign(name, spec, items, dev.prefer.data.Hashes.sha256(tmp), s.user().id());
            ctx.redirect("/admin/campaigns/" + c.id());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static <E extends Enum<E>> E enumOr(Class<E> type, String v, E dflt) {
        if (v == null || v.isBlank()) return dflt;
        try {
            return Enum.valueOf(type, v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad value '" + v + "' for " + type.getSimpleName().toLowerCase());
        }
    }

    private static double parseDouble(String v, double dflt, String field) {
        if (v == null || v.isBlank()) return dflt;
        try {
            return Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " must be a number");
        }
    }

    private void adminCampaign(Context ctx) {
        Session s = current(ctx);
        long cid = campaignId(ctx);
        Campaign c = voting.campaign(cid);
        var items = store.items(cid);
        var votes = store.includedVotes(cid);
        CampaignStats stats = CampaignStats.of(c.spec(), items, votes);
        LeaderboardView lb = leaderboards.compute(stats.systems(), votes);
        ctx.html(Pages.campaign(s, c, stats, lb, store.exclusions(cid), store.votes(cid).size()));
    }

    private void adminLeaderboardJson(Context ctx) {
        long cid = campaignId(ctx);
        Campaign c = voting.campaign(cid);
        var votes = store.includedVotes(cid);
        CampaignStats stats = CampaignStats.of(c.spec(), store.items(cid), votes);
        ctx.json(leaderboards.compute(stats.systems(), votes));
    }

    private void adminExclude(Context ctx) {
        Session s = current(ctx);
        long cid = campaignId(ctx);
        String reason = ctx.formParam("reason");
        String voteId = ctx.formParam("vote_id");
        String username = ctx.formParam("username");
        if (voteId != null && !voteId.isBlank()) {
            long id;
            try {
                id = Long.parseLong(voteId.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("vote id must be a number");
            }
            if (store.votes(cid).stream().noneMatch(v -> v.id() == id)) throw new IllegalArgumentException("no vote " + id + " in this campaign");
            store.exclude(cid, id, null, reason, s.user().id());
        } else if (username != null && !username.isBlank()) {
            User u = store.users().stream().filter(x -> x.username().equals(username.strip())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no user '" + username.strip() + "'"));
            store.exclude(cid, null, u.id(), reason, s.user().id());
        } else {
            throw new IllegalArgumentException("give a vote id or a username to exclude");
        }
        ctx.redirect("/admin/campaigns/" + cid);
    }

    private void adminExport(Context ctx) throws Exception {
        Session s = current(ctx);
        long cid = campaignId(ctx);
        ExportFormat f = ExportFormat.parse(ctx.pathParam("format"));
        Campaign c = voting.campaign(cid);
        String text = Exporter.toString(f, c, store.items(cid), store.includedVotes(cid));
        store.audit(s.user().id(), "export", Map.of("campaign", cid, "format", f.name()));
        String fileName = c.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + f.fileName();
        ctx.header("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
        ctx.contentType(f.contentType() + "; charset=utf-8");
        ctx.result(text);
    }
}
