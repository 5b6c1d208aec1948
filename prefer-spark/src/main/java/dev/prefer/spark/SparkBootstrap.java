package dev.prefer.spark;

import dev.prefer.ratings.Bootstrap;
import dev.prefer.ratings.Comparisons;
import dev.prefer.ratings.Fit;
import dev.prefer.ratings.FitOptions;
import dev.prefer.ratings.PairwiseModel;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The Poisson bootstrap of a pairwise rating fit, drawn in Spark. Resampling N votes with replacement gives each
 * vote a Multinomial(N; 1/N, …) count; the Poisson bootstrap replaces it by independent Poisson(1) counts per vote,
 * so a collapsed (a, b, outcome) row of c votes gets Poisson(c) in a round (a sum of independent Poissons), with no
 * coordination between rows. Each row's count in round k comes from a generator seeded by (seed, a, b, outcome, k)
 * alone, so the draws do not depend on how Spark partitions the rows or in which order it visits them, and the
 * result equals for 1 or 100 partitions. The rows are drawn where they are (the group-by's output, cached), all
 * rounds of a chunk in one pass; the fits run on the driver, in parallel, warm-started from the point estimate
 * ({@link Bootstrap#refit}).
 *
 * <p>The weighting follows {@link Bootstrap}: by default rows are drawn ∝ their summed weight W_r
 * (Poisson(N·W_r/W)), each draw weighing W/N; with {@code byCount} (the Arena's reweighting) votes are the units,
 * Poisson(c_r), each draw weighing the row's mean weight W_r/c_r. The multinomial and the Poisson bootstrap agree in
 * distribution up to the Poisson total's spread (the fit does not depend on the total for an unpenalised model,
 * so only through the (N/T) scaling of its variance, O(1/N)); {@code SparkBootstrapTest} checks the intervals
 * against {@code prefer rate --bootstrap} within their Monte-Carlo error.
 */
public final class SparkBootstrap {
    private SparkBootstrap() {}

    /** Largest number of draws (rows × rounds) held on the driver at once when {@code roundsPerPass} is 0. */
    static final long DRAWS_PER_PASS = 32L << 20;

    /**
     * The bootstrap of a pairwise fit over the collapsed rows {@code agg} ({@link SparkRatings#aggregate}, columns
     * a, b, o, n, w), which must be the rows of {@code c}.
     *
     * @param roundsPerPass rounds drawn per Spark pass (0: as many as keep rows × rounds under 32M draws); the
     *                      result does not depend on it
     */
    public static Bootstrap.Result run(Dataset<Row> agg, PairwiseModel model, Comparisons c, Fit point, boolean byCount,
                                       FitOptions fo, int rounds, long seed, int roundsPerPass) {
        int rows = c.rows();
        long n = c.votes();
        double total = 0;
        for (int r = 0; r < rows; r++) total += c.weight(r);
        double[] perDraw = new double[rows];
        for (int r = 0; r < rows; r++) perDraw[r] = byCount ? c.weight(r) / c.count(r) : total / n;
        Map<Long, Integer> rowOf = new HashMap<>();
        int items = c.itemCount();
        for (int r = 0; r < rows; r++) rowOf.put(((long) c.a(r) * items + c.b(r)) * 3 + c.outcome(r), r);
        int chunk = roundsPerPass > 0 ? roundsPerPass : (int) Math.max(1, Math.min(rounds, DRAWS_PER_PASS / Math.max(1, rows)));
        // λ per row in Spark: byCount: the vote count n; else N·w/W (the summed weight's share of N votes).
        double scale = byCount ? 0 : n / total;
        List<Fit> fits = new ArrayList<>(rounds);
        for (int from = 0; from < rounds; from += chunk) {
            int k0 = from, len = Math.min(chunk, rounds - from);
            List<RowDraws> drawn = agg.select("a", "b", "o", "n", "w").javaRDD()
                    .map(r -> RowDraws.of(r.getString(0), r.getString(1), r.getByte(2), byCount ? r.getLong(3) : scale * r.getDouble(4), seed, k0, len))
                    .collect();
            int[][] draws = new int[rows][];
            for (RowDraws d : drawn) {
                int ia = c.indexOf(d.a), ib = c.indexOf(d.b);
                Integer r = ia < 0 || ib < 0 ? null : rowOf.get(((long) ia * items + ib) * 3 + d.o);
                if (r == null) throw new IllegalStateException("Poisson bootstrap: row (" + d.a + ", " + d.b + ", " + d.o + ") is not among the fitted rows");
                draws[r] = d.k;
            }
            for (int r = 0; r < rows; r++) if (draws[r] == null) throw new IllegalStateException("Poisson bootstrap: row " + r + " was not drawn");
            fits.addAll(Bootstrap.refit(len, rows, 0, (k, out) -> {
                for (int r = 0; r < rows; r++) out[r] = draws[r][k] * perDraw[r];
            }, Bootstrap.pairwiseRefit(model, c, fo, point)));
        }
        return Bootstrap.result(fits, seed);
    }

    /** One row's Poisson counts for rounds k0 .. k0+len−1. */
    static final class RowDraws implements Serializable {
        private static final long serialVersionUID = 1L;
        String a, b;
        byte o;
        int[] k;

        static RowDraws of(String a, String b, byte o, double lambda, long seed, int k0, int len) {
            RowDraws d = new RowDraws();
            d.a = a;
            d.b = b;
            d.o = o;
            d.k = new int[len];
            long key = rowKey(seed, a, b, o);
            for (int i = 0; i < len; i++) {
                long x = poisson(lambda, new SplittableRandom(roundSeed(key, k0 + i)));
                if (x > Integer.MAX_VALUE) throw new IllegalStateException("Poisson draw above 2^31 for a row of " + lambda + " expected votes");
                d.k[i] = (int) x;
            }
            return d;
        }
    }

    /** The seed of a row: a 64-bit hash of (seed, a, b, outcome) that depends on nothing else. */
    static long rowKey(long seed, String a, String b, byte o) {
        long h = mix64(seed ^ 0x243F6A8885A308D3L);
        h = mix64(h ^ fnv(a));
        h = mix64(h ^ fnv(b));
        return mix64(h ^ o);
    }

    /** The seed of round k of a row (mixed, so that neighbouring rounds' generators are unrelated). */
    static long roundSeed(long rowKey, int round) {
        return mix64(rowKey + 0x9E3779B97F4A7C15L * (round + 1L));
    }

    private static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) { h ^= x & 0xff; h *= 0x100000001b3L; }
        return h;
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser (SplitMix64's output function). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * An exact Poisson(λ) variate: Knuth's multiplication method below λ = 10, Hörmann's PTRS (transformed
     * rejection with squeeze; W. Hörmann, Insurance: Mathematics and Economics 12, 1993) above, as prefer-ratings'
     * multinomial sampler draws its Poisson counts.
     */
    static long poisson(double lam, SplittableRandom rnd) {
        if (!(lam > 0)) return 0;
        if (lam < 10) {
            double lim = Math.exp(-lam), prod = rnd.nextDouble();
            long k = 0;
            while (prod > lim) { k++; prod *= rnd.nextDouble(); }
            return k;
        }
        double slam = Math.sqrt(lam), logLam = Math.log(lam);
        double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
        double invAlpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
        while (true) {
            double u = rnd.nextDouble() - 0.5, v = rnd.nextDouble();
            double us = 0.5 - Math.abs(u);
            long k = (long) Math.floor((2 * a / us + b) * u + lam + 0.43);
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lam + k * logLam - logFactorial(k)) return k;
        }
    }

    /** log k! (Stirling series above 20; exact below). */
    static double logFactorial(long k) {
        if (k < 21) {
            double f = 0;
            for (long i = 2; i <= k; i++) f += Math.log(i);
            return f;
        }
        double x = k + 1.0;
        return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x) + 1 / (1260 * Math.pow(x, 5));
    }
}
