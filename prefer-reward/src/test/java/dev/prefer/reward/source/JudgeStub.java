package dev.prefer.reward.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.prefer.data.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A tiny OpenAI-compatible chat-completions server on the loopback address (never any other): each request's JSON
 * body and its number (0-based) go to a handler that returns the reply; requests, headers and the most requests
 * in flight at once are recorded.
 */
final class JudgeStub implements AutoCloseable {
    /** A reply: status, body, extra headers, and a delay before it is sent. */
    record Reply(int status, String body, Map<String, String> headers, long delayMs) {
        static Reply ok(String content) {
            return new Reply(200, chat(content), Map.of(), 0);
        }

        static Reply status(int status) {
            return new Reply(status, "{\"error\":{\"message\":\"stub " + status + "\"}}", Map.of(), 0);
        }
    }

    static String chat(String content) {
        return Json.line(Map.of("id", "x", "object", "chat.completion",
                "choices", List.of(Map.of("index", 0, "message", Map.of("role", "assistant", "content", content), "finish_reason", "stop"))));
    }

    final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger count = new AtomicInteger();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "judge-stub");
        t.setDaemon(true);
        return t;
    });

    JudgeStub(BiFunction<JsonNode, Integer, Reply> handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 0);
        server.setExecutor(pool);
        server.createContext("/v1/chat/completions", ex -> {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                JsonNode body = Json.MAPPER.readTree(ex.getRequestBody().readAllBytes());
                bodies.add(body);
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                authorizations.add(auth == null ? "" : auth);
                Reply r = handler.apply(body, count.getAndIncrement());
                if (r.delayMs() > 0) Thread.sleep(r.delayMs());
                byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
                ex.sendResponseHeaders(r.status(), out.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            } catch (InterruptedException | IOException e) {
                // the client gave up (timeout): nothing to send
            } finally {
                inFlight.decrementAndGet();
                ex.close();
            }
        });
        server.start();
    }

    /** The base URL to give the judge: http://127.0.0.1:PORT/v1. */
    URI endpoint() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort() + "/v1");
    }

    int requests() {
        return count.get();
    }

    /** The user message of a request. */
    static String user(JsonNode body) {
        JsonNode ms = body.get("messages");
        return ms.get(ms.size() - 1).get("content").asText();
    }

    /** The text between two markers of a user message. */
    static String between(String text, String start, String end) {
        int a = text.indexOf(start);
        int b = text.indexOf(end, a + start.length());
        return text.substring(a + start.length(), b).strip();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
