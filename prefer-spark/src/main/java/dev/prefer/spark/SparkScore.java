package dev.prefer.spark;

import static org.apache.spark.sql.functions.col;

import dev.prefer.data.PreferencePair;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.PairLogps;
import dev.prefer.reward.RewardScorer;
import dev.prefer.reward.Backbones;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Batch reward scoring and batch log-probabilities over a table of (prompt, chosen, rejected) texts in Spark. A
 * model is loaded once per executor JVM, lazily, the first time a task there needs it, and kept in a map keyed by
 * its path ({@link #MODELS}), so a job over thousands of partitions loads it once per executor, not once per task.
 * Each task (one executor thread) makes its own {@link Predictor} over the shared model: the weights are shared and
 * only read; the per-call state (DJL sub-managers, libtorch's grad mode, which is per thread) belongs to the task's
 * thread. Rows are scored in batches of {@code batch} pairs within a partition and come back in their order, with
 * the input columns kept and the scores appended; write the result with {@code .write().parquet(dir)}.
 *
 * <p>The numbers are {@code prefer score} / {@code prefer logps}'s ({@link RewardScorer#scorePairs},
 * {@link CausalLM#pairLogps}) on the same rows: identical for embedding heads, equal up to float32 rounding for
 * language-model heads, whose batches (and so padding and summation order) differ ({@code SparkScoreTest}).
 */
public final class SparkScore {
    private SparkScore() {}

    /** Models loaded in this JVM, by kind and path (one per executor JVM; closed when the JVM exits). */
    static final Map<String, AutoCloseable> MODELS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable m : MODELS.values()) {
                try { m.close(); } catch (Exception e) { /* exiting */ }
            }
        }));
    }

    /** Loads of each model in this JVM (for tests: a model is loaded once per JVM). */
    static final Map<String, Integer> LOADS = new ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    static <M extends AutoCloseable> M model(String kind, String path, Function<Path, M> load) {
        return (M) MODELS.computeIfAbsent(kind + ":" + path, k -> {
            LOADS.merge(k, 1, Integer::sum);
            return load.apply(Path.of(path));
        });
    }

    /** A task's handle on a shared model: scores a batch of pairs into output rows. */
    interface Predictor {
        List<Object[]> predict(List<PreferencePair> batch);
    }

    /** {@code reward_chosen}, {@code reward_rejected} (NaN for heads without a per-response reward), {@code p_chosen}. */
    public static Dataset<Row> score(Dataset<Row> pairs, String modelDir, int batch) {
        String path = Path.of(modelDir).toAbsolutePath().toString();
        List<StructField> add = List.of(DataTypes.createStructField("reward_chosen", DataTypes.DoubleType, false),
                DataTypes.createStructField("reward_rejected", DataTypes.DoubleType, false),
                DataTypes.createStructField("p_chosen", DataTypes.DoubleType, false));
        return run(pairs, add, batch, () -> {
            RewardScorer m = model("reward", path, p -> RewardScorer.open(p, Backbones.Options.inMemory(1)));
            return b -> {
                List<Object[]> out = new ArrayList<>(b.size());
                for (RewardScorer.PairScore s : m.scorePairs(b)) out.add(new Object[] {s.rewardChosen(), s.rewardRejected(), s.pChosen()});
                return out;
            };
        });
    }

    /** {@code chosen_logps}, {@code rejected_logps} (summed response log-probabilities), and their token counts. */
    public static Dataset<Row> logps(Dataset<Row> pairs, String modelDir, int batch) {
        String path = Path.of(modelDir).toAbsolutePath().toString();
        List<StructField> add = List.of(DataTypes.createStructField("chosen_logps", DataTypes.DoubleType, false),
                DataTypes.createStructField("rejected_logps", DataTypes.DoubleType, false),
                DataTypes.createStructField("chosen_tokens", DataTypes.IntegerType, false),
                DataTypes.createStructField("rejected_tokens", DataTypes.IntegerType, false));
        return run(pairs, add, batch, () -> {
            CausalLM lm = model("causal-lm", path, dev.prefer.train.ModelLoader::causalLm);
            return b -> {
                List<Object[]> out = new ArrayList<>(b.size());
                for (PairLogps p : lm.pairLogps(b, b.size())) {
                    out.add(new Object[] {p.chosen().sum(), p.rejected().sum(), p.chosen().tokens(), p.rejected().tokens()});
                }
                return out;
            };
        });
    }

    /** Makes a task's predictor (on the executor). */
    interface PredictorFactory extends java.io.Serializable {
        Predictor make();
    }

    private static Dataset<Row> run(Dataset<Row> pairs, List<StructField> add, int batch, PredictorFactory factory) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1");
        for (String c : List.of("prompt", "chosen", "rejected")) {
            if (!Arrays.asList(pairs.columns()).contains(c)) throw new IllegalArgumentException("column '" + c + "' not found (columns: " + String.join(", ", pairs.columns()) + ")");
        }
        Dataset<Row> texts = pairs.withColumn("prompt", col("prompt").cast(DataTypes.StringType))
                .withColumn("chosen", col("chosen").cast(DataTypes.StringType)).withColumn("rejected", col("rejected").cast(DataTypes.StringType));
        List<StructField> fields = new ArrayList<>(Arrays.asList(texts.schema().fields()));
        for (StructField f : add) {
            if (Arrays.asList(pairs.columns()).contains(f.name())) throw new IllegalArgumentException("column '" + f.name() + "' exists already");
            fields.add(f);
        }
        StructType out = DataTypes.createStructType(fields);
        int ip = fieldIndex(pairs, "prompt"), ic = fieldIndex(pairs, "chosen"), ir = fieldIndex(pairs, "rejected");
        MapPartitionsFunction<Row, Row> f = rows -> new Iterator<>() {
            Predictor predictor;
            final List<Row> pending = new ArrayList<>();
            Iterator<Row> ready = List.<Row>of().iterator();

            @Override
            public boolean hasNext() {
                if (ready.hasNext()) return true;
                if (!rows.hasNext()) return false;
                pending.clear();
                List<PreferencePair> b = new ArrayList<>(batch);
                while (rows.hasNext() && pending.size() < batch) {
                    Row r = rows.next();
                    if (r.isNullAt(ip) || r.isNullAt(ic) || r.isNullAt(ir)) throw new IllegalArgumentException("a row has no prompt, chosen or rejected text: " + r);
                    pending.add(r);
                    b.add(PreferencePair.of(r.getString(ip), r.getString(ic), r.getString(ir)));
                }
                if (predictor == null) predictor = factory.make();
                List<Object[]> scores = predictor.predict(b);
                List<Row> done = new ArrayList<>(pending.size());
                for (int i = 0; i < pending.size(); i++) {
                    Row r = pending.get(i);
                    Object[] v = new Object[r.size() + add.size()];
                    for (int k = 0; k < r.size(); k++) v[k] = r.get(k);
                    System.arraycopy(scores.get(i), 0, v, r.size(), add.size());
                    done.add(RowFactory.create(v));
                }
                ready = done.iterator();
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return ready.next();
            }
        };
        return texts.mapPartitions(f, Encoders.row(out));
    }

    private static int fieldIndex(Dataset<Row> d, String name) {
        return Arrays.asList(d.columns()).indexOf(name);
    }
}
