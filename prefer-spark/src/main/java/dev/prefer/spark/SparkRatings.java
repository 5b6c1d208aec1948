package dev.prefer.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import dev.prefer.data.votes.VoteColumns;
import dev.prefer.ratings.Comparisons;
import dev.prefer.ratings.Leaderboard;
import dev.prefer.ratings.Rater;
import dev.prefer.ratings.RatingOptions;
import dev.prefer.ratings.Ratings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * Ratings over a vote table of any size: the votes are collapsed to unique (a, b, outcome) rows by a group-by in
 * Spark, the rows (at most items² × 3, whatever the number of votes) come to the driver, and the fit is
 * prefer-ratings' own ({@link Ratings#rate(Comparisons, RatingOptions)}). Rows and items are ordered by first
 * appearance in the input, exactly as {@link Comparisons#of} orders them, so ratings, intervals and even the
 * seeded bootstrap equal {@code prefer rate} on the same file.
 *
 * <p>Winner values mean what they mean for {@code prefer rate} ({@link VoteColumns}: trimmed, case-insensitive;
 * a value naming item a or b is that item's win); a row with an unknown value, a missing item, a = b or a weight
 * that is not finite and positive is an error that names the value and counts the bad rows.
 */
public final class SparkRatings {
    private SparkRatings() {}

    /**
     * Reads a vote table: CSV (header row), JSON Lines or Parquet, by {@code format} or, for "auto", by extension
     * (.csv, .tsv, .json/.jsonl, .parquet; gzip works for text formats).
     */
    public static Dataset<Row> read(SparkSession spark, String path, String format) {
        String f = format == null ? "auto" : format.toLowerCase(Locale.ROOT);
        if (f.equals("auto")) {
            String p = path.toLowerCase(Locale.ROOT).replaceAll("\\.gz$", "");
            f = p.endsWith(".parquet") || p.endsWith("/") ? "parquet" : p.endsWith(".tsv") ? "tsv" : p.endsWith(".json") || p.endsWith(".jsonl") ? "jsonl" : "csv";
        }
        return switch (f) {
            case "csv" -> spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"").csv(path);
            case "tsv" -> spark.read().option("header", "true").option("sep", "\t").csv(path);
            case "jsonl", "json" -> spark.read().json(path);
            case "parquet" -> spark.read().parquet(path);
            default -> throw new IllegalArgumentException("unknown format '" + format + "' (auto, csv, tsv, jsonl, parquet)");
        };
    }

    /** The outcome code column (0 a wins, 1 b wins, 2 tie or both bad, null unknown) of a vote table. */
    static Column outcome(VoteColumns c) {
        Column w = trim(col(c.winner()).cast(DataTypes.StringType));
        Column lw = lower(w);
        Column code = when(lw.isin(c.aWins().toArray()), lit(0))
                .when(lw.isin(c.bWins().toArray()), lit(1))
                .when(lw.isin(c.tie().toArray()), lit(2))
                .when(lw.isin(c.bothBad().toArray()), lit(2))
                .when(w.equalTo(col(c.a()).cast(DataTypes.StringType)), lit(0))
                .when(w.equalTo(col(c.b()).cast(DataTypes.StringType)), lit(1));
        return code.cast(DataTypes.ByteType);
    }

    /** Collapses a vote table in Spark and brings the unique rows to the driver. */
    public static Comparisons collapse(Dataset<Row> votes, VoteColumns c) {
        return toComparisons(aggregate(votes, c).collectAsList());
    }

    /**
     * The group-by of a vote table: one row per unique (a, b, o) with columns a, b, o (outcome code), first (the
     * first vote's position), n (votes), w (Σ weight), w2 (Σ weight²), bad (bad votes), badWinner.
     */
    public static Dataset<Row> aggregate(Dataset<Row> votes, VoteColumns c) {
        for (String name : new String[] {c.a(), c.b(), c.winner()}) {
            if (!Arrays.asList(votes.columns()).contains(name)) throw new IllegalArgumentException("column '" + name + "' not found (columns: " + String.join(", ", votes.columns()) + ")");
        }
        Column weight = c.weight() == null ? lit(1.0) : col(c.weight()).cast(DataTypes.DoubleType);
        Dataset<Row> v = votes.select(
                col(c.a()).cast(DataTypes.StringType).as("a"),
                col(c.b()).cast(DataTypes.StringType).as("b"),
                col(c.winner()).cast(DataTypes.StringType).as("winner"),
                outcome(c).as("o"),
                weight.as("w"),
                monotonically_increasing_id().as("idx"));
        Column bad = col("a").isNull().or(col("b").isNull()).or(col("a").equalTo(col("b"))).or(col("o").isNull())
                .or(col("w").isNull()).or(col("w").leq(0)).or(col("w").isNaN()).or(col("w").equalTo(Double.POSITIVE_INFINITY));
        return v.groupBy(col("a"), col("b"), col("o")).agg(
                min(col("idx")).as("first"), count(lit(1)).as("n"), sum(col("w")).as("w"), sum(col("w").multiply(col("w"))).as("w2"),
                sum(when(bad, lit(1)).otherwise(lit(0))).as("bad"), min(when(bad, col("winner"))).as("badWinner"));
    }

    /** Collected rows of {@link #aggregate} to comparisons (rows and items by first appearance); bad votes are an error. */
    public static Comparisons toComparisons(List<Row> collected) {
        List<Row> rows = new ArrayList<>(collected);
        long badRows = 0;
        Row firstBad = null;
        for (Row r : rows) if (r.getLong(r.fieldIndex("bad")) > 0) { badRows += r.getLong(r.fieldIndex("bad")); if (firstBad == null) firstBad = r; }
        if (badRows > 0) {
            throw new IllegalArgumentException(badRows + " bad vote row(s), e.g. a '" + firstBad.get(0) + "', b '" + firstBad.get(1) + "', winner '"
                    + firstBad.get(firstBad.fieldIndex("badWinner")) + "' (unknown winner value, missing or equal items, or a weight that is not finite and > 0)");
        }
        if (rows.isEmpty()) throw new IllegalArgumentException("no votes");
        rows.sort((x, y) -> Long.compare(x.getLong(x.fieldIndex("first")), y.getLong(y.fieldIndex("first"))));
        // Items by first appearance, a before b within a vote: the earliest vote holding an item starts its row.
        Map<String, Long> firstSeen = new HashMap<>();
        for (Row r : rows) {
            long f = r.getLong(r.fieldIndex("first"));
            firstSeen.merge(r.getString(0), 2 * f, Math::min);
            firstSeen.merge(r.getString(1), 2 * f + 1, Math::min);
        }
        List<String> items = new ArrayList<>(firstSeen.keySet());
        items.sort((x, y) -> Long.compare(firstSeen.get(x), firstSeen.get(y)));
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < items.size(); i++) index.put(items.get(i), i);
        int n = rows.size();
        int[] a = new int[n], b = new int[n];
        byte[] o = new byte[n];
        double[] w = new double[n], w2 = new double[n];
        long[] cnt = new long[n];
        for (int k = 0; k < n; k++) {
            Row r = rows.get(k);
            a[k] = index.get(r.getString(0));
            b[k] = index.get(r.getString(1));
            o[k] = r.getByte(2);
            cnt[k] = r.getLong(r.fieldIndex("n"));
            w[k] = r.getDouble(r.fieldIndex("w"));
            w2[k] = r.getDouble(r.fieldIndex("w2"));
        }
        return Comparisons.ofRows(items, a, b, o, w, w2, cnt);
    }

    /** Collapse in Spark, fit on the driver: the same result as {@code prefer rate} (pairwise models). */
    public static Rater.Result rate(Dataset<Row> votes, VoteColumns c, RatingOptions o) {
        return Ratings.rate(collapse(votes, c), o);
    }

    /** A result and the collapsed rows it was fitted on. */
    public record Rated(Rater.Result result, Comparisons comparisons) {
        public Leaderboard leaderboard() { return result.leaderboard(); }
    }

    /**
     * Collapse in Spark, fit on the driver, and the bootstrap as a Poisson bootstrap drawn in Spark
     * ({@link SparkBootstrap}): the votes are read once; the collapsed rows stay cached in Spark for the draws.
     *
     * @param roundsPerPass rounds drawn per pass over the cached collapsed rows (0: as many as fit in 128 MB of draws)
     */
    public static Rated ratePoisson(Dataset<Row> votes, VoteColumns c, RatingOptions o, int roundsPerPass) {
        Dataset<Row> agg = aggregate(votes, c).persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        try {
            Comparisons comps = toComparisons(agg.collectAsList());
            return new Rated(Ratings.rate(comps, o, (model, cc, point, byCount, ro) ->
                    SparkBootstrap.run(agg, model, cc, point, byCount, ro.fit(), ro.bootstrapRounds(), ro.seed(), roundsPerPass)), comps);
        } finally {
            agg.unpersist();
        }
    }
}
