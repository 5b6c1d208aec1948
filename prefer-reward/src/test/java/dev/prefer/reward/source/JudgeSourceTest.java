package dev.prefer.reward.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LLM-judge source against a loopback stub: success, malformed answers, timeouts, 5xx/429 with retry, cache hits, a down endpoint. */
class JudgeSourceTest {
    static final Map<String, String> ENV = Map.of("TEST_JUDGE_KEY", "sk-test-123");

    static JudgeConfig.Builder config(JudgeStub stub) {
        return JudgeConfig.builder(stub.endpoint(), "stub-judge").backoff(Duration.ofMillis(5)).timeout(Duration.ofSeconds(5)).apiKeyEnv("TEST_JUDGE_KEY");
    }

    static JudgeSource judge(JudgeConfig c) {
        return new JudgeSource("judge:test", c, ENV::get);
    }

    /** Rates "[[9]]" a response that contains "good", "[[3]]" any other. */
    static final BiFunction<JsonNode, Integer, JudgeStub.Reply> RATER = (body, n) -> {
        String response = JudgeStub.between(JudgeStub.user(body), "[The Start of Assistant's Answer]", "[The End of Assistant's Answer]");
        return JudgeStub.Reply.ok("The answer is " + (response.contains("good") ? "fine. Rating: [[9]]" : "weak. Rating: [[3]]"));
    };

    /** Prefers the longer answer, whatever its position; "[[C]]" for equal lengths. */
    static final BiFunction<JsonNode, Integer, JudgeStub.Reply> LONGER = (body, n) -> {
        String u = JudgeStub.user(body);
        String a = JudgeStub.between(u, "[The Start of Assistant A's Answer]", "[The End of Assistant A's Answer]");
        String b = JudgeStub.between(u, "[The Start of Assistant B's Answer]", "[The End of Assistant B's Answer]");
        return JudgeStub.Reply.ok(a.length() > b.length() ? "[[A]]" : a.length() < b.length() ? "[[B]]" : "[[C]]");
    };

    @Test
    void pointwiseScoresRequestShapeAndKey() throws IOException {
        try (JudgeStub stub = new JudgeStub(RATER); JudgeSource j = judge(config(stub).maxTokens(64).build())) {
            GroupScores s = j.score(new Group("How do I boil an egg?", List.of("a good answer", "meh", "good too")));
            // (9 - 1) / (10 - 1) and (3 - 1) / (10 - 1) on the default 1-10 scale
            assertArrayEquals(new double[] {8.0 / 9, 2.0 / 9, 8.0 / 9}, s.rewards(), 1e-12);
            assertNull(s.winProbabilities());
            assertEquals(3, stub.requests());
            JsonNode body = stub.bodies.get(0);
            assertEquals("stub-judge", body.get("model").asText());
            assertEquals(0.0, body.get("temperature").asDouble());
            assertEquals(64, body.get("max_tokens").asInt());
            assertEquals("user", body.get("messages").get(0).get("role").asText());
            assertTrue(JudgeStub.user(body).contains("How do I boil an egg?"));
            assertTrue(stub.authorizations.stream().allMatch("Bearer sk-test-123"::equals), stub.authorizations.toString());
            assertEquals(0L, j.counters().get("judge:test/malformed"));
        }
    }

    @Test
    void noKeyNoAuthorizationHeaderAndSystemMessage() throws IOException {
        try (JudgeStub stub = new JudgeStub(RATER);
             JudgeSource j = new JudgeSource("judge:test", config(stub).apiKeyEnv("UNSET_VAR").system("Be strict.").build(), ENV::get)) {
            j.score(new Group("q", List.of("good")));
            assertEquals("", stub.authorizations.get(0));
            assertEquals("system", stub.bodies.get(0).get("messages").get(0).get("role").asText());
            assertEquals("Be strict.", stub.bodies.get(0).get("messages").get(0).get("content").asText());
        }
    }

    @Test
    void pairwiseBothOrdersCancelAPositionBiasedJudge() throws IOException {
        // a judge that always answers "A": each pair is asked in both orders, so every P(i > j) is (1 + 0) / 2
        try (JudgeStub stub = new JudgeStub((b, n) -> JudgeStub.Reply.ok("[[A]]"));
             JudgeSource j = judge(config(stub).mode(JudgeConfig.Mode.PAIRWISE).build())) {
            GroupScores s = j.score(new Group("p", List.of("x", "yy", "zzz")));
            assertEquals(6, stub.requests(), "K(K-1) = 6 ordered pairs");
            for (double[] row : s.winProbabilities()) assertArrayEquals(new double[] {0.5, 0.5, 0.5}, row, 0);
            assertArrayEquals(new double[] {0.5, 0.5, 0.5}, s.rewards(), 0);
        }
        // the same judge asked in one order only: the first of every pair wins
        try (JudgeStub stub = new JudgeStub((b, n) -> JudgeStub.Reply.ok("[[A]]"));
             JudgeSource j = judge(config(stub).mode(JudgeConfig.Mode.PAIRWISE).bothOrders(false).build())) {
            GroupScores s = j.score(new Group("p", List.of("x", "yy", "zzz")));
            assertEquals(3, stub.requests());
            assertArrayEquals(new double[] {1.0, 0.5, 0.0}, s.rewards(), 0); // win rates (1+1)/2, (0+1)/2, (0+0)/2
        }
    }

    @Test
    void pairwiseWinMatrixAndWinRates() throws IOException {
        try (JudgeStub stub = new JudgeStub(LONGER); JudgeSource j = judge(config(stub).mode(JudgeConfig.Mode.PAIRWISE).concurrency(3).build())) {
            List<GroupScores> all = j.scoreAll(List.of(new Group("p", List.of("bb", "a", "ccc", "dd")), new Group("q", List.of("one", "two"))));
            double[][] p = all.get(0).winProbabilities();
            // lengths 2, 1, 3, 2: longer wins, equal lengths tie
            double[][] expected = {{0.5, 1, 0, 0.5}, {0, 0.5, 0, 0}, {1, 1, 0.5, 1}, {0.5, 1, 0, 0.5}};
            for (int i = 0; i < 4; i++) assertArrayEquals(expected[i], p[i], 0, "row " + i);
            assertArrayEquals(new double[] {1.5 / 3, 0, 1, 1.5 / 3}, all.get(0).rewards(), 1e-15);
            assertArrayEquals(new double[] {0.5, 0.5}, all.get(1).rewards(), 0);
            assertEquals(12 + 2, stub.requests());
        }
    }

    @Test
    void duplicatesAreAskedOnce() throws IOException {
        // pairwise: "ab" twice is a tie without a request; the two (ab, c) pairs are the same requests, sent once
        try (JudgeStub stub = new JudgeStub(LONGER); JudgeSource j = judge(config(stub).mode(JudgeConfig.Mode.PAIRWISE).build())) {
            GroupScores s = j.score(new Group("p", List.of("ab", "c", "ab")));
            assertEquals(2, stub.requests(), "(ab, c) in both orders");
            assertEquals(0.5, s.winProbabilities()[0][2], 0);
            assertArrayEquals(new double[] {0.75, 0, 0.75}, s.rewards(), 0);
        }
        try (JudgeStub stub = new JudgeStub(RATER); JudgeSource j = judge(config(stub).build())) {
            assertArrayEquals(new double[] {8.0 / 9, 8.0 / 9, 2.0 / 9}, j.score("q", List.of("good", "good", "bad"), Map.of()), 1e-12);
            assertEquals(2, stub.requests());
        }
    }

    @Test
    void malformedAnswersAreCountedUnderEachPolicy() throws IOException {
        // odd requests: prose without a rating, or a body that is not a chat completion at all
        BiFunction<JsonNode, Integer, JudgeStub.Reply> flaky = (b, n) -> JudgeStub.user(b).contains("bad-body")
                ? new JudgeStub.Reply(200, "{\"unexpected\": true}", Map.of(), 0)
                : JudgeStub.user(b).contains("prose") ? JudgeStub.Reply.ok("I would say it is decent.") : RATER.apply(b, n);
        Group g = new Group("q", List.of("good", "prose", "bad-body", "meh"));
        try (JudgeStub stub = new JudgeStub(flaky); JudgeSource j = judge(config(stub).build())) {
            GroupScores s = j.score(g);
            assertArrayEquals(new double[] {8.0 / 9, 0.5, 0.5, 2.0 / 9}, s.rewards(), 1e-12);
            assertArrayEquals(new double[] {0, 1, 1, 0}, s.components().get("judge:test/malformed"), 0);
            assertEquals(2L, j.counters().get("judge:test/malformed"));
        }
        try (JudgeStub stub = new JudgeStub(flaky); JudgeSource j = judge(config(stub).onMalformed(JudgeConfig.Malformed.SKIP).build())) {
            double[] r = j.score(g).rewards();
            assertTrue(Double.isNaN(r[1]) && Double.isNaN(r[2]) && r[0] == 8.0 / 9);
        }
        try (JudgeStub stub = new JudgeStub(flaky); JudgeSource j = judge(config(stub).onMalformed(JudgeConfig.Malformed.FAIL).build())) {
            JudgeException e = assertThrows(JudgeException.class, () -> j.score(g));
            assertTrue(e.getMessage().contains("malformed answer") && e.getMessage().contains(stub.endpoint().toString()), e.getMessage());
        }
        // pairwise: both verdicts of "x" vs "y" are prose: neutral makes it a tie, skip as well (no verdict left)
        try (JudgeStub stub = new JudgeStub((b, n) -> JudgeStub.user(b).contains("xx") ? JudgeStub.Reply.ok("hmm, [[A]] or [[B]]") : LONGER.apply(b, n));
             JudgeSource j = judge(config(stub).mode(JudgeConfig.Mode.PAIRWISE).onMalformed(JudgeConfig.Malformed.SKIP).build())) {
            GroupScores s = j.score(new Group("p", List.of("xx", "y", "zzz")));
            assertEquals(0.5, s.winProbabilities()[0][1], 0);
            assertEquals(1.0, s.winProbabilities()[2][1], 0);
            assertEquals(4L, j.counters().get("judge:test/malformed"), "both orders of (xx, y) and (xx, zzz)");
        }
    }

    @Test
    void timeoutIsRetriedThenReported() throws IOException {
        // the first request stalls past the timeout; its retry is answered
        try (JudgeStub stub = new JudgeStub((b, n) -> n == 0 ? new JudgeStub.Reply(200, JudgeStub.chat("[[7]]"), Map.of(), 2_000) : JudgeStub.Reply.ok("[[7]]"));
             JudgeSource j = judge(config(stub).timeout(Duration.ofMillis(300)).retries(2).build())) {
            assertArrayEquals(new double[] {6.0 / 9}, j.score(new Group("q", List.of("a"))).rewards(), 1e-12);
            assertEquals(1L, j.counters().get("judge:test/retries"));
            assertEquals(2L, j.counters().get("judge:test/requests"));
        }
        try (JudgeStub stub = new JudgeStub((b, n) -> new JudgeStub.Reply(200, JudgeStub.chat("[[7]]"), Map.of(), 2_000));
             JudgeSource j = judge(config(stub).timeout(Duration.ofMillis(200)).retries(1).build())) {
            JudgeException e = assertThrows(JudgeException.class, () -> j.score(new Group("q", List.of("a"))));
            assertTrue(e.getMessage().contains("no answer within 0.2 s") && e.getMessage().contains("2 tries"), e.getMessage());
        }
    }

    @Test
    void serverErrorsAndRateLimitsAreRetriedWithBackoff() throws IOException {
        try (JudgeStub stub = new JudgeStub((b, n) -> n == 0 ? JudgeStub.Reply.status(503)
                : n == 1 ? new JudgeStub.Reply(429, "{}", Map.of("Retry-After", "0"), 0) : JudgeStub.Reply.ok("[[10]]"));
             JudgeSource j = judge(config(stub).retries(3).build())) {
            assertArrayEquals(new double[] {1.0}, j.score(new Group("q", List.of("a"))).rewards(), 0);
            assertEquals(3, stub.requests());
            assertEquals(2L, j.counters().get("judge:test/retries"));
        }
        try (JudgeStub stub = new JudgeStub((b, n) -> JudgeStub.Reply.status(500)); JudgeSource j = judge(config(stub).retries(2).build())) {
            JudgeException e = assertThrows(JudgeException.class, () -> j.score(new Group("q", List.of("a", "b", "c"))));
            assertTrue(e.getMessage().contains("HTTP 500") && e.getMessage().contains("3 tries") && !e.getMessage().contains("\n"), e.getMessage());
        }
        // other 4xx are not retried
        try (JudgeStub stub = new JudgeStub((b, n) -> JudgeStub.Reply.status(401)); JudgeSource j = judge(config(stub).retries(3).build())) {
            JudgeException e = assertThrows(JudgeException.class, () -> j.score(new Group("q", List.of("a"))));
            assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("$TEST_JUDGE_KEY"), e.getMessage());
            assertEquals(1, stub.requests());
        }
    }

    @Test
    void cacheHitsInMemoryAndOnDisk(@TempDir Path dir) throws IOException {
        Path cache = dir.resolve("judge-cache");
        Group g = new Group("q", List.of("good", "meh", "prose"));
        BiFunction<JsonNode, Integer, JudgeStub.Reply> h = (b, n) -> JudgeStub.user(b).contains("prose") ? JudgeStub.Reply.ok("no idea") : RATER.apply(b, n);
        try (JudgeStub stub = new JudgeStub(h)) {
            try (JudgeSource j = judge(config(stub).cache(cache).build())) {
                double[] first = j.score(g).rewards();
                assertEquals(3, stub.requests());
                double[] second = j.score(g).rewards();
                assertArrayEquals(first, second, 0);
                assertEquals(4, stub.requests(), "only the malformed answer is asked again: it is never cached");
                assertEquals(2L, j.counters().get("judge:test/cache_hits"));
            }
            try (Stream<Path> files = Files.walk(cache)) {
                assertEquals(2, files.filter(p -> p.toString().endsWith(".json")).count());
            }
            // a second judge (another process) over the same folder asks only for what is not cached
            try (JudgeSource j = judge(config(stub).cache(cache).build())) {
                assertEquals(8.0 / 9, j.score(g).rewards()[0], 1e-12);
                assertEquals(5, stub.requests());
                assertEquals(2L, j.counters().get("judge:test/cache_hits"));
            }
            // another model name is another key
            try (JudgeSource j = new JudgeSource("judge:test", JudgeConfig.builder(stub.endpoint(), "other").cache(cache).build(), ENV::get)) {
                j.score(new Group("q", List.of("good")));
                assertEquals(6, stub.requests());
            }
        }
    }

    @Test
    void downEndpointIsOneClearError() throws IOException {
        URI endpoint;
        try (JudgeStub stub = new JudgeStub(RATER)) {
            endpoint = stub.endpoint();
        }
        try (JudgeSource j = judge(JudgeConfig.builder(endpoint, "m").retries(1).backoff(Duration.ofMillis(5)).timeout(Duration.ofSeconds(2)).build())) {
            JudgeException e = assertThrows(JudgeException.class, () -> j.scoreAll(List.of(new Group("q", List.of("a", "b")), new Group("r", List.of("c")))));
            assertTrue(e.getMessage().startsWith("judge " + endpoint + "/chat/completions: cannot connect"), e.getMessage());
            assertTrue(e.getMessage().contains("is the server running?"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void concurrencyLimitHolds() throws IOException {
        try (JudgeStub stub = new JudgeStub((b, n) -> new JudgeStub.Reply(200, JudgeStub.chat("[[5]]"), Map.of(), 50));
             JudgeSource j = judge(config(stub).concurrency(2).build())) {
            j.score(new Group("q", List.of("a", "b", "c", "d", "e", "f", "g", "h")));
            assertEquals(8, stub.requests());
            assertTrue(stub.maxInFlight.get() <= 2, "in flight: " + stub.maxInFlight.get());
        }
    }

    @Test
    void rubricTemplatesUseRowFields(@TempDir Path dir) throws IOException {
        String rubric = "Reference: {reference}\nQ: {prompt}\nA: {response}\nIs A right? Score 0 or 1 as [[x]].";
        try (JudgeStub stub = new JudgeStub((b, n) -> {
            String u = JudgeStub.user(b);
            return JudgeStub.Reply.ok(u.contains("Reference: 47") && u.endsWith("[[x]].") && u.contains("A: 47\n") ? "[[1]]" : "[[0]]");
        }); JudgeSource j = judge(config(stub).rubric(rubric).scale(0, 1).build())) {
            // braces inside a completion are not expanded
            assertArrayEquals(new double[] {1, 0}, j.score("12+35=", List.of("47", "{reference}"), Map.of("reference", 47)), 0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> j.score(new Group("q", List.of("a"))));
            assertTrue(e.getMessage().contains("{reference}"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new JudgeSource("j", JudgeConfig.builder(URI.create("http://127.0.0.1:1/v1"), "m")
                .mode(JudgeConfig.Mode.PAIRWISE).rubric("{prompt} {response}").build()));
    }
}
