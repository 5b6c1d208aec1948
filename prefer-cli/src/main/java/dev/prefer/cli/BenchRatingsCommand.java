package dev.prefer.cli;

import dev.prefer.data.votes.Vote;
import dev.prefer.data.votes.VoteColumns;
import dev.prefer.data.votes.VoteFile;
import dev.prefer.data.votes.VoteReader;
import dev.prefer.ratings.Bootstrap;
import dev.prefer.ratings.BradleyTerry;
import dev.prefer.ratings.Comparisons;
import dev.prefer.ratings.Fit;
import dev.prefer.ratings.FitOptions;
import dev.prefer.ratings.Scale;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code prefer bench ratings}: times reading, collapsing and Bradley-Terry fitting of an arena vote CSV
 * (model_a,model_b,winner), medians of repeats, plus a bootstrap; optionally compares the ratings with a
 * reference CSV from ../shared/bench/bt_sklearn.py ({@code --out-detail}). A benchmark, not a test: it prints
 * figures and asserts nothing. bench/ratings.sh runs it beside the Python reference.
 */
@Command(name = "ratings", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Benchmark the Bradley-Terry fit and bootstrap on an arena vote CSV.",
        footer = {"", "Examples:",
                "  python3 ../shared/bench/bt_arena_synth.py --out /tmp/bench_arena.csv --truth /tmp/bench_arena_truth.csv",
                "  ./prefer bench ratings --data /tmp/bench_arena.csv --reference /tmp/bench_bt_ratings_detail.csv",
                "  bench/ratings.sh   # both sides, with time ratios",
                "  ./prefer bench ratings --votes 10000000 --items 129   # synthetic, in memory, known strengths"})
public final class BenchRatingsCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "/tmp/bench_arena.csv", description = "Vote CSV with model_a,model_b,winner.")
    Path data;

    @Option(names = "--reference", description = "CSV with model and rating_i and/or rating_ii columns (bt_sklearn.py --out-detail, bench/bt_converged_reference.py) to compare against; repeatable.")
    List<Path> references;

    @Option(names = "--repeats", defaultValue = "5", description = "Repeats for each timed step (median reported).")
    int repeats;

    @Option(names = "--bootstrap", defaultValue = "1000", description = "Bootstrap rounds (0 = skip).")
    int rounds;

    @Option(names = "--seed", defaultValue = "0", description = "Bootstrap seed.")
    long seed;

    @Option(names = "--threads", defaultValue = "0", description = "Bootstrap threads (0 = all processors).")
    int threads;

    @Option(names = "--per-vote-bootstrap", description = "Also time the bootstrap with the old per-vote multinomial draws (same distribution, O(votes) per round).")
    boolean perVote;

    @Option(names = "--votes", defaultValue = "0", description = "Generate this many synthetic votes in memory instead of reading --data (known strengths, Bradley-Terry outcomes, no ties).")
    long synthVotes;

    @Option(names = "--items", defaultValue = "129", description = "Items of the synthetic votes (strengths ~ N(0, 1), pairs uniform).")
    int synthItems;

    @Option(names = "--data-seed", defaultValue = "0", description = "Seed of the synthetic votes.")
    long dataSeed;

    @Override
    public Integer call() throws IOException {
        if (synthVotes > 0) return synthetic();
        List<Double> tRead = new ArrayList<>();
        VoteFile vf = null;
        for (int r = 0; r < Math.max(1, Math.min(repeats, 3)); r++) {
            long t0 = System.nanoTime();
            vf = VoteReader.readCsv(data, ',', VoteColumns.DEFAULT, false);
            tRead.add(sec(t0));
        }
        List<Vote> votes = vf.votes();
        // Integer ids as the Python reference has them after parsing (its parse is timed separately too).
        Map<String, Integer> ids = new HashMap<>();
        List<String> names = new ArrayList<>();
        int n = votes.size();
        int[] a = new int[n], b = new int[n];
        byte[] o = new byte[n];
        for (int k = 0; k < n; k++) {
            Vote v = votes.get(k);
            a[k] = ids.computeIfAbsent(v.a(), s -> { names.add(s); return names.size() - 1; });
            b[k] = ids.computeIfAbsent(v.b(), s -> { names.add(s); return names.size() - 1; });
            o[k] = switch (v.outcome()) { case A_WINS -> 0; case B_WINS -> 1; default -> 2; };
        }
        List<Double> tCollapseNames = new ArrayList<>(), tCollapse = new ArrayList<>(), tFit = new ArrayList<>(), tTotal = new ArrayList<>();
        Fit fit = null;
        Comparisons c = null;
        FitOptions fo = FitOptions.DEFAULT.withStandardErrors(false);
        for (int r = 0; r < repeats + 1; r++) { // first round is JIT warm-up, not counted
            long t0 = System.nanoTime();
            Comparisons.of(votes);
            double tn = sec(t0);
            t0 = System.nanoTime();
            c = Comparisons.ofIndexed(names, a, b, o, null);
            double tc = sec(t0);
            long t1 = System.nanoTime();
            fit = BradleyTerry.fit(c, fo);
            double tf = sec(t1);
            if (r > 0) { tCollapseNames.add(tn); tCollapse.add(tc); tFit.add(tf); tTotal.add(tc + tf); }
        }
        System.out.printf(Locale.ROOT, "data: %d votes, %d items, %d unique (a,b,outcome) rows; Java %s, %d processors%n",
                n, c.itemCount(), c.rows(), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "read CSV -> votes:             %s%n", fmt(tRead));
        System.out.printf(Locale.ROOT, "collapse from names:           %s%n", fmt(tCollapseNames));
        System.out.printf(Locale.ROOT, "collapse from int ids:         %s%n", fmt(tCollapse));
        System.out.printf(Locale.ROOT, "Newton fit:                    %s; %d iterations, converged %s%n", fmt(tFit), fit.iterations(), fit.converged());
        System.out.printf(Locale.ROOT, "BT total (collapse + fit):     %s%n", fmt(tTotal));
        System.out.printf(Locale.ROOT, "RESULT read_s=%.6f fit_total_s=%.6f fit_only_s=%.6f%n", median(tRead), median(tTotal), median(tFit));
        double[] elo = Scale.elo().apply(fit.theta(), fit.items(), fit.component());
        if (rounds > 0) bootstrap(c);
        for (Path ref : references == null ? List.<Path>of() : references) {
            List<String> lines = Files.readAllLines(ref);
            List<String> head = Arrays.asList(lines.get(0).split(","));
            for (String col : List.of("rating_i", "rating_ii")) {
                int ci = head.indexOf(col);
                if (ci < 0) continue;
                double d = 0;
                int matched = 0;
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.split(",", -1);
                    int k = c.indexOf(f[0]);
                    if (k < 0 || f[ci].isEmpty()) continue;
                    matched++;
                    d = Math.max(d, Math.abs(Double.parseDouble(f[ci]) - elo[k]));
                }
                System.out.printf(Locale.ROOT, "vs %s column %s (%d items, Elo scale, mean 1000): max |ours - reference| = %.6f%n", ref, col, matched, d);
                System.out.printf(Locale.ROOT, "RESULT maxdiff_%s_%s=%.6f%n", ref.getFileName().toString().replaceAll("\\W", "_"), col, d);
            }
        }
        return 0;
    }

    /**
     * The evalica-style scale benchmark: n votes over k items generated in memory with known strengths
     * s_i ~ N(0, 1), a and b uniform distinct, P(a wins) = σ(s_a − s_b); times collapse + Newton fit (no parsing)
     * and a bootstrap, and reports how close the fit is to the truth.
     */
    private int synthetic() {
        if (synthItems < 2) throw new IllegalArgumentException("--items must be >= 2");
        if (synthVotes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("--votes must be below 2^31");
        int n = (int) synthVotes, k = synthItems;
        long t0 = System.nanoTime();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(dataSeed);
        double[] s = new double[k];
        double mean = 0;
        for (int i = 0; i < k; i++) { s[i] = gaussian(rnd); mean += s[i]; }
        mean /= k;
        for (int i = 0; i < k; i++) s[i] -= mean;
        int[] a = new int[n], b = new int[n];
        byte[] o = new byte[n];
        for (int v = 0; v < n; v++) {
            int x = rnd.nextInt(k), y = rnd.nextInt(k - 1);
            if (y >= x) y++;
            a[v] = x;
            b[v] = y;
            o[v] = rnd.nextDouble() < 1 / (1 + Math.exp(s[y] - s[x])) ? (byte) 0 : (byte) 1;
        }
        double tGen = sec(t0);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < k; i++) names.add(String.format(Locale.ROOT, "m%03d", i));
        FitOptions fo = FitOptions.DEFAULT.withStandardErrors(false);
        List<Double> tCollapse = new ArrayList<>(), tFit = new ArrayList<>(), tTotal = new ArrayList<>(), tCpu = new ArrayList<>();
        Comparisons c = null;
        Fit fit = null;
        java.lang.management.ThreadMXBean threadsMx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = 0; r < repeats + 1; r++) { // first round is JIT warm-up, not counted
            long t1 = System.nanoTime(), c1 = threadsMx.getCurrentThreadCpuTime();
            c = Comparisons.ofIndexed(names, a, b, o, null);
            double tc = sec(t1);
            long t2 = System.nanoTime();
            fit = BradleyTerry.fit(c, fo);
            double tf = sec(t2);
            double cpu = (threadsMx.getCurrentThreadCpuTime() - c1) / 1e9;
            if (r > 0) { tCollapse.add(tc); tFit.add(tf); tTotal.add(tc + tf); tCpu.add(cpu); }
        }
        double maxErr = 0;
        for (int i = 0; i < k; i++) maxErr = Math.max(maxErr, Math.abs(fit.theta(names.get(i)) - s[i]));
        System.out.printf(Locale.ROOT, "synthetic: %d votes, %d items, %d unique (a,b,outcome) rows, generated in %.2fs (seed %d); Java %s, %d processors%n",
                n, k, c.rows(), tGen, dataSeed, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "collapse from int ids:         %s%n", fmt(tCollapse));
        System.out.printf(Locale.ROOT, "Newton fit:                    %s; %d iterations, converged %s%n", fmt(tFit), fit.iterations(), fit.converged());
        System.out.printf(Locale.ROOT, "BT total (collapse + fit):     %s%n", fmt(tTotal));
        System.out.printf(Locale.ROOT, "BT total, CPU time (one thread): %s; load average now %.1f%n", fmt(tCpu),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "max |fitted - true strength| = %.4f (natural-log units)%n", maxErr);
        System.out.printf(Locale.ROOT, "RESULT synth_votes=%d synth_items=%d fit_total_s=%.6f fit_only_s=%.6f fit_total_cpu_s=%.6f max_abs_err=%.6f%n", n, k, median(tTotal), median(tFit), median(tCpu), maxErr);
        if (rounds > 0) bootstrap(c);
        return 0;
    }

    private void bootstrap(Comparisons c) {
        Fit point = BradleyTerry.fit(c, FitOptions.DEFAULT);
        List<Double> tb = new ArrayList<>(), cpu = new ArrayList<>();
        Bootstrap.Result br = null;
        for (int r = 0; r < Math.max(1, Math.min(repeats, 3)); r++) {
            long t0 = System.nanoTime(), c0 = processCpuNanos();
            br = Bootstrap.run(BradleyTerry.MODEL, c, FitOptions.DEFAULT, point, new Bootstrap.Options(rounds, seed, threads));
            tb.add(sec(t0));
            cpu.add((processCpuNanos() - c0) / 1e9);
        }
        double[][] iv = br.intervals(Scale.elo(), c.items(), 0.95);
        double[] w = new double[iv.length];
        for (int i = 0; i < w.length; i++) w[i] = iv[i][1] - iv[i][0];
        Arrays.sort(w);
        System.out.printf(Locale.ROOT, "bootstrap %d rounds:           %s; %d failed; 95%% CI width (Elo) median %.2f min %.2f max %.2f%n",
                rounds, fmt(tb), br.failed(), dev.prefer.core.stats.Bootstrap.quantile(w, 0.5), w[0], w[w.length - 1]);
        int procs = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "bootstrap CPU time (all threads): %s; CPU/%d = %.3fs (the wall time on %d idle cores; load average now %.1f)%n",
                fmt(cpu), procs, median(cpu) / procs, procs, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "RESULT bootstrap_s=%.6f bootstrap_cpu_s=%.6f%n", median(tb), median(cpu));
        if (perVote) {
            long t0 = System.nanoTime(), c0 = processCpuNanos();
            Bootstrap.Result old = Bootstrap.run(BradleyTerry.MODEL, c, FitOptions.DEFAULT, point, new Bootstrap.Options(rounds, seed, threads).withPerVoteDraws(true));
            double t = sec(t0), tc = (processCpuNanos() - c0) / 1e9;
            double[][] ivOld = old.intervals(Scale.elo(), c.items(), 0.95);
            double dLo = 0, dHi = 0;
            for (int i = 0; i < iv.length; i++) { dLo = Math.max(dLo, Math.abs(iv[i][0] - ivOld[i][0])); dHi = Math.max(dHi, Math.abs(iv[i][1] - ivOld[i][1])); }
            System.out.printf(Locale.ROOT, "bootstrap %d rounds, per-vote draws (old): %.3fs, CPU %.3fs; intervals differ from the row-wise draws by at most %.2f (lower) / %.2f (upper) Elo (Monte Carlo noise)%n",
                    rounds, t, tc, dLo, dHi);
            System.out.printf(Locale.ROOT, "RESULT bootstrap_per_vote_s=%.6f bootstrap_per_vote_cpu_s=%.6f%n", t, tc);
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double gaussian(java.util.SplittableRandom rnd) {
        double u = rnd.nextDouble(), v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    private static double sec(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }

    static String fmt(List<Double> xs) {
        return String.format(Locale.ROOT, "median %.4fs (min %.4f, max %.4f, n=%d)", median(xs),
                xs.stream().mapToDouble(Double::doubleValue).min().orElse(0), xs.stream().mapToDouble(Double::doubleValue).max().orElse(0), xs.size());
    }
}
