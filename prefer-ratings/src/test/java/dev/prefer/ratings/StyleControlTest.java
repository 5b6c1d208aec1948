package dev.prefer.ratings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.data.votes.Vote;
import dev.prefer.data.votes.VoteColumns;
import dev.prefer.data.votes.VoteReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Arena's style control against bench/ratings_reference.py on the LLMFAO crowd votes joined with the answers'
 * texts (results.jsonl on prompt and model name): the four style counts of every answer, and the fitted ratings,
 * coefficients and sandwich standard errors.
 */
class StyleControlTest {
    private static List<Vote> cached;

    /** The LLMFAO crowd votes with the texts of both answers, style features as vote features (read once). */
    static synchronized List<Vote> llmfaoWithStyle() throws IOException {
        if (cached == null) cached = readLlmfaoWithStyle();
        return cached;
    }

    private static List<Vote> readLlmfaoWithStyle() throws IOException {
        Map<String, String> text = new HashMap<>();
        for (String line : Files.readAllLines(Shared.path("data/llmfao/results.jsonl"))) {
            JsonNode r = Json.MAPPER.readTree(line);
            text.put(r.get("prompt").asInt() + "\u0000" + r.get("name").asText(), r.get("result").asText());
        }
        List<Vote> votes = VoteReader.readCsv(Shared.path("data/llmfao/crowd-comparisons.csv"), ',',
                VoteColumns.DEFAULT.withItems("left", "right").withCategory("prompt"), false).votes();
        List<Vote> out = new ArrayList<>(votes.size());
        for (Vote v : votes) {
            double[] f = StyleFeatures.of(text.get(v.category() + "\u0000" + v.a()), text.get(v.category() + "\u0000" + v.b()));
            out.add(new Vote(v.a(), v.b(), v.outcome(), v.weight(), v.annotator(), v.timestamp(), v.category(), f, v.source()));
        }
        return out;
    }

    @Test
    void styleCountsMatchTheReferenceOnEveryLlmfaoAnswer() throws IOException {
        Map<Integer, String> text = new HashMap<>();
        for (String line : Files.readAllLines(Shared.path("data/llmfao/results.jsonl"))) {
            JsonNode r = Json.MAPPER.readTree(line);
            text.put(r.get("id").asInt(), r.get("result").asText());
        }
        int checked = 0, withMarkdown = 0;
        try (InputStream in = getClass().getResourceAsStream("/ratings-reference/style-counts-llmfao.csv")) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",");
                double[] c = StyleFeatures.counts(text.get(Integer.parseInt(f[0])));
                for (int k = 0; k < 4; k++) assertEquals(Double.parseDouble(f[k + 1]), c[k], 0, "result " + f[0] + " " + StyleFeatures.NAMES.get(k));
                if (c[1] + c[2] + c[3] > 0) withMarkdown++;
                checked++;
            }
        }
        assertEquals(1133, checked);
        assertTrue(withMarkdown > 100, "answers with markdown: " + withMarkdown);
    }

    @Test
    void styleControlMatchesTheReferenceFitOnLlmfaoWithTexts() throws IOException {
        Map<String, double[]> ref = SandwichTest.reference("style-llmfao.csv").get("");
        StyleControl.Result r = StyleControl.fit(llmfaoWithStyle(), StyleFeatures.NAMES, StyleControl.Options.ARENA);
        SandwichTest.assertMatches(ref, r.fit(), r.fit().standardError());
        for (int k = 0; k < 4; k++) {
            String nm = StyleFeatures.NAMES.get(k);
            assertEquals(ref.get("__beta__:" + nm)[0], r.beta()[k], 1e-8, nm);
            assertEquals(ref.get("__beta__:" + nm)[1], r.betaSe()[k], 1e-6, nm + " se");
            assertEquals(ref.get("__norm__:" + nm)[0], r.featureMean()[k], 1e-12, nm + " mean");
            assertEquals(ref.get("__norm__:" + nm)[1], r.featureStd()[k], 1e-12, nm + " std");
        }
    }

    @Test
    void styleRaterReportsCoefficientsAndArenaLayout() throws IOException {
        Rater.Result r = Ratings.rate(llmfaoWithStyle(), RatingOptions.DEFAULT.withModel("style").withFeatures(StyleFeatures.NAMES).withReweight(50));
        assertEquals("sandwich", r.leaderboard().intervals());
        assertTrue(r.leaderboard().notes().stream().anyMatch(n -> n.startsWith("style tokens: beta")), r.leaderboard().notes().toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> arena = (Map<String, Object>) r.extras().get("style.json");
        assertEquals(59, ((List<?>) arena.get("competitors")).size());
        assertEquals(4, ((List<?>) arena.get("coeffs")).size());
    }

    /**
     * The style bootstrap (arena-rank's resampling of votes) and the sandwich estimate the same sampling spread
     * (the sandwich is the bootstrap's large-sample limit). 150 rounds give a bootstrap sd a relative Monte-Carlo
     * error of 1/sqrt(2·150) = 5.8%; the median ratio over 59 items must lie within 10% of 1, each coefficient's
     * within 25%; percentile intervals replace the sandwich ones and the coefficients get percentile intervals.
     */
    @Test
    void styleBootstrapSpreadMatchesTheSandwich() throws IOException {
        StyleControl.Options o = StyleControl.Options.ARENA;
        StyleControl.Prepared pr = StyleControl.prepare(llmfaoWithStyle(), StyleFeatures.NAMES, o);
        StyleControl.Result r = StyleControl.fit(pr, StyleFeatures.NAMES, o);
        List<double[]> reps = StyleControl.bootstrap(pr, r, o, 150, 11);
        int n = r.fit().items().size();
        double[] ratio = new double[n + 4];
        for (int j = 0; j < n + 4; j++) {
            double m = 0, v = 0;
            for (double[] t : reps) m += t[j];
            m /= reps.size();
            for (double[] t : reps) v += (t[j] - m) * (t[j] - m);
            double sd = Math.sqrt(v / (reps.size() - 1));
            ratio[j] = sd / (j < n ? r.fit().standardError()[j] : r.betaSe()[j - n]);
        }
        for (int k = 0; k < 4; k++) assertTrue(ratio[n + k] > 0.75 && ratio[n + k] < 1.25, StyleFeatures.NAMES.get(k) + ": bootstrap sd / sandwich se " + ratio[n + k]);
        double[] items = java.util.Arrays.copyOf(ratio, n);
        java.util.Arrays.sort(items);
        assertTrue(Math.abs(items[n / 2] - 1) < 0.1, "median bootstrap sd / sandwich se over items: " + items[n / 2]);

        Rater.Result rated = Ratings.rate(llmfaoWithStyle(), RatingOptions.DEFAULT.withModel("style").withFeatures(StyleFeatures.NAMES).withReweight(50).withBootstrap(20, 11));
        assertEquals("bootstrap", rated.leaderboard().intervals());
        assertEquals(20, rated.leaderboard().bootstrapRounds() + rated.leaderboard().failedRounds());
    }
}
