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
                "  bench/ratings.sh   # both sides, with time ratios"})
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

    @Override
    public Integer call() throws IOException {
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
        if (rounds > 0) {
            Fit point = BradleyTerry.fit(c, FitOptions.DEFAULT);
            List<Double> tb = new ArrayList<>();
            Bootstrap.Result br = null;
            for (int r = 0; r < Math.max(1, Math.min(repeats, 3)); r++) {
                long t0 = System.nanoTime();
                br = Bootstrap.run(dev.prefer.ratings.BradleyTerry.MODEL, c, FitOptions.DEFAULT, point, new Bootstrap.Options(rounds, seed, threads));
                tb.add(sec(t0));
            }
            double[][] iv = br.intervals(Scale.elo(), c.items(), 0.95);
            double[] w = new double[iv.length];
            for (int i = 0; i < w.length; i++) w[i] = iv[i][1] - iv[i][0];
            Arrays.sort(w);
            System.out.printf(Locale.ROOT, "bootstrap %d rounds:           %s; %d failed; 95%% CI width (Elo) median %.2f min %.2f max %.2f%n",
                    rounds, fmt(tb), br.failed(), Bootstrap.quantile(w, 0.5), w[0], w[w.length - 1]);
            System.out.printf(Locale.ROOT, "RESULT bootstrap_s=%.6f%n", median(tb));
        }
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
