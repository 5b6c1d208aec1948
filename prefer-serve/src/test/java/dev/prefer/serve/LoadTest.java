package dev.prefer.serve;

import dev.prefer.serve.Records.Vote;
import dev.prefer.serve.bench.LoadGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Load on loopback: 50 concurrent simulated annotators signing in and voting through the HTTP API. Afterwards
 * every acknowledged vote is in the database exactly once (same comparison id, same vote id) and nothing else is.
 * The default tier casts 1,000 votes; the slow tier the full 10,000. Throughput and latency percentiles are
 * printed and written to target/load/, never asserted (speed is reported, not tested).
 */
class LoadTest {

    @TempDir
    Path tmp;

    static List<String> backends() {
        return TestDatabases.backends();
    }

    static final List<String> SYSTEMS = List.of("sys-0", "sys-1", "sys-2", "sys-3", "sys-4");
    static final Map<String, Double> STRENGTHS = Map.of("sys-0", 0.0, "sys-1", 0.3, "sys-2", 0.6, "sys-3", 1.0, "sys-4", 1.5);

    @ParameterizedTest
    @MethodSource("backends")
    void fiftyAnnotatorsThousandVotes(String backend) throws Exception {
        run(backend, 50, 1_000);
    }

    @Tag("slow")
    @ParameterizedTest
    @MethodSource("backends")
    void fiftyAnnotatorsTenThousandVotes(String backend) throws Exception {
        run(backend, 50, 10_000);
    }

    void run(String backend, int annotators, int votes) throws Exception {
        Path prompts = TestServer.prompts(tmp, 200, SYSTEMS, "", 11);
        try (TestServer ts = new TestServer(backend, tmp, annotators, CampaignSpec.defaults().withPolicy(CampaignSpec.Policy.active), prompts, TestServer.roomy())) {
            List<String> users = IntStream.rangeClosed(1, annotators).mapToObj(i -> "ann" + i).toList();
            LoadGenerator gen = new LoadGenerator(new LoadGenerator.Config(ts.url(), ts.campaign.id(), users, TestServer.PASSWORD,
                    votes, STRENGTHS, 7, 600));
            LoadGenerator.Result r = gen.run();
            String line = backend + ": " + r.summary();
            System.out.println("[load] " + line);
            Files.createDirectories(Path.of("target", "load"));
            Files.writeString(Path.of("target", "load", "load-" + backend + "-" + votes + ".txt"), line + "\n");

            assertEquals(votes, r.acks().size(), "every vote acknowledged: " + line);
            List<Vote> stored = ts.store.votes(ts.campaign.id());
            Map<String, Long> byComparison = new HashMap<>();
            for (Vote v : stored) assertNull(byComparison.put(v.comparisonId(), v.id()), "comparison stored twice: " + v.comparisonId());
            for (LoadGenerator.Ack a : r.acks()) {
                assertEquals(a.voteId(), byComparison.get(a.comparisonId()), "acknowledged vote missing or different: " + a);
            }
            assertEquals(r.acks().size(), stored.size(), "nothing stored that was not acknowledged");
            // Each stored outcome is the one sent.
            Map<Long, String> sent = new HashMap<>();
            for (LoadGenerator.Ack a : r.acks()) sent.put(a.voteId(), a.outcome());
            for (Vote v : stored) assertEquals(sent.get(v.id()), v.outcome().wireName());
        }
    }
}
