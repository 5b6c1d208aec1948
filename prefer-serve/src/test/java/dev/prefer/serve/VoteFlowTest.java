package dev.prefer.serve;

import dev.prefer.data.votes.Outcome;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.serve.Records.Vote;
import dev.prefer.serve.bench.Client;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The annotator flow over HTTP against each backend: sign in, vote, reveal, single-use comparisons, attributes. */
class VoteFlowTest {

    @TempDir
    Path tmp;

    static List<String> backends() {
        return TestDatabases.backends();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void votesAreRecordedOnceAndRevealNamesTheSystems(String backend) throws Exception {
        Path prompts = TestServer.prompts(tmp, 6, List.of("sys-a", "sys-b", "sys-c"), "", 1);
        CampaignSpec spec = CampaignSpec.defaults().withAttributes(List.of(CampaignSpec.Attribute.parse("helpfulness:1-5")))
                .withRationale(CampaignSpec.Rationale.optional);
        try (TestServer ts = new TestServer(backend, tmp, 2, spec, prompts, TestServer.roomy())) {
            long cid = ts.campaign.id();
            Client c = new Client(ts.url());
            assertEquals(302, c.login("ann1", TestServer.PASSWORD));
            assertNotNull(c.csrf);
            Set<String> seen = new HashSet<>();
            JsonNode cmp = c.next(cid);
            for (int i = 0; i < 8; i++) {
                String id = cmp.get("comparisonId").asText();
                assertTrue(seen.add(id), "comparison ids are fresh");
                // Responses are anonymised: the JSON carries texts, never system names.
                assertFalse(cmp.has("leftSystem") || cmp.toString().contains("\"sys-"), cmp.toString());
                Map<String, Object> body = Map.of("comparisonId", id, "outcome", i % 2 == 0 ? "left" : "right",
                        "attributes", Map.of("helpfulness", Map.of("left", 4, "right", 2)), "rationale", "because " + i);
                Client.Res r = c.postJson("/api/campaigns/" + cid + "/votes", body, true);
                assertEquals(200, r.status(), r.body());
                JsonNode j = r.json();
                String left = j.get("reveal").get("left").asText(), right = j.get("reveal").get("right").asText();
                // The reveal matches the texts that were shown.
                assertTrue(cmp.get("left").asText().contains("Answer from " + left + " "), cmp + " / " + j);
                assertTrue(cmp.get("right").asText().contains("Answer from " + right + " "));
                assertEquals(i + 1, j.get("votes").asInt());
                // A replay of the same comparison is refused and does not count.
                Client.Res again = c.postJson("/api/campaigns/" + cid + "/votes", body, true);
                assertEquals(409, again.status(), again.body());
                cmp = j.get("next");
            }
            List<Vote> votes = ts.store.votes(cid);
            assertEquals(8, votes.size());
            assertEquals(8, votes.stream().map(Vote::comparisonId).distinct().count());
            Vote v0 = votes.get(0);
            assertEquals(Outcome.A_WINS, v0.outcome());
            assertEquals(Map.of(v0.leftSystem(), 4, v0.rightSystem(), 2), v0.attributes().get("helpfulness"));
            assertEquals("because 0", v0.rationale());
            assertEquals(1.0 / 3, v0.probability(), 1e-12, "uniform over 3 pairs");

            // Another annotator cannot spend ann1's comparison.
            JsonNode mine = c.next(cid);
            Client other = new Client(ts.url());
            assertEquals(302, other.login("ann2", TestServer.PASSWORD));
            assertEquals(400, other.vote(cid, mine.get("comparisonId").asText(), "left").status());
            assertEquals(400, other.vote(cid, "made-up-id", "left").status());
            assertEquals(8, ts.store.votes(cid).size());

            // Out-of-scale attribute and unknown attribute are refused.
            assertEquals(400, c.postJson("/api/campaigns/" + cid + "/votes", Map.of("comparisonId", mine.get("comparisonId").asText(),
                    "outcome", "left", "attributes", Map.of("helpfulness", Map.of("left", 9))), true).status());
            assertEquals(400, c.postJson("/api/campaigns/" + cid + "/votes", Map.of("comparisonId", mine.get("comparisonId").asText(),
                    "outcome", "left", "attributes", Map.of("verbosity", Map.of("left", 1))), true).status());
            // ...and did not use up the comparison.
            assertEquals(200, c.vote(cid, mine.get("comparisonId").asText(), "tie").status());
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void concurrentDoubleSubmitCountsOnce(String backend) throws Exception {
        Path prompts = TestServer.prompts(tmp, 3, List.of("x", "y"), "", 2);
        try (TestServer ts = new TestServer(backend, tmp, 1, CampaignSpec.defaults(), prompts, TestServer.roomy())) {
            long cid = ts.campaign.id();
            Client c = new Client(ts.url());
            c.login("ann1", TestServer.PASSWORD);
            String id = c.next(cid).get("comparisonId").asText();
            var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<Integer>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) fs.add(pool.submit(() -> c.vote(cid, id, "left").status()));
            int ok = 0, conflict = 0;
            for (var f : fs) {
                int s = f.get();
                if (s == 200) ok++;
                else if (s == 409) conflict++;
            }
            pool.shutdown();
            assertEquals(1, ok, "exactly one of eight simultaneous submits counts");
            assertEquals(7, conflict);
            assertEquals(1, ts.store.votes(cid).size());
        }
    }
}
