package dev.prefer.ratings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.data.votes.Outcome;
import dev.prefer.data.votes.Vote;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** choix's golden maximum-likelihood estimates (../shared/data/choix), tolerance 1e-4 as in choix's own tests. */
class ChoixGoldenTest {

    static JsonNode load(String name) throws IOException {
        return Json.MAPPER.readTree(Shared.path("data/choix/testcase-" + name + ".json").toFile());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pairwise-1", "pairwise-2"})
    void pairwise(String name) throws IOException {
        JsonNode tc = load(name);
        int n = tc.get("n_items").asInt();
        List<Vote> votes = new ArrayList<>();
        for (JsonNode d : tc.get("data")) votes.add(Vote.of("i" + d.get(0).asInt(), "i" + d.get(1).asInt(), Outcome.A_WINS));
        Fit fit = BradleyTerry.fit(votes);
        for (int i = 0; i < n; i++) assertEquals(tc.get("ml_est").get(i).asDouble(), fit.theta("i" + i), 1e-4, name + " item " + i);
    }
}
