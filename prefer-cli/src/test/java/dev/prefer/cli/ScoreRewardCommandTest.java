package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.prefer.data.Json;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prefer score --reward SPEC}: verifier, weighted verifier + LLM judge (a loopback stub), the fixture's LM reward model, and bad input. */
class ScoreRewardCommandTest {
    static final Path SHARED = Path.of(System.getProperty("prefer.shared"));

    /** Rows as prefer generate writes them: one per sample, grouped by prompt. */
    static Path samples(Path dir) throws Exception {
        Path f = dir.resolve("samples.jsonl");
        Files.write(f, List.of(
                "{\"prompt\":\"12+35=\",\"text\":\"47\",\"finish_reason\":\"eos\"}",
                "{\"prompt\":\"12+35=\",\"text\":\"46\",\"finish_reason\":\"eos\"}",
                "{\"prompt\":\"08+08=\",\"text\":\"16\",\"finish_reason\":\"eos\"}",
                "{\"prompt\":\"12+35=\",\"text\":\"47 is it\",\"finish_reason\":\"length\"}"));
        return f;
    }

    @Test
    void verifierScoresGenerateOutput(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("scored.jsonl");
        String log = RewardCommandsTest.run(0, "score", "--reward", "verifier:arithmetic", "--data", samples(dir).toString(), "--out", out.toString());
        List<String> rows = Files.readAllLines(out);
        assertEquals(4, rows.size());
        double[] expected = {1, 0, 1, 0}; // "47 is it" is not the canonical answer on its first line
        for (int i = 0; i < 4; i++) {
            JsonNode r = Json.MAPPER.readTree(rows.get(i));
            assertEquals(expected[i], r.get("reward").asDouble(), 0, "row " + i);
            assertEquals(expected[i], r.get("reward_components").get("verifier:arithmetic/pass").asDouble(), 0);
            assertTrue(r.has("finish_reason"));
        }
        assertTrue(log.contains("scored 4 completions of 2 prompts"), log);
        assertTrue(log.matches("(?s).*rewards/verifier:arithmetic/mean\\s+0\\.500000.*"), log);
        JsonNode man = Json.readObject(dir.resolve("scored.jsonl.manifest.json"));
        assertEquals("verifier:arithmetic", man.get("config").get("reward_funcs").get(0).asText());
        assertTrue(man.get("inputs").get("data").asText().startsWith("sha256:"));
    }

    @Test
    void weightedVerifierAndPairwiseJudge(@TempDir Path dir) throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 0);
        server.createContext("/v1/chat/completions", ex -> {
            requests.incrementAndGet();
            JsonNode body = Json.MAPPER.readTree(ex.getRequestBody().readAllBytes());
            String u = body.get("messages").get(0).get("content").asText();
            String a = between(u, "[The Start of Assistant A's Answer]", "[The End of Assistant A's Answer]");
            String b = between(u, "[The Start of Assistant B's Answer]", "[The End of Assistant B's Answer]");
            String verdict = a.length() > b.length() ? "[[A]]" : a.length() < b.length() ? "[[B]]" : "[[C]]"; // the longer answer wins
            byte[] reply = Json.line(Map.of("choices", List.of(Map.of("message", Map.of("role", "assistant", "content", verdict))))).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, reply.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(reply);
            }
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            Path data = dir.resolve("groups.jsonl");
            Files.write(data, List.of("{\"prompt\":\"2+2=\",\"completions\":[\"4\",\"5\",\"4\\nof course\"]}"));
            Path out = dir.resolve("scored.jsonl");
            String judge = "judge:" + url + "?model=stub&mode=pairwise";
            String log = RewardCommandsTest.run(0, "score", "--reward", "verifier:arithmetic", "--reward", judge, "--reward-weights", "1,0.5",
                    "--judge-cache", dir.resolve("cache").toString(), "--data", data.toString(), "--out", out.toString());
            JsonNode r = Json.MAPPER.readTree(Files.readAllLines(out).get(0));
            // verifier: 1, 0, 1 (the first line is the answer); judge win rates by length (1, 1, 11 characters): 1/4, 1/4, 1
            double[] expected = {1 + 0.5 * 0.25, 0.5 * 0.25, 1 + 0.5 * 1};
            for (int i = 0; i < 3; i++) assertEquals(expected[i], r.get("rewards").get(i).asDouble(), 1e-12, "completion " + i);
            assertEquals("[[0.5,0.5,0.0],[0.5,0.5,0.0],[1.0,1.0,0.5]]", r.get("win_probabilities").toString());
            assertEquals(6, requests.get());
            assertTrue(log.contains(judge + "/requests") && log.contains("rewards/" + judge + "/mean"), log);
            // a rerun is answered from the cache
            RewardCommandsTest.run(0, "score", "--reward", "verifier:arithmetic", "--reward", judge, "--reward-weights", "1,0.5",
                    "--judge-cache", dir.resolve("cache").toString(), "--data", data.toString(), "--out", out.toString());
            assertEquals(6, requests.get());
        } finally {
            server.stop(0);
        }
        // the endpoint is down now: one line, exit 2
        String down = RewardCommandsTest.run(2, "score", "--reward", "judge:http://127.0.0.1:" + server.getAddress().getPort() + "/v1?model=stub&retries=0",
                "--no-judge-cache", "--data", samples(dir).toString());
        assertTrue(down.startsWith("prefer: judge http://127.0.0.1:") && down.contains("cannot connect"), down);
        assertEquals(1, down.strip().lines().count(), down);
    }

    @Test
    void lmRewardModelScoresPairsAsGroups(@TempDir Path dir) throws Exception {
        Path rm = SHARED.resolve("fixtures/hf-tiny-rm/llama-rm");
        JsonNode ex = Json.readObject(rm.resolve("expected.json")).get("examples");
        Path out = dir.resolve("scored.jsonl");
        RewardCommandsTest.run(0, "score", "--reward", "model:" + rm, "--data", SHARED.resolve("fixtures/hf-tiny/pairs.jsonl").toString(), "--out", out.toString());
        List<String> rows = Files.readAllLines(out);
        assertEquals(ex.size(), rows.size());
        assertTrue(Json.readObject(dir.resolve("scored.jsonl.manifest.json")).get("inputs").get("model:" + rm).asText().startsWith("sha256:"));
        for (int i = 0; i < rows.size(); i++) {
            JsonNode r = Json.MAPPER.readTree(rows.get(i));
            assertEquals(ex.get(i).get("reward_chosen").asDouble(), r.get("rewards").get(0).asDouble(), 1e-4);
            assertEquals(ex.get(i).get("reward_rejected").asDouble(), r.get("rewards").get(1).asDouble(), 1e-4);
        }
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) throws Exception {
        Path data = samples(dir);
        String[][] cases = {
                {"reward spec 'verifier:algebra': unknown task 'algebra'", "--reward", "verifier:algebra"},
                {"reward spec 'modle:runs/rm': unknown kind 'modle'", "--reward", "modle:runs/rm"},
                {"give either --model DIR (score pairs) or --reward SPEC (score samples)", "--reward", "verifier:arithmetic", "--model", dir.toString()},
                {"reward weights: 2 weights for 1 reward specs", "--reward", "verifier:arithmetic", "--reward-weights", "1,2"},
                {"verifier:format: prompt '12+35=' is not a format problem", "--reward", "verifier:format"},
                {"--format and --skip-bad-rows go with --model", "--reward", "verifier:arithmetic", "--skip-bad-rows"}};
        for (String[] c : cases) {
            String[] args = new String[c.length + 2];
            args[0] = "score";
            System.arraycopy(c, 1, args, 1, c.length - 1);
            args[c.length] = "--data";
            args[c.length + 1] = data.toString();
            String msg = RewardCommandsTest.run(2, args);
            assertTrue(msg.startsWith("prefer: " + c[0]), msg);
            assertFalse(msg.strip().contains("\n"), msg);
        }
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\":\"1+1=\",\"text\":\"2\"}\n{\"prompt\":\"1+1=\"}\n");
        String msg = RewardCommandsTest.run(2, "score", "--reward", "verifier:arithmetic", "--data", bad.toString());
        assertTrue(msg.startsWith("prefer: " + bad + ":2: field 'completions': missing"), msg);
    }

    static String between(String text, String start, String end) {
        int a = text.indexOf(start);
        return text.substring(a + start.length(), text.indexOf(end, a)).strip();
    }
}
