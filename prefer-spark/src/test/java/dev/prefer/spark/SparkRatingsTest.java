package dev.prefer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.Json;
import dev.prefer.data.votes.Vote;
import dev.prefer.data.votes.VoteColumns;
import dev.prefer.data.votes.VoteReader;
import dev.prefer.ratings.Comparisons;
import dev.prefer.ratings.Leaderboard;
import dev.prefer.ratings.Rater;
import dev.prefer.ratings.RatingOptions;
import dev.prefer.ratings.Ratings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark in local[2]: one session for the module's tests (start-up is the slow part on 2 cores). */
class SparkRatingsTest {
    static SparkSession spark;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTests.session();
    }

    static Path llmfao() {
        Path p = Path.of(System.getProperty("prefer.shared"), "data/llmfao/crowd-comparisons.csv");
        if (!Files.exists(p)) throw new IllegalStateException("missing shared fixture: " + p);
        return p;
    }

    static void assertSame(Leaderboard want, Leaderboard got, String what) {
        assertEquals(want.entries().size(), got.entries().size(), what);
        for (Leaderboard.Entry e : want.entries()) {
            Leaderboard.Entry g = got.entry(e.item());
            assertEquals(e.rating(), g.rating(), 1e-9, what + " " + e.item());
            assertEquals(e.lower(), g.lower(), 1e-9, what + " lower " + e.item());
            assertEquals(e.upper(), g.upper(), 1e-9, what + " upper " + e.item());
            assertEquals(e.rank(), g.rank(), what + " rank " + e.item());
        }
    }

    /** CSV, JSONL and Parquet through Spark give prefer rate's numbers (bootstrap included) to 1e-9. */
    @Test
    void csvJsonlAndParquetEqualPreferRate() throws IOException {
        VoteColumns cols = VoteColumns.DEFAULT.withItems("left", "right");
        List<Vote> votes = VoteReader.readCsv(llmfao(), ',', cols, false).votes();
        RatingOptions boot = RatingOptions.DEFAULT.withBootstrap(30, 5);
        RatingOptions sandwich = RatingOptions.DEFAULT.withModel("davidson").withIntervals("sandwich").withReweight(50);
        Leaderboard wantBoot = Ratings.leaderboard(votes, boot), wantSw = Ratings.leaderboard(votes, sandwich);

        Comparisons fromCsv = SparkRatings.collapse(SparkRatings.read(spark, llmfao().toString(), "auto"), cols);
        assertSame(wantBoot, Ratings.rate(fromCsv, boot).leaderboard(), "csv bootstrap");
        assertSame(wantSw, Ratings.rate(fromCsv, sandwich).leaderboard(), "csv sandwich");

        Path jsonl = dir.resolve("votes.jsonl");
        List<String> lines = new ArrayList<>();
        for (Vote v : votes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("left", v.a());
            m.put("right", v.b());
            m.put("winner", switch (v.outcome()) { case A_WINS -> "left"; case B_WINS -> "right"; default -> "tie"; });
            lines.add(Json.line(m));
        }
        Files.write(jsonl, lines);
        assertSame(wantBoot, SparkRatings.rate(SparkRatings.read(spark, jsonl.toString(), "auto"), cols, boot).leaderboard(), "jsonl");

        Path parquet = dir.resolve("votes.parquet");
        SparkRatings.read(spark, llmfao().toString(), "csv").coalesce(1).write().parquet(parquet.toString());
        Rater.Result got = SparkRatings.rate(SparkRatings.read(spark, parquet.toString(), "auto"), cols, boot);
        assertSame(wantBoot, got.leaderboard(), "parquet");
        assertEquals(59, got.items().size());
    }

    @Test
    void unknownWinnerValueIsCountedAndNamed() throws IOException {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "model_a,model_b,winner\na,b,model_a\nb,a,nobody\na,b,model_b\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkRatings.rate(SparkRatings.read(spark, f.toString(), "auto"), VoteColumns.DEFAULT, RatingOptions.DEFAULT));
        assertTrue(e.getMessage().startsWith("1 bad vote row(s)") && e.getMessage().contains("'nobody'"), e.getMessage());
    }
}
