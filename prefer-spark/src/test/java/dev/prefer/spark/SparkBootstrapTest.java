package dev.prefer.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.votes.VoteColumns;
import dev.prefer.ratings.Bootstrap;
import dev.prefer.ratings.Comparisons;
import dev.prefer.ratings.Fit;
import dev.prefer.ratings.FitOptions;
import dev.prefer.ratings.Leaderboard;
import dev.prefer.ratings.PairwiseFitter;
import dev.prefer.ratings.RatingOptions;
import dev.prefer.ratings.Ratings;
import dev.prefer.ratings.Scale;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The Poisson bootstrap drawn in Spark (local[2]) on the LLMFAO crowd votes. */
class SparkBootstrapTest {
    static final VoteColumns COLS = VoteColumns.DEFAULT.withItems("left", "right");

    static Dataset<Row> llmfao(int partitions) {
        Path p = Path.of(System.getProperty("prefer.shared"), "data/llmfao/crowd-comparisons.csv");
        return SparkRatings.read(SparkTests.session(), p.toString(), "csv").repartition(partitions);
    }

    /** The LLMFAO votes in file order, cut into {@code partitions} contiguous slices (as file splits are). */
    static Dataset<Row> inOrder(int partitions) {
        Dataset<Row> d = llmfao(1);
        List<Row> rows = d.collectAsList();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTests.session().sparkContext());
        return SparkTests.session().createDataFrame(jsc.parallelize(rows, partitions), d.schema());
    }

    /**
     * Draws are keyed by (seed, row, round): the same votes in 1 or 4 partitions, drawn 40 or 7 rounds per pass,
     * give identical intervals.
     */
    @Test
    void sameSeedSameIntervalsWhateverThePartitioning() {
        RatingOptions o = RatingOptions.DEFAULT.withBootstrap(40, 9);
        Leaderboard one = SparkRatings.ratePoisson(inOrder(1), COLS, o, 0).leaderboard();
        Leaderboard four = SparkRatings.ratePoisson(inOrder(4), COLS, o, 7).leaderboard();
        assertEquals("bootstrap", one.intervals());
        assertEquals(40, one.bootstrapRounds() + one.failedRounds());
        for (Leaderboard.Entry e : one.entries()) {
            Leaderboard.Entry g = four.entry(e.item());
            assertEquals(e.lower(), g.lower(), 0, e.item());
            assertEquals(e.upper(), g.upper(), 0, e.item());
        }
        Leaderboard other = SparkRatings.ratePoisson(llmfao(4), COLS, o.withBootstrap(40, 10), 0).leaderboard();
        assertTrue(one.entries().stream().anyMatch(e -> e.lower() != other.entry(e.item()).lower()), "another seed draws other rounds");
    }

    /**
     * The Spark Poisson bootstrap and {@code prefer rate --bootstrap} (multinomial) agree in distribution: per item,
     * the replicates' standard deviation and the 2.5% and 97.5% quantiles of R = 300 rounds each. The tolerance is
     * the Monte-Carlo error: for R normal replicates of sd σ, sd̂ has standard error σ/√(2(R−1)) and the q-quantile
     * σ·√(q(1−q)/R)/φ(z_q); the difference of two independent estimates is allowed 4.5 of its standard errors
     * (two-sided p = 7e-6 per check, 59 items × 3 checks: family-wise false alarm below 0.2% by Bonferroni).
     */
    @Test
    void poissonIntervalsEqualTheMultinomialBootstrapInDistribution() {
        int rounds = 300;
        Comparisons c = SparkRatings.collapse(llmfao(2), COLS);
        Fit point = PairwiseFitter.fit(Ratings.pairwiseModel("bt"), c, FitOptions.DEFAULT);
        Bootstrap.Result multi = Bootstrap.run(Ratings.pairwiseModel("bt"), c, FitOptions.DEFAULT, point, Bootstrap.Options.of(rounds, 1));
        Dataset<Row> agg = SparkRatings.aggregate(llmfao(2), COLS).cache();
        Bootstrap.Result pois = SparkBootstrap.run(agg, Ratings.pairwiseModel("bt"), c, point, false, FitOptions.DEFAULT, rounds, 2, 0);
        assertEquals(0, multi.failed());
        assertEquals(0, pois.failed());
        double q = 0.025, z = new NormalDistribution().inverseCumulativeProbability(1 - q);
        double quantileFactor = Math.sqrt(q * (1 - q) / rounds) / new NormalDistribution().density(z);
        double worst = 0;
        String worstWhat = "";
        for (int i = 0; i < c.itemCount(); i++) {
            double[] x = column(multi.theta(), i), y = column(pois.theta(), i);
            double sx = sd(x), sy = sd(y), sigma = (sx + sy) / 2;
            double[] checks = {
                (sx - sy) / (sigma * Math.sqrt(2.0 / (2 * (rounds - 1)))),
                (dev.prefer.core.stats.Bootstrap.quantile(x, q) - dev.prefer.core.stats.Bootstrap.quantile(y, q)) / (sigma * quantileFactor * Math.sqrt(2)),
                (dev.prefer.core.stats.Bootstrap.quantile(x, 1 - q) - dev.prefer.core.stats.Bootstrap.quantile(y, 1 - q)) / (sigma * quantileFactor * Math.sqrt(2))};
            for (int k = 0; k < 3; k++) {
                if (Math.abs(checks[k]) > worst) { worst = Math.abs(checks[k]); worstWhat = c.items().get(i) + " check " + k; }
            }
        }
        assertTrue(worst < 4.5, "largest standardised difference " + worst + " (" + worstWhat + ")");
        agg.unpersist();
    }

    /** The Poisson sampler's mean and variance equal λ within 4.5 standard errors, below and above the PTRS switch. */
    @Test
    void poissonSamplerHasMeanAndVarianceLambda() {
        SplittableRandom rnd = new SplittableRandom(5);
        int n = 200_000;
        for (double lam : new double[] {0.3, 3, 9.5, 10, 47, 3000}) {
            double s = 0, s2 = 0;
            for (int k = 0; k < n; k++) { double x = SparkBootstrap.poisson(lam, rnd); s += x; s2 += x * x; }
            double mean = s / n, var = s2 / n - mean * mean;
            // se of the mean √(λ/n); of the variance √((μ4 − σ⁴)/n) = √((λ + 2λ²)/n) for a Poisson.
            assertEquals(lam, mean, 4.5 * Math.sqrt(lam / n), "mean, lambda " + lam);
            assertEquals(lam, var, 4.5 * Math.sqrt((lam + 2 * lam * lam) / n), "variance, lambda " + lam);
        }
        assertEquals(0, SparkBootstrap.poisson(0, rnd));
        long a = SparkBootstrap.rowKey(1, "x", "y", (byte) 0);
        assertArrayEquals(new long[] {a}, new long[] {SparkBootstrap.rowKey(1, "x", "y", (byte) 0)});
        assertTrue(a != SparkBootstrap.rowKey(1, "y", "x", (byte) 0) && a != SparkBootstrap.rowKey(2, "x", "y", (byte) 0));
    }

    static double[] column(double[][] t, int i) {
        double[] x = new double[t.length];
        for (int k = 0; k < t.length; k++) x[k] = t[k][i];
        Arrays.sort(x);
        return x;
    }

    static double sd(double[] x) {
        double m = Arrays.stream(x).average().orElse(0), v = 0;
        for (double d : x) v += (d - m) * (d - m);
        return Math.sqrt(v / (x.length - 1));
    }
}
