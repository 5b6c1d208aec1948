package dev.prefer.reward.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.AtomicFiles;
import dev.prefer.data.DataException;
import dev.prefer.data.Hashes;
import dev.prefer.data.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.Collections;
import java.util.HashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * An LLM judge over an OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, llama.cpp's server, Ollama,
 * SGLang, ...), as a reward source ({@code judge:http://127.0.0.1:8000/v1?model=qwen&mode=pairwise}).
 *
 * <p><b>Pointwise</b>: one request per completion; the parsed score s on the scale [min, max] gives the reward
 * (s − min) / (max − min) in [0, 1]. <b>Pairwise</b>: for each of the K(K−1)/2 pairs, the judge is asked with the
 * pair in both orders (AlpacaEval and Arena-Hard swap positions the same way) and P(i ≻ j) is the mean of the two
 * verdicts (A wins: 1, tie: 1/2, B wins: 0, read from i's side), so a judge that always answers "A" gives 1/2
 * everywhere; the reward is the within-group win rate and the K x K matrix is returned
 * ({@link GroupScores#winProbabilities()}).
 *
 * <p>Requests: {@code POST endpoint/chat/completions} with {@code model}, {@code messages} (an optional system
 * message and the filled rubric, {@link JudgeTemplates}), {@code temperature}, {@code max_tokens}; the answer is
 * {@code choices[0].message.content}. A bearer token comes from the environment variable named in the config.
 * At most {@code concurrency} requests are in flight. A timeout, a refused connection, HTTP 429 and 5xx are retried
 * with exponential backoff (honouring {@code Retry-After}); other 4xx fail at once. When the endpoint stays down,
 * {@link #scoreAll} stops with one {@link JudgeException} naming it.
 *
 * <p>Two identical completions are a tie without a request, and identical requests of one call are sent once.
 * Cache: answers that parse are kept in memory (the last {@value #MEMORY_ENTRIES}) and, when a folder is set, on disk, one file per key
 * {@code sha256(url, model, temperature, max_tokens, messages)}, written atomically ({@link AtomicFiles}), so a
 * rerun or a second process sharing the folder asks nothing twice. Malformed answers are never cached.
 * {@link #counters()} reports requests, cache hits, retries and malformed answers.
 */
public final class JudgeSource implements BatchedSource {
    private final String name;
    private final JudgeConfig config;
    private final String rubric;
    private final String apiKey;
    private final HttpClient http;
    /** Answers kept in memory, least recently used dropped past this many. */
    static final int MEMORY_ENTRIES = 1 << 16;

    private final Map<String, String> memory = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MEMORY_ENTRIES;
        }
    });
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong cacheHits = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong answers = new AtomicLong();
    private ExecutorService pool;
    private volatile JudgeException down;

    public JudgeSource(String name, JudgeConfig config) {
        this(name, config, System::getenv);
    }

    /** With an explicit environment (tests pass a map's {@code get}). */
    public JudgeSource(String name, JudgeConfig config, Function<String, String> env) {
        this.name = name;
        this.config = config;
        this.rubric = config.rubric() != null ? config.rubric()
                : config.mode() == JudgeConfig.Mode.POINTWISE ? JudgeTemplates.POINTWISE : JudgeTemplates.PAIRWISE;
        JudgeTemplates.check(rubric, config.mode(), name);
        String key = config.apiKeyEnv() == null ? null : env.apply(config.apiKeyEnv());
        this.apiKey = key == null || key.isBlank() ? null : key.strip();
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).version(HttpClient.Version.HTTP_1_1).build();
    }

    public JudgeConfig config() {
        return config;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put(name + "/answers", answers.get());
        m.put(name + "/requests", requests.get());
        m.put(name + "/cache_hits", cacheHits.get());
        m.put(name + "/retries", retries.get());
        m.put(name + "/malformed", malformed.get());
        return m;
    }

    /** Scores every group, with all their requests sharing the concurrency limit. */
    @Override
    public List<GroupScores> scoreAll(List<Group> groups) {
        down = null;
        boolean pointwise = config.mode() == JudgeConfig.Mode.POINTWISE;
        // one ask per completion (pointwise) or per ordered pair (pairwise), all groups together
        List<Future<Answer>> futures = new ArrayList<>();
        Map<String, Future<Answer>> asked = new HashMap<>(); // identical requests of this call are sent once
        for (Group g : groups) {
            int k = g.size();
            if (pointwise) {
                for (int i = 0; i < k; i++) futures.add(submit(asked, pointwiseMessage(g, i), a -> !Double.isNaN(score(a))));
            } else {
                for (int i = 0; i < k; i++) {
                    for (int j = i + 1; j < k; j++) {
                        if (identical(g, i, j)) continue;
                        futures.add(submit(asked, pairwiseMessage(g, i, j), a -> JudgeTemplates.parseChoice(a) != null));
                        if (config.bothOrders()) futures.add(submit(asked, pairwiseMessage(g, j, i), a -> JudgeTemplates.parseChoice(a) != null));
                    }
                }
            }
        }
        List<Answer> got = collect(futures);
        List<GroupScores> out = new ArrayList<>(groups.size());
        int at = 0;
        for (Group g : groups) {
            int k = g.size();
            if (pointwise) {
                double[] r = new double[k];
                double[] bad = new double[k];
                for (int i = 0; i < k; i++) {
                    Answer a = got.get(at++);
                    double s = a.valid ? score(a.content) : Double.NaN;
                    if (Double.isNaN(s)) {
                        bad[i] = 1;
                        r[i] = malformedValue(a, 0.5);
                    } else {
                        r[i] = (s - config.minScore()) / (config.maxScore() - config.minScore());
                    }
                }
                out.add(GroupScores.of(name, r, Map.of("malformed", bad), null));
            } else {
                double[][] p = new double[k][k];
                double[] bad = new double[k];
                for (int i = 0; i < k; i++) {
                    p[i][i] = 0.5;
                    for (int j = i + 1; j < k; j++) {
                        if (identical(g, i, j)) {
                            p[i][j] = p[j][i] = 0.5;
                            continue;
                        }
                        double sum = 0;
                        int n = 0;
                        int orders = config.bothOrders() ? 2 : 1;
                        for (int o = 0; o < orders; o++) {
                            Answer a = got.get(at++);
                            JudgeTemplates.Choice c = a.valid ? JudgeTemplates.parseChoice(a.content) : null;
                            double v; // P(i wins) from this verdict
                            if (c == null) {
                                bad[i] += 1;
                                bad[j] += 1;
                                v = malformedValue(a, 0.5);
                                if (Double.isNaN(v)) continue;
                            } else if (c == JudgeTemplates.Choice.TIE) {
                                v = 0.5;
                            } else {
                                boolean firstWins = c == JudgeTemplates.Choice.A; // o = 0: i is A; o = 1: j is A
                                v = (o == 0) == firstWins ? 1 : 0;
                            }
                            sum += v;
                            n++;
                        }
                        p[i][j] = n == 0 ? 0.5 : sum / n;
                        p[j][i] = 1 - p[i][j];
                    }
                }
                if (k > 1) for (int i = 0; i < k; i++) bad[i] /= (k - 1) * (config.bothOrders() ? 2 : 1);
                out.add(GroupScores.of(name, GroupScores.winRates(p), Map.of("malformed", bad), p));
            }
        }
        return out;
    }

    /** Two equal completions are a tie without asking. */
    private static boolean identical(Group g, int i, int j) {
        return g.completions().get(i).equals(g.completions().get(j));
    }

    private double score(String answer) {
        return JudgeTemplates.parseScore(answer, config.minScore(), config.maxScore());
    }

    /** The value of a malformed answer under the policy (NaN: skip). */
    private double malformedValue(Answer a, double neutral) {
        return switch (config.onMalformed()) {
            case NEUTRAL -> neutral;
            case SKIP -> Double.NaN;
            case FAIL -> throw new JudgeException("judge " + config.chatUrl() + ": malformed answer " + VerifierSource.quote(a.content == null ? "(no message)" : a.content)
                    + " (malformed=fail; use malformed=neutral or skip to go on)");
        };
    }

    private String pointwiseMessage(Group g, int i) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("prompt", g.prompt());
        v.put("response", g.completions().get(i));
        v.put("min", plain(config.minScore()));
        v.put("max", plain(config.maxScore()));
        return fill(v, g);
    }

    private String pairwiseMessage(Group g, int a, int b) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("prompt", g.prompt());
        v.put("response_a", g.completions().get(a));
        v.put("response_b", g.completions().get(b));
        return fill(v, g);
    }

    private String fill(Map<String, String> v, Group g) {
        try {
            return JudgeTemplates.fill(rubric, v, g.fields());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    // ---- requests --------------------------------------------------------------------------------------------

    private record Answer(String content, boolean valid) {}

    private synchronized ExecutorService pool() {
        if (pool == null) {
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(config.concurrency(), r -> {
                Thread t = new Thread(r, "prefer-judge-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    private Future<Answer> submit(Map<String, Future<Answer>> asked, String user, Predicate<String> parses) {
        return asked.computeIfAbsent(user, u -> pool().submit(() -> ask(u, parses)));
    }

    private List<Answer> collect(List<Future<Answer>> futures) {
        List<Answer> out = new ArrayList<>(futures.size());
        try {
            for (Future<Answer> f : futures) out.add(f.get());
            return out;
        } catch (ExecutionException e) {
            for (Future<Answer> f : futures) f.cancel(true);
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            throw new JudgeException("judge " + config.chatUrl() + ": " + c);
        } catch (InterruptedException e) {
            for (Future<Answer> f : futures) f.cancel(true);
            Thread.currentThread().interrupt();
            throw new JudgeException("judge " + config.chatUrl() + ": interrupted");
        } catch (CancellationException e) {
            throw new JudgeException("judge " + config.chatUrl() + ": cancelled");
        }
    }

    /** One judge answer: from the cache, or from the endpoint (with retries); cached when it parses. */
    private Answer ask(String user, Predicate<String> parses) throws InterruptedException {
        List<Map<String, String>> messages = new ArrayList<>();
        if (config.system() != null) messages.add(Map.of("role", "system", "content", config.system()));
        messages.add(Map.of("role", "user", "content", user));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", config.model());
        body.put("messages", messages);
        body.put("temperature", config.temperature());
        body.put("max_tokens", config.maxTokens());
        String json = Json.line(body);
        String key = Hashes.sha256(config.chatUrl() + "\n" + config.model() + "\n" + config.temperature() + "\n" + config.maxTokens() + "\n" + Json.line(messages));
        String cached = lookup(key);
        answers.incrementAndGet();
        if (cached != null) {
            cacheHits.incrementAndGet();
            return new Answer(cached, true);
        }
        String content = post(json);
        boolean ok = content != null && parses.test(content);
        if (ok) store(key, content);
        else malformed.incrementAndGet();
        return new Answer(content, ok);
    }

    private String lookup(String key) {
        String m = memory.get(key);
        if (m != null || config.cache() == null) return m;
        Path f = cacheFile(key);
        if (!Files.isRegularFile(f)) return null;
        try {
            JsonNode n = Json.MAPPER.readTree(Files.readString(f));
            JsonNode c = n == null ? null : n.get("content");
            if (c == null || !c.isTextual()) return null; // a damaged entry is asked again and rewritten
            memory.put(key, c.asText());
            return c.asText();
        } catch (IOException e) {
            return null;
        }
    }

    private void store(String key, String content) {
        memory.put(key, content);
        if (config.cache() == null) return;
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("url", config.chatUrl().toString());
        entry.put("model", config.model());
        entry.put("content", content);
        AtomicFiles.writeString(cacheFile(key), Json.line(entry) + "\n");
    }

    private Path cacheFile(String key) {
        return config.cache().resolve(key.substring(0, 2)).resolve(key + ".json");
    }

    /** Posts one request; the answer's content, or null when the body holds none. Retries per the config. */
    private String post(String json) throws InterruptedException {
        String where = "judge " + config.chatUrl();
        int tries = config.retries() + 1;
        String last = null;
        for (int attempt = 0; attempt < tries; attempt++) {
            JudgeException d = down;
            if (d != null) throw d;
            long waitMs = config.backoff().toMillis() << Math.min(attempt, 20);
            HttpRequest.Builder rb = HttpRequest.newBuilder(config.chatUrl()).timeout(config.timeout())
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
            if (apiKey != null) rb.header("Authorization", "Bearer " + apiKey);
            requests.incrementAndGet();
            try {
                HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int s = r.statusCode();
                if (s == 200) return content(r.body());
                String excerpt = DataException.oneLine(r.body() == null ? "" : r.body());
                if (excerpt.length() > 200) excerpt = excerpt.substring(0, 200) + "...";
                if (s == 429 || s >= 500) {
                    last = "HTTP " + s + " " + excerpt;
                    waitMs = retryAfter(r, waitMs);
                } else {
                    String hint = s == 401 || s == 403 ? " (is the API key in $" + config.apiKeyEnv() + "?)"
                            : s == 404 ? " (is the endpoint right? requests go to " + config.chatUrl() + ")" : "";
                    throw fail(new JudgeException(where + ": HTTP " + s + hint + ": " + excerpt));
                }
            } catch (HttpTimeoutException e) {
                last = "no answer within " + config.timeout().toMillis() / 1000.0 + " s";
            } catch (ConnectException e) {
                last = "cannot connect (" + (e.getMessage() == null ? "connection refused" : e.getMessage()) + "); is the server running?";
            } catch (IOException e) {
                last = "I/O error: " + e;
            }
            if (attempt + 1 < tries) {
                retries.incrementAndGet();
                Thread.sleep(waitMs);
            }
        }
        throw fail(new JudgeException(where + ": " + last + " (" + tries + (tries == 1 ? " try)" : " tries)")));
    }

    /** Marks the endpoint as down so that the other requests of this call stop at once. */
    private JudgeException fail(JudgeException e) {
        if (down == null) down = e;
        return e;
    }

    private static long retryAfter(HttpResponse<?> r, long fallbackMs) {
        return r.headers().firstValue("Retry-After").map(v -> {
            try {
                return Math.min(60_000L, Math.max(0L, (long) (Double.parseDouble(v.strip()) * 1000)));
            } catch (NumberFormatException e) {
                return fallbackMs;
            }
        }).orElse(fallbackMs);
    }

    /** {@code choices[0].message.content}, or null when the body has no such string. */
    static String content(String body) {
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            JsonNode c = n == null ? null : n.path("choices").path(0).path("message").path("content");
            return c != null && c.isTextual() ? c.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public synchronized void close() {
        if (pool != null) pool.shutdownNow();
        pool = null;
    }
}
