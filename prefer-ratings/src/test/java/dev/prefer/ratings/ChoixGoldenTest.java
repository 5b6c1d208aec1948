package dev.prefer.ratings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.data.votes.Outcome;
import dev.prefer.data.votes.Vote;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import dev.prefer.data.votes.Choice;
import dev.prefer.data.votes.Ranking;
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

    @ParameterizedTest
    @ValueSource(strings = {"rankings-1", "rankings-2"})
    void rankings(String name) throws IOException {
        JsonNode tc = load(name);
        int n = tc.get("n_items").asInt();
        List<Ranking> rs = new ArrayList<>();
        for (JsonNode d : tc.get("data")) {
            List<String> order = new ArrayList<>();
            for (JsonNode x : d) order.add("i" + x.asInt());
            rs.add(Ranking.strict(order));
        }
        Fit fit = PlackettLuce.fit(rs, FitOptions.DEFAULT);
        for (int i = 0; i < n; i++) assertEquals(tc.get("ml_est").get(i).asDouble(), fit.theta("i" + i), 1e-4, name + " item " + i);
    }

    @ParameterizedTest
    @ValueSource(strings = {"top1-1", "top1-2"})
    void top1(String name) throws IOException {
        JsonNode tc = load(name);
        int n = tc.get("n_items").asInt();
        List<Choice> cs = new ArrayList<>();
        for (JsonNode d : tc.get("data")) {
            List<String> others = new ArrayList<>();
            for (JsonNode x : d.get(1)) others.add("i" + x.asInt());
            cs.add(Choice.of("i" + d.get(0).asInt(), others));
        }
        Fit fit = PlackettLuce.fit(PlackettLuce.fromChoices(cs), FitOptions.DEFAULT);
        for (int i = 0; i < n; i++) assertEquals(tc.get("ml_est").get(i).asDouble(), fit.theta("i" + i), 1e-4, name + " item " + i);
    }

    @org.junit.jupiter.api.Test
    void plackettLuceOverTwoItemsIsBradleyTerry() {
        List<Ranking> rs = new ArrayList<>();
        List<Vote> vs = new ArrayList<>();
        String[][] g = {{"a", "b"}, {"b", "c"}, {"c", "a"}, {"a", "c"}, {"a", "b"}};
        for (String[] x : g) { rs.add(Ranking.strict(List.of(x))); vs.add(Vote.of(x[0], x[1], Outcome.A_WINS)); }
        Fit pl = PlackettLuce.fit(rs, FitOptions.DEFAULT);
        Fit bt = BradleyTerry.fit(vs);
        for (String s : List.of("a", "b", "c")) assertEquals(bt.theta(s), pl.theta(s), 1e-10);
        assertEquals(bt.standardError()[0], pl.standardError()[pl.items().indexOf(bt.items().get(0))], 1e-8);
    }

    /** choix's lsr_est: one Luce-spectral-ranking step from π = 1, for pairwise, ranking and top-1 data. */
    @ParameterizedTest
    @ValueSource(strings = {"pairwise-1", "pairwise-2", "rankings-1", "rankings-2", "top1-1", "top1-2"})
    void luceSpectralRanking(String name) throws IOException {
        JsonNode tc = load(name);
        int n = tc.get("n_items").asInt();
        PlackettLuce.Data d;
        if (name.startsWith("pairwise")) {
            List<Vote> votes = new ArrayList<>();
            for (JsonNode x : tc.get("data")) votes.add(Vote.of("i" + x.get(0).asInt(), "i" + x.get(1).asInt(), Outcome.A_WINS));
            d = LuceSpectral.fromVotes(votes);
        } else if (name.startsWith("rankings")) {
            List<Ranking> rs = new ArrayList<>();
            for (JsonNode x : tc.get("data")) {
                List<String> order = new ArrayList<>();
                for (JsonNode y : x) order.add("i" + y.asInt());
                rs.add(Ranking.strict(order));
            }
            d = PlackettLuce.fromRankings(rs);
        } else {
            List<Choice> cs = new ArrayList<>();
            for (JsonNode x : tc.get("data")) {
                List<String> others = new ArrayList<>();
                for (JsonNode y : x.get(1)) others.add("i" + y.asInt());
                cs.add(Choice.of("i" + x.get(0).asInt(), others));
            }
            d = PlackettLuce.fromChoices(cs);
        }
        double[] lsr = LuceSpectral.lsr(d);
        for (int i = 0; i < n; i++) assertEquals(tc.get("lsr_est").get(i).asDouble(), lsr[d.items().indexOf("i" + i)], 1e-4, name + " item " + i);
        // Iterated LSR converges to the maximum-likelihood estimate.
        Fit ilsr = LuceSpectral.ilsr(d, 1e-12, 1000);
        for (int i = 0; i < n; i++) assertEquals(tc.get("ml_est").get(i).asDouble(), ilsr.theta("i" + i), 1e-4, name + " I-LSR item " + i);
    }
}
