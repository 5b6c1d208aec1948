package dev.prefer.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;

import dev.prefer.data.votes.VoteColumns;
import dev.prefer.ratings.Rater;
import dev.prefer.ratings.RatingOptions;
import dev.prefer.ratings.Ratings;
import dev.prefer.ratings.StyleControl;
import dev.prefer.ratings.StyleFeatures;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The Arena's style control ({@link StyleControl}) over a vote table of any size: Spark computes the per-vote style
 * features (from the two answers' texts, {@link StyleFeatures}, or from per-answer count columns), their means and
 * standard deviations, the pair counts of the reweighting and the mean weight, and collapses identical votes
 * (same items, outcome and features) into rows with summed weights. The collapsed rows stay in Spark, cached as one
 * {@link StyleControl.Rows} block per partition; every Newton step on the driver asks Spark for the sums it needs
 * (log-likelihood, gradient and Hessian, and at the end the score outer products for the sandwich) with one
 * {@code treeAggregate} each. The driver holds (items + features)² numbers, never the votes. Same options, same
 * numbers as {@code prefer rate --model style} ({@code SparkStyleTest}: 1e-8).
 */
public final class SparkStyle {
    private SparkStyle() {}

    /**
     * Where the style features come from: the two answers' texts ({@code textA}, {@code textB}; the Arena's four
     * features) or, when {@code countColumns} is not empty, per-answer counts in numeric columns {@code X_a} and
     * {@code X_b} for every name X.
     */
    public record Features(String textA, String textB, List<String> countColumns) implements Serializable {
        public static Features texts(String a, String b) { return new Features(a, b, List.of()); }
        public static Features counts(List<String> names) { return new Features(null, null, List.copyOf(names)); }

        List<String> names() { return countColumns.isEmpty() ? StyleFeatures.NAMES : countColumns; }
    }

    /** What a Spark style fit produced: the full result (leaderboard, style.json) and the fit itself. */
    public record Result(Rater.Result rated, StyleControl.Result fit, long votes, long rows, int passes) {}

    /** Rates a vote table with style control (RatingOptions: styleL2, reweight, fit, level, scale; model style). */
    public static Result rate(Dataset<Row> votes, VoteColumns c, Features f, RatingOptions o) {
        if (o.bootstrapRounds() > 0) throw new IllegalArgumentException("style control in Spark has sandwich intervals (drop --bootstrap; prefer rate --model style --bootstrap N bootstraps on one machine)");
        StyleControl.Options so = new StyleControl.Options(o.styleL2(), o.reweight(), true, o.fit());
        List<String> names = f.names();
        int p = names.size();
        List<String> need = new ArrayList<>(List.of(c.a(), c.b(), c.winner()));
        if (f.countColumns().isEmpty()) { need.add(f.textA()); need.add(f.textB()); }
        else for (String x : f.countColumns()) { need.add(x + "_a"); need.add(x + "_b"); }
        if (c.weight() != null) need.add(c.weight());
        for (String name : need) {
            if (!Arrays.asList(votes.columns()).contains(name)) throw new IllegalArgumentException("column '" + name + "' not found (columns: " + String.join(", ", votes.columns()) + ")");
        }
        List<Column> sel = new ArrayList<>(List.of(col(c.a()).cast(DataTypes.StringType).as("a"), col(c.b()).cast(DataTypes.StringType).as("b"),
                SparkRatings.outcome(c).as("o"), (c.weight() == null ? lit(1.0) : col(c.weight()).cast(DataTypes.DoubleType)).as("w"),
                col(c.winner()).cast(DataTypes.StringType).as("winner"), monotonically_increasing_id().as("idx")));
        if (f.countColumns().isEmpty()) {
            sel.add(col(f.textA()).cast(DataTypes.StringType).as("ta"));
            sel.add(col(f.textB()).cast(DataTypes.StringType).as("tb"));
        } else {
            for (String x : f.countColumns()) { sel.add(col(x + "_a").cast(DataTypes.DoubleType)); sel.add(col(x + "_b").cast(DataTypes.DoubleType)); }
        }
        Dataset<Row> v = votes.select(sel.toArray(new Column[0]));

        // Per vote: a, b, outcome code, weight, first-appearance index, raw features; bad rows are counted and named.
        boolean texts = f.countColumns().isEmpty();
        JavaRDD<Raw> raw = v.javaRDD().map(r -> Raw.of(r, texts, p)).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long bad = raw.filter(r -> r.bad != null).count();
            if (bad > 0) {
                Raw e = raw.filter(r -> r.bad != null).first();
                throw new IllegalArgumentException(bad + " bad vote row(s), e.g. a '" + e.a + "', b '" + e.b + "': " + e.bad);
            }
            // Items by first appearance (a before b within a vote), as StyleControl.prepare numbers them.
            Map<String, Long> first = raw.flatMapToPair(r -> List.of(new Tuple2<>(r.a, 2 * r.idx), new Tuple2<>(r.b, 2 * r.idx + 1)).iterator())
                    .reduceByKey(Math::min).collectAsMap();
            List<String> items = new ArrayList<>(first.keySet());
            items.sort((x, y) -> Long.compare(first.get(x), first.get(y)));
            if (items.isEmpty()) throw new IllegalArgumentException("no votes");
            int n = items.size();
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < n; i++) index.put(items.get(i), i);
            // Feature means, then population standard deviations (two passes, as the in-memory fit).
            double[] s1 = raw.treeAggregate(new double[p + 1], (acc, r) -> { for (int j = 0; j < p; j++) acc[j] += r.x[j]; acc[p]++; return acc; }, SparkStyle::add);
            long nv = (long) s1[p];
            double[] mean = new double[p], sd = new double[p];
            for (int j = 0; j < p; j++) mean[j] = s1[j] / nv;
            double[] s2 = raw.treeAggregate(new double[p], (acc, r) -> { for (int j = 0; j < p; j++) { double d = r.x[j] - mean[j]; acc[j] += d * d; } return acc; }, SparkStyle::add);
            for (int j = 0; j < p; j++) { double st = Math.sqrt(s2[j] / nv); sd[j] = st == 0 ? 1 : st; }
            // Votes per unordered pair (reweighting, connectivity) and per item.
            Map<Long, Long> pairVotes = new HashMap<>(raw.mapToPair(r -> new Tuple2<>(pairKey(index.get(r.a), index.get(r.b), n), 1L))
                    .reduceByKey(Long::sum).collectAsMap());
            long[] votesPerItem = new long[n];
            for (Map.Entry<Long, Long> e : pairVotes.entrySet()) { votesPerItem[(int) (e.getKey() / n)] += e.getValue(); votesPerItem[(int) (e.getKey() % n)] += e.getValue(); }
            if (!connected(n, pairVotes.keySet())) throw new IllegalArgumentException("style control needs a connected comparison graph");
            int rw = so.reweight();
            double meanW;
            if (rw > 0) {
                double sw = raw.map(r -> r.w / Math.max(pairVotes.get(pairKey(index.get(r.a), index.get(r.b), n)), rw)).reduce(Double::sum);
                meanW = sw / nv;
            } else {
                meanW = 1;
            }
            // Collapse identical votes (items, outcome, normalised features): Σw, Σw², count.
            JavaPairRDD<Key, double[]> collapsed = raw.mapToPair(r -> {
                double w = rw > 0 ? r.w / Math.max(pairVotes.get(pairKey(index.get(r.a), index.get(r.b), n)), rw) / meanW : r.w;
                double[] xs = new double[p];
                for (int j = 0; j < p; j++) xs[j] = (r.x[j] - mean[j]) / sd[j];
                return new Tuple2<>(new Key(index.get(r.a), index.get(r.b), r.o, xs), new double[] {w, w * w, 1});
            }).reduceByKey((x, y) -> new double[] {x[0] + y[0], x[1] + y[1], x[2] + y[2]});
            JavaRDD<StyleControl.Rows> blocks = collapsed.mapPartitions(it -> List.of(block(it, n, p)).iterator()).persist(StorageLevel.MEMORY_AND_DISK());
            try {
                long rows = blocks.map(StyleControl.Rows::size).fold(0, Integer::sum);
                SparkSums sums = new SparkSums(blocks, n + p);
                StyleControl.Result fit = StyleControl.fit(items, nv, sums, names, so, mean, sd);
                Rater.Result rated = Ratings.style(fit, votesPerItem, null, o);
                return new Result(rated, fit, nv, rows, sums.passes);
            } finally {
                blocks.unpersist(false);
            }
        } finally {
            raw.unpersist(false);
        }
    }

    static double[] add(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
        return x;
    }

    static long pairKey(int x, int y, int n) {
        return (long) Math.min(x, y) * n + Math.max(x, y);
    }

    private static boolean connected(int n, Iterable<Long> pairs) {
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        for (long k : pairs) {
            int x = find(parent, (int) (k / n)), y = find(parent, (int) (k % n));
            parent[x] = y;
        }
        int root = find(parent, 0);
        for (int i = 1; i < n; i++) if (find(parent, i) != root) return false;
        return true;
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) { parent[i] = parent[parent[i]]; i = parent[i]; }
        return i;
    }

    private static StyleControl.Rows block(Iterator<Tuple2<Key, double[]>> it, int n, int p) {
        List<Tuple2<Key, double[]>> rows = new ArrayList<>();
        it.forEachRemaining(rows::add);
        int k = rows.size();
        int[] a = new int[k], b = new int[k];
        double[] y = new double[k], w = new double[k], w2 = new double[k], x = new double[k * p];
        long[] cnt = new long[k];
        for (int r = 0; r < k; r++) {
            Key key = rows.get(r)._1();
            double[] s = rows.get(r)._2();
            a[r] = key.a;
            b[r] = key.b;
            y[r] = key.o == 0 ? 1 : key.o == 1 ? 0 : 0.5;
            w[r] = s[0];
            w2[r] = s[1];
            cnt[r] = (long) s[2];
            System.arraycopy(key.x, 0, x, r * p, p);
        }
        return new StyleControl.Rows(n, p, a, b, y, w, w2, cnt, x);
    }

    /** {@link StyleControl.Sums} as tree aggregations over cached blocks; counts the Spark passes. */
    static final class SparkSums implements StyleControl.Sums {
        private final JavaRDD<StyleControl.Rows> blocks;
        private final int m;
        int passes;

        SparkSums(JavaRDD<StyleControl.Rows> blocks, int m) {
            this.blocks = blocks;
            this.m = m;
        }

        @Override
        public double evaluate(double[] th, double[] g, double[] h) {
            passes++;
            int mm = m;
            double[] t = th.clone();
            if (g == null) return blocks.map(b -> b.logLikelihood(t)).fold(0.0, Double::sum);
            // one array: [ℓ, ∇ℓ (m), −∇²ℓ (m²)]
            double[] acc = blocks.treeAggregate(new double[1 + mm + mm * mm], (x, b) -> {
                double[] gg = new double[mm], hh = new double[mm * mm];
                x[0] += b.accumulate(t, gg, hh);
                for (int i = 0; i < mm; i++) x[1 + i] += gg[i];
                for (int i = 0; i < mm * mm; i++) x[1 + mm + i] += hh[i];
                return x;
            }, SparkStyle::add);
            System.arraycopy(acc, 1, g, 0, mm);
            System.arraycopy(acc, 1 + mm, h, 0, mm * mm);
            return acc[0];
        }

        @Override
        public double[] scoreSquares(double[] th) {
            passes++;
            int mm = m;
            double[] t = th.clone();
            return blocks.treeAggregate(new double[mm * mm], (x, b) -> { b.accumulateScoreSquares(t, x); return x; }, SparkStyle::add);
        }
    }

    /** A vote as read: item names, outcome code, weight, first-appearance index, raw features; or why it is bad. */
    static final class Raw implements Serializable {
        private static final long serialVersionUID = 1L;
        String a, b, bad;
        byte o;
        double w;
        long idx;
        double[] x;

        static Raw of(Row r, boolean texts, int p) {
            Raw v = new Raw();
            v.a = r.getString(0);
            v.b = r.getString(1);
            v.idx = r.getLong(5);
            v.x = new double[p];
            if (v.a == null || v.b == null || v.a.equals(v.b)) { v.bad = "missing or equal items"; return v; }
            if (r.isNullAt(2)) { v.bad = "unknown winner value '" + r.getString(4) + "'"; return v; }
            v.o = r.getByte(2);
            v.w = r.isNullAt(3) ? Double.NaN : r.getDouble(3);
            if (!(v.w > 0) || Double.isInfinite(v.w)) { v.bad = "weight is not finite and > 0"; return v; }
            if (texts) {
                if (r.isNullAt(6) || r.isNullAt(7)) { v.bad = "missing answer text"; return v; }
                v.x = StyleFeatures.of(r.getString(6), r.getString(7));
            } else {
                double[] ca = new double[p], cb = new double[p];
                for (int j = 0; j < p; j++) {
                    if (r.isNullAt(6 + 2 * j) || r.isNullAt(7 + 2 * j)) { v.bad = "missing style count"; return v; }
                    ca[j] = r.getDouble(6 + 2 * j);
                    cb[j] = r.getDouble(7 + 2 * j);
                }
                v.x = StyleFeatures.differences(ca, cb);
            }
            for (double d : v.x) if (!Double.isFinite(d)) { v.bad = "style feature is not finite"; return v; }
            return v;
        }
    }

    /** Collapse key: items, outcome and normalised features. */
    static final class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        final int a, b;
        final byte o;
        final double[] x;

        Key(int a, int b, byte o, double[] x) {
            this.a = a;
            this.b = b;
            this.o = o;
            this.x = x;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && k.a == a && k.b == b && k.o == o && Arrays.equals(k.x, x);
        }

        @Override
        public int hashCode() {
            return ((a * 31 + b) * 31 + o) * 31 + Arrays.hashCode(x);
        }
    }
}
