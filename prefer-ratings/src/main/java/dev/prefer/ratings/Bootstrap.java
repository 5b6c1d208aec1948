package dev.prefer.ratings;

import static dev.prefer.core.stats.Bootstrap.quantile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Seeded nonparametric bootstrap of a rating fit over the unique (a, b, outcome) rows (the FastChat
 * {@code compute_bootstrap_bt} / arena-rank scheme): each round resamples the N votes with replacement, which on
 * collapsed rows is one multinomial draw of N over the rows, and refits from the point estimate (warm start).
 * The multinomial is drawn exactly in O(rows + √N) per round ({@link Multinomial}: Poisson counts per row, then
 * √N-sized corrections) instead of O(N) alias draws, and each round's fit starts from the point estimate with a
 * step tolerance of 1e-6 (Newton converges quadratically, so the step after that is ~1e-12): 1,000 rounds on
 * 2M votes over 150 items no longer spend their time drawing. Which rows and weights:
 * <ul>
 *   <li>default: p_r ∝ the row's summed weight W_r, each draw weighing W/N (W = total weight), so a vote of
 *       weight 3 counts as three votes; for unweighted votes this is plain resampling of votes;</li>
 *   <li>{@link Options#byCount()}: p_r ∝ the row's vote count c_r, each draw weighing the row's mean weight
 *       W_r/c_r — votes are the sampling units and carry importance weights (the Arena's reweighting;
 *       arena-rank {@code bradley_terry.py} lines 198-214: multinomial over counts, times the weights).</li>
 * </ul>
 * Rounds run in parallel, each with its own generator split in order from the seed, so the result depends only
 * on the seed, not on thread timing. A round whose resample has no maximum-likelihood estimate (an item never
 * losing) is counted in {@link Result#failed()} and left out.
 */
public final class Bootstrap {
    private Bootstrap() {}

    /**
     * @param rounds  bootstrap rounds (e.g. 1000)
     * @param seed    seed of the whole run
     * @param threads worker threads (0 = available processors)
     * @param byCount draw rows by vote count, each draw weighing the row's mean weight (default: by weight)
     * @param perVoteDraws draw the multinomial one vote at a time (the old, slow way; same distribution)
     */
    public record Options(int rounds, long seed, int threads, boolean byCount, boolean perVoteDraws) {
        public Options {
            if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1: " + rounds);
            if (threads < 0) throw new IllegalArgumentException("threads must be >= 0");
        }

        /** Draws by weight, all processors. */
        public Options(int rounds, long seed, int threads) {
            this(rounds, seed, threads, false, false);
        }

        public static Options of(int rounds, long seed) { return new Options(rounds, seed, 0, false, false); }

        /** Same, drawing rows by vote count (importance-weighted votes). */
        public Options withByCount(boolean b) { return new Options(rounds, seed, threads, b, perVoteDraws); }

        /**
         * Same, drawing the multinomial the old way, one alias draw per vote (O(N) per round): the same
         * distribution, kept for benchmarks and tests.
         */
        public Options withPerVoteDraws(boolean b) { return new Options(rounds, seed, threads, byCount, b); }
    }

    /**
     * The bootstrap replicates of θ (natural-log scale), one row per successful round.
     *
     * @param theta  successful rounds × items
     * @param component component of each item per successful round (resamples may split the graph)
     * @param failed rounds without an estimate
     * @param seed   the seed
     */
    public record Result(double[][] theta, int[][] component, int failed, long seed) {
        public int rounds() { return theta.length; }

        /**
         * Percentile interval per item on a scale: {@code [lower, upper]} at the (1−level)/2 and (1+level)/2
         * quantiles (linear interpolation between order statistics, numpy's default).
         */
        public double[][] intervals(Scale scale, List<String> items, double level) {
            if (!(level > 0 && level < 1)) throw new IllegalArgumentException("level must be in (0, 1): " + level);
            int n = items.size();
            int r = theta.length;
            double[][] scaled = new double[r][];
            for (int k = 0; k < r; k++) scaled[k] = scale.apply(theta[k], items, component[k]);
            double[][] out = new double[n][2];
            double[] col = new double[r];
            for (int i = 0; i < n; i++) {
                if (r == 0) { out[i][0] = out[i][1] = Double.NaN; continue; }
                for (int k = 0; k < r; k++) col[k] = scaled[k][i];
                Arrays.sort(col);
                out[i][0] = quantile(col, (1 - level) / 2);
                out[i][1] = quantile(col, (1 + level) / 2);
            }
            return out;
        }
    }


    /** Bootstraps a pairwise model fit; {@code point} supplies warm starts. */
    public static Result run(PairwiseModel model, Comparisons c, FitOptions fo, Fit point, Options o) {
        return run(c, o, pairwiseRefit(model, c, fo, point));
    }

    /**
     * The refit of one round for a pairwise model: per-row weights in, a fit out, warm-started from {@code point}
     * (may be null) with a step tolerance of 1e-6 (an error of order 1e-12 after Newton's quadratic convergence).
     */
    public static Function<double[], Fit> pairwiseRefit(PairwiseModel model, Comparisons c, FitOptions fo, Fit point) {
        FitOptions quiet = fo.withStandardErrors(false).withTolerance(Math.max(fo.tolerance(), 1e-6));
        double[] start = point == null ? null : point.theta();
        PairTable.Layout layout = PairTable.layout(c);
        return weights -> PairwiseFitter.fit(model, c.items(), layout.table(weights), quiet, start);
    }

    /** Bootstraps any fit that reads the comparisons under per-row weights. */
    public static Result run(Comparisons c, Options o, Function<double[], Fit> fitter) {
        int rows = c.rows();
        long n = c.votes();
        double[] prob = new double[rows];   // unnormalised row probabilities
        double[] perDraw = new double[rows]; // weight of one draw of the row
        double total = 0;
        for (int r = 0; r < rows; r++) total += c.weight(r);
        for (int r = 0; r < rows; r++) {
            prob[r] = o.byCount() ? c.count(r) : c.weight(r);
            perDraw[r] = o.byCount() ? c.weight(r) / c.count(r) : total / n;
        }
        return result(draw(n, prob, perDraw, o, fitter), o.seed());
    }

    /** The replicates of the successful rounds (null entries are failed rounds) as a {@link Result}. */
    public static Result result(List<Fit> fits, long seed) {
        List<double[]> th = new ArrayList<>();
        List<int[]> comp = new ArrayList<>();
        int failed = 0;
        for (Fit f : fits) {
            if (f == null) { failed++; continue; }
            th.add(f.theta());
            comp.add(f.component());
        }
        return new Result(th.toArray(new double[0][]), comp.toArray(new int[0][]), failed, seed);
    }

    /**
     * The seeded multinomial bootstrap over any rows: each round draws {@code n} units over the rows with
     * probabilities ∝ {@code prob}, gives row r the weight draws_r · perDraw_r and hands the weights to
     * {@code fitter}. Returns one result per round, in round order, null where the fitter returned null or threw
     * an {@link IllegalArgumentException} (no estimate). Depends only on the seed, not on thread timing.
     */
    public static <T> List<T> draw(long n, double[] prob, double[] perDraw, Options o, Function<double[], T> fitter) {
        int rows = prob.length;
        Alias alias = o.perVoteDraws() ? new Alias(prob) : null;
        Multinomial multinomial = o.perVoteDraws() ? null : new Multinomial(n, prob);
        long[] seeds = new long[o.rounds()];
        SplittableRandom root = new SplittableRandom(o.seed());
        for (int k = 0; k < seeds.length; k++) seeds[k] = root.nextLong();
        ThreadLocal<long[]> buffers = ThreadLocal.withInitial(() -> new long[rows]);
        return refit(o.rounds(), rows, o.threads(), (k, rw) -> {
            long[] draws = buffers.get();
            if (alias != null) multinomialPerVote(n, alias, new SplittableRandom(seeds[k]), draws);
            else multinomial.draw(new SplittableRandom(seeds[k]), draws);
            for (int r = 0; r < rows; r++) rw[r] = draws[r] * perDraw[r];
        }, fitter);
    }

    /** The weights of one bootstrap round. */
    @FunctionalInterface
    public interface RoundWeights {
        /** Fills {@code out} (one entry per row) with round {@code round}'s weights; called from several threads. */
        void weights(int round, double[] out);
    }

    /**
     * Fits {@code rounds} rounds in parallel ({@code threads}, 0 = all processors), round k on the weights
     * {@code weights} gives it (e.g. Poisson draws made elsewhere, such as in Spark). Returns the fitter's results
     * in round order, null where it returned null or threw an {@link IllegalArgumentException}.
     */
    public static <T> List<T> refit(int rounds, int rows, int threads, RoundWeights weights, Function<double[], T> fitter) {
        int th = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        th = Math.max(1, Math.min(th, rounds));
        Object[] out = new Object[rounds];
        ExecutorService pool = Executors.newFixedThreadPool(th, r -> {
            Thread t = new Thread(r, "bootstrap");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> jobs = new ArrayList<>();
            int chunk = (rounds + th - 1) / th;
            for (int t = 0; t < th; t++) {
                int from = t * chunk, to = Math.min(rounds, from + chunk);
                jobs.add(pool.submit(() -> {
                    double[] rw = new double[rows];
                    for (int k = from; k < to; k++) {
                        weights.weights(k, rw);
                        try {
                            out[k] = fitter.apply(rw);
                        } catch (IllegalArgumentException e) {
                            out[k] = null;
                        }
                    }
                }));
            }
            for (Future<?> f : jobs) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("bootstrap interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("bootstrap round failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        @SuppressWarnings("unchecked")
        List<T> list = (List<T>) java.util.Arrays.asList(out);
        return list;
    }

    /**
     * One multinomial draw of {@code n} over rows with probabilities ∝ {@code prob} ({@code tail} its suffix
     * sums) into {@code draws}, by conditional binomials.
     */
    static void multinomial(long n, double[] prob, double[] tail, SplittableRandom rnd, long[] draws) {
        long left = n;
        int rows = prob.length;
        for (int r = 0; r < rows; r++) {
            if (left == 0) { draws[r] = 0; continue; }
            double q = tail[r] > 0 ? prob[r] / tail[r] : 0;
            if (r == rows - 1 || q >= 1) { draws[r] = left; left = 0; continue; }
            long x = Binomial.sample(left, q, rnd);
            draws[r] = x;
            left -= x;
        }
    }

    /** The old per-vote draw (Vose alias, O(N) per round), kept as the reference the tests compare against. */
    static void multinomialPerVote(long n, Alias alias, SplittableRandom rnd, long[] draws) {
        java.util.Arrays.fill(draws, 0);
        for (long d = 0; d < n; d++) draws[alias.sample(rnd)]++;
    }

    /** Vose's alias method: O(n) set-up, O(1) per draw. */
    static final class Alias {
        final double[] prob;
        final long[] threshold; // prob scaled to 2^32, for the integer-only draw
        final int[] alias;
        final int n;

        Alias(double[] w) {
            n = w.length;
            prob = new double[n];
            alias = new int[n];
            double sum = Arrays.stream(w).sum();
            double[] p = new double[n];
            int[] small = new int[n], large = new int[n];
            int ns = 0, nl = 0;
            for (int i = 0; i < n; i++) {
                p[i] = w[i] * n / sum;
                if (p[i] < 1) small[ns++] = i; else large[nl++] = i;
            }
            while (ns > 0 && nl > 0) {
                int s = small[--ns], l = large[--nl];
                prob[s] = p[s];
                alias[s] = l;
                p[l] = (p[l] + p[s]) - 1;
                if (p[l] < 1) small[ns++] = l; else large[nl++] = l;
            }
            while (nl > 0) { int l = large[--nl]; prob[l] = 1; alias[l] = l; }
            while (ns > 0) { int s = small[--ns]; prob[s] = 1; alias[s] = s; }
            threshold = new long[n];
            for (int i = 0; i < n; i++) threshold[i] = prob[i] >= 1 ? 1L << 32 : (long) (prob[i] * 4294967296.0);
        }

        /**
         * One draw from one 64-bit random number: the high 32 bits pick the column (Lemire's multiply-shift),
         * the low 32 bits decide between the column and its alias (resolution 2^-32).
         */
        int sample(SplittableRandom rnd) {
            long z = rnd.nextLong();
            int i = (int) (((z >>> 32) * n) >>> 32);
            return (z & 0xffffffffL) < threshold[i] ? i : alias[i];
        }
    }
}
