package dev.prefer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import dev.prefer.data.votes.VoteColumns;
import dev.prefer.ratings.Leaderboard;
import dev.prefer.ratings.Rate;
import dev.prefer.ratings.RatingOptions;
import dev.prefer.ratings.Scale;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Style control with the sums aggregated in Spark against {@code prefer rate --model style --style-texts} on the
 * LLMFAO crowd votes joined with their answers' texts (the data of prefer-ratings' StyleControlTest, which checks
 * the single-node fit against bench/ratings_reference.py).
 */
class SparkStyleTest {
    @TempDir
    static Path dir;

    /** LLMFAO votes as JSONL with both answers' texts (joined on prompt and model name). */
    static Path votesWithTexts() throws IOException {
        Path shared = Path.of(System.getProperty("prefer.shared"), "data/llmfao");
        Map<String, String> text = new HashMap<>();
        for (String line : Files.readAllLines(shared.resolve("results.jsonl"))) {
            JsonNode r = Json.MAPPER.readTree(line);
            text.put(r.get("prompt").asInt() + "\u0000" + r.get("name").asText(), r.get("result").asText());
        }
        List<String> lines = Files.readAllLines(shared.resolve("crowd-comparisons.csv"));
        List<String> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            // id,prompt,model_x,model_y,worker,winner,left,right (names carry no commas or quotes)
            String[] f = line.split(",", -1);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("left", f[6]);
            m.put("right", f[7]);
            m.put("winner", f[5]);
            m.put("text_a", text.get(f[1] + "\u0000" + f[6]));
            m.put("text_b", text.get(f[1] + "\u0000" + f[7]));
            out.add(Json.line(m));
        }
        Path p = dir.resolve("llmfao-texts.jsonl");
        Files.write(p, out);
        return p;
    }

    @Test
    void styleControlInSparkEqualsPreferRate() throws IOException {
        Path votes = votesWithTexts();
        VoteColumns cols = VoteColumns.DEFAULT.withItems("left", "right");
        RatingOptions ro = RatingOptions.DEFAULT.withModel("style").withReweight(50).withScale(Scale.log());
        Path out = dir.resolve("local");
        Rate.Result local = Rate.run(votes, new Rate.Options("jsonl", cols, "half", ro, false, out, false, List.of("text_a", "text_b"), List.of()));
        JsonNode style = Json.MAPPER.readTree(out.resolve("style.json").toFile());

        SparkSession spark = SparkTests.session();
        SparkStyle.Result got = SparkStyle.rate(spark.read().json(votes.toString()).repartition(3), cols, SparkStyle.Features.texts("text_a", "text_b"),
                ro.withFeatures(dev.prefer.ratings.StyleFeatures.NAMES));
        Leaderboard lb = got.rated().leaderboard();
        assertEquals(8931, got.votes());
        assertTrue(got.rows() < got.votes(), "identical votes collapse: " + got.rows() + " rows");
        assertEquals(local.leaderboard().entries().size(), lb.entries().size());
        for (Leaderboard.Entry e : local.leaderboard().entries()) {
            Leaderboard.Entry g = lb.entry(e.item());
            assertEquals(e.rating(), g.rating(), 1e-8, e.item());
            assertEquals(e.lower(), g.lower(), 1e-8, e.item() + " lower");
            assertEquals(e.upper(), g.upper(), 1e-8, e.item() + " upper");
            assertEquals(e.rank(), g.rank(), e.item());
        }
        JsonNode coeffs = style.get("coeffs");
        assertEquals(4, coeffs.size());
        for (int k = 0; k < 4; k++) {
            assertEquals(coeffs.get(k).get("feature").asText(), got.fit().featureNames().get(k));
            assertEquals(coeffs.get(k).get("coeff").asDouble(), got.fit().beta()[k], 1e-8, "beta " + k);
            assertEquals(coeffs.get(k).get("se").asDouble(), got.fit().betaSe()[k], 1e-8, "beta se " + k);
            assertEquals(coeffs.get(k).get("featureMean").asDouble(), got.fit().featureMean()[k], 1e-12, "mean " + k);
            assertEquals(coeffs.get(k).get("featureStd").asDouble(), got.fit().featureStd()[k], 1e-12, "std " + k);
        }
    }
}
