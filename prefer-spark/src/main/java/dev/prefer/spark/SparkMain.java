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
@Command(name = "prefer-spark", mixinStandardHelpOptions = true, subcommands = {SparkMain.Rate.class, SparkMain.Score.class, SparkMain.Logps.class, SparkMain.Bench.class},
        description = "Ratings over vote tables of any size, and batch reward scoring / log-probs over tables of texts, on Apache Spark.")
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
                    "  ./prefer spark rate ../shared/data/llmfao/crowd-comparisons.csv --a left --b right --bootstrap 1000 --bootstrap-method poisson",
                    "  ./prefer spark rate 'votes/*.parquet' --intervals sandwich --reweight 50 --out /tmp/lb",
                    "  ./prefer spark rate battles.jsonl --model style --style-texts answer_a,answer_b --out /tmp/style"})
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
        @Option(names = "--model", defaultValue = "bt", description = "bt, thurstone, davidson, rao-kupper, style (the Arena's style control; sums aggregated in Spark).") String model;
        @Option(names = "--style-texts", split = ",", description = "--model style: columns with the two answers' texts (A,B); the Arena's four style features are computed in Spark.") List<String> styleTexts;
        @Option(names = "--style-columns", split = ",", description = "--model style: feature names X with per-answer counts in columns X_a and X_b.") List<String> styleColumns;
        @Option(names = "--style-l2", defaultValue = "1.0", description = "--model style: L2 on the style coefficients (on the mean log-likelihood).") double styleL2;
        @Option(names = "--bootstrap-method", defaultValue = "multinomial", description = "multinomial (on the driver over the collapsed rows: prefer rate's exact numbers) or poisson (Poisson weights per collapsed row and round drawn in Spark, independent of partitioning).") String bootstrapMethod;
        @Option(names = "--rounds-per-pass", defaultValue = "0", description = "--bootstrap-method poisson: rounds drawn per Spark pass (0 = as many as keep 32M draws on the driver).") int roundsPerPass;
        @Option(names = "--l2", defaultValue = "0") double l2;
        @Option(names = "--bootstrap", defaultValue = "0") int bootstrap;
        @Option(names = "--seed", defaultValue = "0") long seed;
        @Option(names = "--level", defaultValue = "0.95") double level;
        @Option(names = "--intervals", defaultValue = "fisher", description = "fisher or sandwich (without --bootstrap).") String intervals;
        @Option(names = "--reweight", description = "Arena reweighting 1/max(pair votes, N) (0 = off; default off, 50 for --model style).") Integer reweight;
        @Option(names = "--scale", defaultValue = "elo", description = "elo or log.") String scale;
        @Option(names = "--out", description = "Folder for leaderboard.csv/json, win-probabilities.csv, manifest.json.") Path out;

        @Override
        public Integer call() {
            VoteColumns cols = VoteColumns.DEFAULT.withItems(a, b).withWinner(winner).withWeight(weight);
            boolean style = model.equalsIgnoreCase("style");
            int rw = reweight != null ? reweight : style ? 50 : 0;
            RatingOptions ro = new RatingOptions(model, FitOptions.DEFAULT.withL2(l2), bootstrap, seed, level, scale.equals("log") ? Scale.log() : Scale.elo())
                    .withIntervals(intervals).withReweight(rw).withStyleL2(styleL2);
            if (!List.of("multinomial", "poisson").contains(bootstrapMethod)) throw new IllegalArgumentException("unknown --bootstrap-method '" + bootstrapMethod + "' (multinomial, poisson)");
            boolean texts = styleTexts != null && !styleTexts.isEmpty(), counts = styleColumns != null && !styleColumns.isEmpty();
            if (style && texts == counts) throw new IllegalArgumentException("--model style needs --style-texts A,B or --style-columns X,Y,...");
            if (!style && (texts || counts)) throw new IllegalArgumentException("--style-texts and --style-columns go with --model style");
            if (texts && styleTexts.size() != 2) throw new IllegalArgumentException("--style-texts takes two columns: A,B");
            SparkSession spark = session(master);
            try {
                long t0 = System.nanoTime();
                Dataset<Row> votes = SparkRatings.read(spark, path, format);
                Rater.Result r;
                long nVotes, nRows;
                String how;
                if (style) {
                    SparkStyle.Features f = texts ? SparkStyle.Features.texts(styleTexts.get(0), styleTexts.get(1)) : SparkStyle.Features.counts(styleColumns);
                    SparkStyle.Result sr = SparkStyle.rate(votes, cols, f, ro.withFeatures(f.names()));
                    r = sr.rated();
                    nVotes = sr.votes();
                    nRows = sr.rows();
                    how = String.format(Locale.ROOT, "style control with %d tree aggregations in Spark, Newton on the driver", sr.passes());
                } else if (bootstrap > 0 && bootstrapMethod.equals("poisson")) {
                    SparkRatings.Rated pr = SparkRatings.ratePoisson(votes, cols, ro, roundsPerPass);
                    r = pr.result();
                    nVotes = pr.comparisons().votes();
                    nRows = pr.comparisons().rows();
                    how = "collapse and Poisson draws in Spark, fits on the driver";
                } else {
                    Comparisons c = SparkRatings.collapse(votes, cols);
                    r = Ratings.rate(c, ro);
                    nVotes = c.votes();
                    nRows = c.rows();
                    how = "collapse in Spark, fit on the driver";
                }
                double tc = (System.nanoTime() - t0) / 1e9;
                System.out.print(r.leaderboard().toTable());
                System.out.printf(Locale.ROOT, "%d votes, %d unique rows; %s; %.2fs%n", nVotes, nRows, how, tc);
                if (out != null) {
                    Map<String, Object> config = new LinkedHashMap<>();
                    config.put("path", path);
                    config.put("format", format);
                    config.put("model", ro.model());
                    config.put("bootstrapRounds", bootstrap);
                    config.put("intervals", bootstrap > 0 ? "bootstrap" : intervals);
                    config.put("reweight", rw);
                    if (bootstrap > 0) config.put("bootstrapMethod", bootstrapMethod);
                    if (style) config.put("styleFeatures", texts ? Map.of("texts", styleTexts) : Map.of("countColumns", styleColumns));
                    config.put("l2", l2);
                    config.put("level", level);
                    config.put("votes", nVotes);
                    config.put("sparkVersion", spark.version());
                    Manifest m = Manifest.of("ratings-spark", config, bootstrap > 0 ? seed : null);
                    AtomicFiles.writeString(out.resolve("leaderboard.csv"), r.leaderboard().toCsv());
                    AtomicFiles.writeString(out.resolve("leaderboard.json"), r.leaderboard().toJson() + "\n");
                    AtomicFiles.writeString(out.resolve("win-probabilities.csv"), dev.prefer.ratings.Rate.matrixCsv(r.items(), r.winProbabilities()));
                    for (Map.Entry<String, Object> e : new java.util.TreeMap<>(r.extras()).entrySet()) {
                        AtomicFiles.writeString(out.resolve(e.getKey()), dev.prefer.data.Json.pretty(e.getValue()) + "\n");
                    }
                    m.writeTo(out);
                    System.out.println("wrote " + out);
                }
                return 0;
            } finally {
                spark.stop();
            }
        }
    }

    /** Options shared by score and logps. */
    abstract static class Batch implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model folder (visible at the same path on every executor).") String model;
        @Option(names = "--data", required = true, paramLabel = "PATH", description = "Pairs with prompt, chosen, rejected columns: JSONL, Parquet or CSV (a file, folder or glob).") String data;
        @Option(names = "--format", defaultValue = "auto", description = "auto, csv, tsv, jsonl, parquet.") String format;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Parquet folder to write (the input columns plus the scores).") String out;
        @Option(names = "--batch-size", defaultValue = "16", description = "Pairs per forward batch within a partition.") int batch;
        @Option(names = "--partitions", defaultValue = "0", description = "Repartition the input first (0 = keep Spark's).") int partitions;
        @Option(names = "--master", defaultValue = "local[*]") String master;

        abstract Dataset<Row> scored(Dataset<Row> pairs);

        @Override
        public Integer call() {
            SparkSession spark = session(master);
            try {
                long t0 = System.nanoTime();
                Dataset<Row> in = SparkRatings.read(spark, data, format);
                if (partitions > 0) in = in.repartition(partitions);
                scored(in).write().mode("errorifexists").parquet(out);
                long n = spark.read().parquet(out).count();
                System.out.printf(Locale.ROOT, "%d rows -> %s (%.1fs)%n", n, out, (System.nanoTime() - t0) / 1e9);
                return 0;
            } finally {
                spark.stop();
            }
        }
    }

    @Command(name = "score", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Reward scores of every pair of a table (reward_chosen, reward_rejected, p_chosen), as prefer score --model; one model per executor JVM, Parquet out.",
            footer = {"", "Examples:", "  ./prefer spark score --model ../shared/fixtures/hf-tiny-rm/llama-rm --data ../shared/fixtures/hf-tiny/pairs.jsonl --out /tmp/scored"})
    static final class Score extends Batch {
        @Override Dataset<Row> scored(Dataset<Row> pairs) { return SparkScore.score(pairs, model, batch); }
    }

    @Command(name = "logps", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Summed response log-probabilities of every pair of a table under a causal LM (chosen_logps, rejected_logps, token counts), as prefer logps; Parquet out.",
            footer = {"", "Examples:", "  ./prefer spark logps --model ../shared/fixtures/hf-tiny/gpt2/policy --data ../shared/fixtures/hf-tiny/pairs.jsonl --out /tmp/logps"})
    static final class Logps extends Batch {
        @Override Dataset<Row> scored(Dataset<Row> pairs) { return SparkScore.logps(pairs, model, batch); }
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
