package dev.prefer.serve.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simulated annotators against a running server over HTTP (loopback only): each signs in through the form, then
 * loops "vote on the current comparison, receive the next", choosing by Bradley-Terry with the given true
 * strengths (5% ties). Records every acknowledged vote (HTTP 200 with a vote id) and its latency. Bounded in
 * count ({@code totalVotes}) and in time ({@code maxSeconds}); {@link #stop()} ends it early.
 */
public final class LoadGenerator {

    /**
     * @param baseUrl     server, e.g. http://127.0.0.1:8080 (must be a loopback address)
     * @param campaignId  campaign to vote in
     * @param usernames   one simulated annotator per name, all with {@code password}
     * @param totalVotes  votes to cast in all
     * @param strengths   true log-strength per system (missing: 0)
     * @param maxSeconds  hard time bound
     */
    public record Config(String baseUrl, long campaignId, List<String> usernames, String password, int totalVotes,
                         Map<String, Double> strengths, long seed, int maxSeconds) {
        public Config {
            if (!baseUrl.startsWith("http://127.") && !baseUrl.startsWith("http://localhost") && !baseUrl.startsWith("http://[::1]")) {
                throw new IllegalArgumentException("load tests target loopback only, got " + baseUrl);
            }
            if (usernames.isEmpty()) throw new IllegalArgumentException("need at least one annotator");
            if (totalVotes < 1) throw new IllegalArgumentException("total votes must be >= 1");
            if (maxSeconds < 1) throw new IllegalArgumentException("max seconds must be >= 1");
            usernames = List.copyOf(usernames);
            strengths = Map.copyOf(strengths);
        }
    }

    /** One acknowledged vote. */
    public record Ack(String comparisonId, long voteId, String username, String outcome, long latencyNanos) {}

    /** What a run did. */
    public record Result(List<Ack> acks, long failures, double seconds, int annotators) {
        public double votesPerSecond() { return acks.size() / seconds; }

        /** Latency percentile in milliseconds (nearest rank). */
        public double percentileMs(double q) {
            if (acks.isEmpty()) return Double.NaN;
            long[] l = acks.stream().mapToLong(Ack::latencyNanos).sorted().toArray();
            int rank = (int) Math.ceil(q / 100.0 * l.length);
            return l[Math.max(0, Math.min(l.length - 1, rank - 1))] / 1e6;
        }

        public String summary() {
            return String.format(java.util.Locale.ROOT,
                    "%d annotators, %d votes acknowledged, %d failed requests, %.1f s, %.0f votes/s, latency ms p50 %.1f p90 %.1f p99 %.1f max %.1f",
                    annotators, acks.size(), failures, seconds, votesPerSecond(), percentileMs(50), percentileMs(90), percentileMs(99), percentileMs(100));
        }
    }

    private final Config config;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger acked = new AtomicInteger();

    public LoadGenerator(Config config) {
        this.config = config;
    }

    public void stop() {
        stop.set(true);
    }

    /** Acknowledged votes so far (for tests that act mid-run). */
    public int acknowledged() {
        return acked.get();
    }

    /** Acknowledged votes so far. */
    public List<Ack> acksSoFar() {
        return new ArrayList<>(acks);
    }

    public Result run() throws InterruptedException {
        int n = config.usernames().size();
        AtomicInteger slots = new AtomicInteger(config.totalVotes());
        AtomicLong failures = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch done = new CountDownLatch(n);
        long deadline = System.nanoTime() + config.maxSeconds() * 1_000_000_000L;
        long[] start = new long[1];
        List<Thread> threads = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < n; t++) {
            String user = config.usernames().get(t);
            Random rng = new Random(config.seed() * 1_000_003L + t);
            Thread th = new Thread(() -> {
                try {
                    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                            .followRedirects(HttpClient.Redirect.NEVER).build();
                    Client c = new Client(config.baseUrl(), http);
                    JsonNode current = null;
                    try {
                        if (c.login(user, config.password()) != 302) throw new IllegalStateException("sign-in failed for " + user);
                        current = c.next(config.campaignId());
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                    ready.countDown();
                    go.await();
                    while (!stop.get() && System.nanoTime() < deadline) {
                        if (current == null) {
                            try {
                                if (c.csrf == null && c.login(user, config.password()) != 302) throw new IllegalStateException("sign-in failed");
                                current = c.next(config.campaignId());
                            } catch (Exception e) {
                                failures.incrementAndGet();
                                Thread.sleep(50);
                                continue;
                            }
                        }
                        if (slots.getAndDecrement() <= 0) break;
                        String outcome = choose(current, rng);
                        long t0 = System.nanoTime();
                        Client.Res r;
                        try {
                            r = c.vote(config.campaignId(), current.get("comparisonId").asText(), outcome);
                        } catch (Exception e) {
                            failures.incrementAndGet();
                            slots.incrementAndGet();
                            current = null;
                            c.csrf = null;
                            c.cookies.clear();
                            continue;
                        }
                        long dt = System.nanoTime() - t0;
                        if (r.status() == 200) {
                            JsonNode j = r.json();
                            acks.add(new Ack(current.get("comparisonId").asText(), j.get("voteId").asLong(), user, outcome, dt));
                            acked.incrementAndGet();
                            current = j.get("next");
                        } else {
                            failures.incrementAndGet();
                            slots.incrementAndGet();
                            current = null;
                            if (r.status() == 401) {
                                c.csrf = null;
                                c.cookies.clear();
                            }
                            if (r.status() == 429) Thread.sleep(100);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }, "annotator-" + user);
            th.setDaemon(true);
            threads.add(th);
            th.start();
        }
        ready.await();
        start[0] = System.nanoTime();
        go.countDown();
        done.await();
        double seconds = (System.nanoTime() - start[0]) / 1e9;
        return new Result(Collections.unmodifiableList(new ArrayList<>(acks)), failures.get(), seconds, n);
    }

    /** Bradley-Terry choice from the systems' true strengths, revealed to us only through the response text. */
    private String choose(JsonNode cmp, Random rng) {
        if (rng.nextDouble() < 0.05) return "tie";
        double sl = strengthOf(cmp.get("left").asText()), sr = strengthOf(cmp.get("right").asText());
        double pLeft = 1 / (1 + Math.exp(sr - sl));
        return rng.nextDouble() < pLeft ? "left" : "right";
    }

    private double strengthOf(String responseText) {
        // Test prompts say "Answer from <system> ..."; other text means strength 0.
        for (var e : config.strengths().entrySet()) if (responseText.contains("Answer from " + e.getKey() + " ")) return e.getValue();
        return 0;
    }
}
