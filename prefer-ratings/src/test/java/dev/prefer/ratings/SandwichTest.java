package dev.prefer.ratings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sandwich intervals against bench/ratings_reference.py (numpy: complex-step per-vote scores, finite-difference
 * Hessian, pseudo-inverse gauge) on the LLMFAO crowd votes. Expected numbers live in
 * src/test/resources/ratings-reference.
 */
class SandwichTest {
    /** model -> item -> [theta, se] from the reference CSV. */
    static Map<String, Map<String, double[]>> reference(String file) throws IOException {
        Map<String, Map<String, double[]>> m = new HashMap<>();
        try (InputStream in = SandwichTest.class.getResourceAsStream("/ratings-reference/" + file)) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            for (String line : lines.subList(1, lines.size())) {
                List<String> f = splitCsv(line);
                String model = f.size() == 4 ? f.get(0) : "";
                int o = f.size() == 4 ? 1 : 0;
                m.computeIfAbsent(model, k -> new HashMap<>()).put(f.get(o), new double[] {Double.parseDouble(f.get(o + 1)), Double.parseDouble(f.get(o + 2))});
            }
        }
        return m;
    }

    static List<String> splitCsv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        boolean q = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (q) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') { b.append('"'); i++; }
                else if (ch == '"') q = false;
                else b.append(ch);
            } else if (ch == '"') q = true;
            else if (ch == ',') { out.add(b.toString()); b.setLength(0); }
            else b.append(ch);
        }
        out.add(b.toString());
        return out;
    }

    static void assertMatches(Map<String, double[]> ref, Fit fit, double[] se) {
        int matched = 0;
        for (int i = 0; i < fit.items().size(); i++) {
            double[] r = ref.get(fit.items().get(i));
            assertEquals(r[0], fit.theta(i), 1e-8, fit.items().get(i) + " theta");
            assertEquals(r[1], se[i], 1e-6, fit.items().get(i) + " se");
            matched++;
        }
        assertEquals(59, matched);
    }

    @Test
    void sandwichMatchesTheReferenceForBradleyTerryDavidsonRaoKupperAndReweighting() throws IOException {
        Map<String, Map<String, double[]>> ref = reference("sandwich-llmfao.csv");
        Comparisons c = Comparisons.of(Shared.llmfaoCrowd().votes());
        for (String model : List.of("bt", "davidson", "rao-kupper")) {
            PairwiseModel pm = Ratings.pairwiseModel(model);
            Fit fit = PairwiseFitter.fit(pm, c, FitOptions.DEFAULT);
            Sandwich.Result s = Sandwich.pairwise(pm, c, fit, 0);
            assertMatches(ref.get(model), fit, s.thetaSe());
            if (pm.hasTieParameter()) {
                double[] eta = ref.get(model).get("__eta__");
                assertEquals(eta[0], Math.log(fit.tieParameter()[0]), 1e-8, model + " eta");
                assertEquals(eta[1], s.tieSe()[0], 1e-6, model + " eta se");
            }
        }
        Comparisons rw = c.reweighted(50);
        Fit fit = PairwiseFitter.fit(BradleyTerryModel.INSTANCE, rw, FitOptions.DEFAULT);
        assertMatches(ref.get("bt-reweighted"), fit, Sandwich.pairwise(BradleyTerryModel.INSTANCE, rw, fit, 0).thetaSe());
        // The same through the one entry point, on the Elo scale.
        Leaderboard lb = Ratings.leaderboard(Shared.llmfaoCrowd().votes(), RatingOptions.DEFAULT.withReweight(50).withIntervals("sandwich"));
        assertEquals("sandwich", lb.intervals());
        String top = lb.entries().get(0).item();
        assertEquals(ref.get("bt-reweighted").get(top)[1] * Scale.ELO_PER_LOG_UNIT, lb.entry(top).standardError(), 1e-6 * Scale.ELO_PER_LOG_UNIT);
    }
}
