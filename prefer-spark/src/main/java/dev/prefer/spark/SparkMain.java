package dev.prefer.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.when;

import dev.prefer.data.AtomicFiles;
import dev.prefer.data.Manifest;
import dev.prefer.data.votes.VoteColumns;
import dev.prefer.ratings.Comparisons;
import dev.prefer.ratings.FitOptions;
import dev.prefer.ratings.Rater;
import dev.prefer.ratings.RatingOptions;
import dev.prefer.ratings.Ratings;
import dev.prefer.ratings.Scale;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code prefer spark ...}: ratings on Apache Spark. Runs in local mode by default ({@code --master local[*]});
 * under {@code spark-submit} the master comes from the submit command (docs/spark.md).
 */
@Command(name = "prefer-spark", mixinStandardHelpOptions = true, subcommands = {SparkMain.Rate.class, SparkMain.Bench.class},
        description = "Ratings over vote tables of any size on Apache Spark.")
public final class SparkMain implements Runnable {
    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            System.err.println("prefer spark: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage().lines().findFirst().orElse("")));
            return 2;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    static SparkSession session(String master) {
        SparkSession.Builder b = SparkSession.builder().appName("prefer-spark").config("spark.ui.enabled", "false");
        if (master != null && !master.isBlank() && System.getProperty("spark.master") == null) b = b.master(master);
        return b.getOrCreate();
    }

    @Command(name = "rate", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Rate a vote table (CSV, JSONL, Parquet; a file or a folder): collapse in Spark, fit on the driver; the same numbers as prefer rate.",
            footer = {"", "Examples:", "  ./prefer spark rate ../shared/data/llmfao/crowd-comparisons.csv --a left --b right --bootstrap 100",
                    "  ./prefer spark rate 'votes/*.parquet' --intervals sandwich --reweight 50 --out /tmp/lb"})
    static final class Rate implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PATH", description = "Vote table: a file, folder or glob Spark can read.")
        String path;
        @Option(names = "--format", defaultValue = "auto", description = "auto, csv, tsv, jsonl, parquet.")
        String format;
        @Option(names = "--master", defaultValue = "local[*]", description = "Spark master (ignored under spark-submit, which sets its own).")
        String master;
        @Option(names = "--a", defaultValue = "model_a") String a;
        @Option(names = "--b", defaultValue = "model_b") String b;
        @Option(names = "--winner", defaultValue = "winner") String winner;
        @Option(names = "--weight", description = "Weight column.") String weight;
        @Option(names = "--model", defaultValue = "bt", description = "bt, thurstone, davidson, rao-kupper.") String model;
        @Option(names = "--l2", defaultValue = "0") double l2;
        @Option(names = "--bootstrap", defaultValue = "0") int bootstrap;
        @Option(names = "--seed", defaultValue = "0") long seed;
        @Option(names = "--level", defaultValue = "0.95") double level;
        @Option(names = "--intervals", defaultValue = "fisher", description = "fisher or sandwich (without --bootstrap).") String intervals;
        @Option(names = "--reweight", defaultValue = "0", description = "Arena reweighting 1/max(pair votes, N) (0 = off).") int reweight;
        @Option(names = "--scale", defaultValue = "elo", description = "elo or log.") String scale;
        @Option(names = "--out", description = "Folder for leaderboard.csv/json, win-probabilities.csv, manifest.json.") Path out;

        @Override
        public Integer call() {
            VoteColumns cols = VoteColumns.DEFAULT.withItems(a, b).withWinner(winner).withWeight(weight);
            RatingOptions ro = new RatingOptions(model, FitOptions.DEFAULT.withL2(l2), bootstrap, seed, level, scale.equals("log") ? Scale.log() : Scale.elo())
                    .withIntervals(intervals).withReweight(reweight);
            SparkSession spark = session(master);
            try {
                long t0 = System.nanoTime();
                Comparisons c = SparkRatings.collapse(SparkRatings.read(spark, path, format), cols);
                double tc = (System.nanoTime() - t0) / 1e9;
                long t1 = System.nanoTime();
                Rater.Result r = Ratings.rate(c, ro);
                double tf = (System.nanoTime() - t1) / 1e9;
                System.out.print(r.leaderboard().toTable());
                System.out.printf(Locale.ROOT, "%d votes, %d unique rows; collapse in Spark %.2fs, fit on the driver %.3fs%n", c.votes(), c.rows(), tc, tf);
                if (out != null) {
                    Map<String, Object> config = new LinkedHashMap<>();
                    config.put("path", path);
                    config.put("format", format);
                    config.put("model", ro.model());
                    config.put("bootstrapRounds", bootstrap);
                    config.put("intervals", bootstrap > 0 ? "bootstrap" : intervals);
                    config.put("reweight", reweight);
                    config.put("l2", l2);
                    config.put("level", level);
                    config.put("votes", c.votes());
                    config.put("sparkVersion", spark.version());
                    Manifest m = Manifest.of("ratings-spark", config, bootstrap > 0 ? seed : null);
                    AtomicFiles.writeString(out.resolve("leaderboard.csv"), r.leaderboard().toCsv());
                    AtomicFiles.writeString(out.resolve("leaderboard.json"), r.leaderboard().toJson() + "\n");
                    AtomicFiles.writeString(out.resolve("win-probabilities.csv"), dev.prefer.ratings.Rate.matrixCsv(r.items(), r.winProbabilities()));
                    m.writeTo(out);
                    System.out.println("wrote " + out);
                }
                return 0;
            } finally {
                spark.stop();
            }
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Generate votes inside Spark (known strengths, Bradley-Terry outcomes), collapse them with a group-by and fit on the driver; reports rows/s per partition count.",
            footer = {"", "Examples:", "  ./prefer spark bench --rows 100000000 --items 129 --partitions 2,4,8"})
    static final class Bench implements Callable<Integer> {
        @Option(names = "--rows", defaultValue = "10000000") long rows;
        @Option(names = "--items", defaultValue = "129") int items;
        @Option(names = "--partitions", split = ",", defaultValue = "2", description = "Partition counts to time, e.g. 2,4,8.") List<Integer> partitions;
        @Option(names = "--seed", defaultValue = "0") long seed;
        @Option(names = "--master", defaultValue = "local[*]") String master;

        @Override
        public Integer call() {
            SplittableRandom rnd = new SplittableRandom(seed);
            double[] s = new double[items];
            for (int i = 0; i < items; i++) s[i] = Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
            double mean = java.util.Arrays.stream(s).average().orElse(0);
            for (int i = 0; i < items; i++) s[i] -= mean;
            SparkSession spark = session(master);
            try {
                System.out.printf(Locale.ROOT, "Spark %s, master %s, %d cores on the driver's machine; %d rows, %d items%n",
                        spark.version(), spark.sparkContext().master(), Runtime.getRuntime().availableProcessors(), rows, items);
                for (int parts : partitions) {
                    long t0 = System.nanoTime();
                    Comparisons c = SparkRatings.collapse(generate(spark, rows, items, s, parts, seed), VoteColumns.DEFAULT);
                    double tc = (System.nanoTime() - t0) / 1e9;
                    long t1 = System.nanoTime();
                    Rater.Result r = Ratings.rate(c, RatingOptions.DEFAULT);
                    double tf = (System.nanoTime() - t1) / 1e9;
                    double err = 0;
                    List<String> names = r.items();
                    Scale sc = Scale.elo();
                    for (int i = 0; i < items; i++) {
                        double got = r.leaderboard().entry("m" + i).rating(), want = 1000 + sc.unit() * s[i];
                        err = Math.max(err, Math.abs(got - want));
                    }
                    System.out.printf(Locale.ROOT, "partitions %d: generate+collapse %.2fs (%.2fM rows/s), fit %.3fs, %d unique rows, max |rating - truth| %.2f Elo (%d items rated)%n",
                            parts, tc, rows / tc / 1e6, tf, c.rows(), err, names.size());
                    System.out.printf(Locale.ROOT, "RESULT partitions=%d rows=%d collapse_s=%.3f fit_s=%.4f rows_per_s=%.0f%n", parts, rows, tc, tf, rows / tc);
                }
                return 0;
            } finally {
                spark.stop();
            }
        }

        /** rows votes: a, b uniform distinct items "m<i>", P(a wins) = σ(s_a − s_b). */
        static Dataset<Row> generate(SparkSession spark, long rows, int items, double[] s, int parts, long seed) {
            Column ia = floor(rand(seed).multiply(items)).cast("int");
            Column ib0 = floor(rand(seed + 1).multiply(items - 1)).cast("int");
            Column strength = lit(0.0);
            Dataset<Row> d = spark.range(0, rows, 1, parts).select(ia.as("ia"), ib0.as("ib0"), rand(seed + 2).as("u"));
            d = d.withColumn("ib", when(col("ib0").geq(col("ia")), col("ib0").plus(1)).otherwise(col("ib0")));
            Column sa = strength, sb = strength;
            List<Column> arr = new ArrayList<>();
            for (double v : s) arr.add(lit(v));
            Column table = org.apache.spark.sql.functions.array(arr.toArray(new Column[0]));
            sa = org.apache.spark.sql.functions.element_at(table, col("ia").plus(1));
            sb = org.apache.spark.sql.functions.element_at(table, col("ib").plus(1));
            Column pa = lit(1.0).divide(lit(1.0).plus(exp(sb.minus(sa))));
            return d.select(org.apache.spark.sql.functions.concat(lit("m"), col("ia").cast("string")).as("model_a"),
                    org.apache.spark.sql.functions.concat(lit("m"), col("ib").cast("string")).as("model_b"),
                    when(col("u").lt(pa), lit("model_a")).otherwise(lit("model_b")).as("winner"));
        }
    }
}
