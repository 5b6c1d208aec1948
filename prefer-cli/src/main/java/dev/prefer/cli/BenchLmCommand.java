package dev.prefer.cli;

import dev.prefer.train.TrainBench;
import dev.prefer.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code prefer bench lm}: the trainer's DPO step ({@link TrainBench}, the one loop's step) and the plain-PyTorch
 * step, side by side on the same machine and the named shapes. A benchmark, not a test: it prints medians and ratios
 * and asserts nothing.
 */
@Command(name = "lm",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
                "Times the trainer's DPO training step (policy forward+backward over chosen and rejected, reference forward, AdamW;",
                "the step of prefer train, no prefix sharing, as the script)",
                "on a GPT-2-shaped model with random weights, in Prefer and in plain PyTorch (../shared/bench/dpo_step_torch.py,",
                "run with the tuned environment of ../shared/bench/README.md), and prints median s/step, tokens/s, their ratio",
                "and peak RSS (VmHWM of each process). Sizes: tiny (2 layers, d 128, vocab 512, 8 pairs x (64+64)) and gpt2-small (124M, 1 pair x (128+128)).",
                "Run the JVM with OMP_WAIT_POLICY=passive (as the reference is) for a fair figure."},
        footer = {"", "Examples:",
                "  OMP_WAIT_POLICY=passive ./prefer bench lm --size tiny",
                "  OMP_WAIT_POLICY=passive ./prefer bench lm --size tiny --size gpt2-small --steps 5 --warmup 1",
                "  ./prefer bench lm --size tiny --no-python",
                "  ./prefer bench lm --size gpt2-small --steps 1 --warmup 1 --repeats 1 --no-python --profile /tmp/step-trace.json"})
public final class BenchLmCommand implements Callable<Integer> {

    @Option(names = "--size", paramLabel = "NAME", description = "tiny or gpt2-small; repeat for several (default: both).")
    List<String> sizes;

    @Option(names = "--steps", defaultValue = "5", paramLabel = "N", description = "Timed steps per run (median reported).")
    int steps;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "Untimed steps first.")
    int warmup;

    @Option(names = "--repeats", defaultValue = "3", paramLabel = "N", description = "Runs of each implementation, alternated; medians reported.")
    int repeats;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Intra-op threads for both; 0 = available processors.")
    int threads;

    @Option(names = "--no-ref", description = "Reference log-probs precomputed (untimed), in both implementations.")
    boolean noRef;

    @Option(names = "--profile", paramLabel = "FILE", description = "Also profile one Prefer step with PyTorch's profiler: write its Chrome trace to FILE and print the operators by self time.")
    Path profile;

    @Option(names = "--no-python", description = "Only time Prefer (no PyTorch reference, no ratio).")
    boolean noPython;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "EXE", description = "Python with Debian's python3-torch.")
    String python;

    @Option(names = "--torch-script", defaultValue = "../shared/bench/dpo_step_torch.py", paramLabel = "FILE", description = "The plain-PyTorch reference step.")
    Path torchScript;

    @Override
    public Integer call() throws Exception {
        if (repeats < 1 || steps < 1 || warmup < 0) throw new IllegalArgumentException("need --repeats >= 1, --steps >= 1, --warmup >= 0");
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        System.setProperty("prefer.threads", Integer.toString(n));
        List<String> names = sizes == null || sizes.isEmpty() ? List.of("tiny", "gpt2-small") : sizes;
        List<TrainBench.Shape> list = new ArrayList<>();
        for (String s : names) list.add(TrainBench.Shape.named(s, steps, warmup));
        if (!noPython && !Files.isRegularFile(torchScript)) {
            throw new IllegalArgumentException("--torch-script " + torchScript + " not found (run from the repository root, or pass --no-python)");
        }
        String omp = System.getenv("OMP_WAIT_POLICY");
        System.out.println("threads=" + n + " OMP_WAIT_POLICY=" + (omp == null ? "<unset> (libtorch threads spin between ops; set it to passive)" : omp));
        System.out.printf(Locale.ROOT, "%-11s %-8s %9s %9s %9s %10s %9s%n", "size", "impl", "s/step", "min", "max", "tokens/s", "peakMiB");
        List<String> loads = new ArrayList<>();
        for (int k = 0; k < list.size(); k++) {
            TrainBench.Shape size = list.get(k);
            String name = names.get(k);
            BenchHarness.Runs runs = new BenchHarness.Runs(); // side -> tokens/s per run
            for (int rep = 0; rep < repeats; rep++) { // alternate the two so that load drift hits both alike
                loads.add(BenchHarness.loadAverage());
                Path trace = profile != null && rep == 0 ? profile.resolveSibling(name + "-" + profile.getFileName()) : null;
                TrainBench.Result r = TrainBench.run(size, !noRef, TrainConfig.PrefixSharing.OFF, trace);
                if (trace != null) printProfile(trace, r.seconds()[r.seconds().length - 1]);
                runs.add("prefer", r.tokensPerSecond());
                System.out.printf(Locale.ROOT, "%-11s %-8s %9.4f %9.4f %9.4f %10.1f %9.1f%n", name, "prefer", r.medianSeconds(), r.minSeconds(), r.maxSeconds(),
                        r.tokensPerSecond(), r.peakRssMiB());
                if (rep == 0) {
                    System.out.printf(Locale.ROOT, "            params=%.2fM tokens/step=%d first loss=%.6f (ln 2 = 0.693147)%n",
                            r.parameters() / 1e6, size.tokensPerStep(), r.losses()[0]);
                }
                if (noPython) continue;
                double[] t = runTorch(size, n, rep == 0);
                runs.add("pytorch", t[3]);
                System.out.printf(Locale.ROOT, "%-11s %-8s %9.4f %9.4f %9.4f %10.1f %9.1f%n", name, "pytorch", t[0], t[1], t[2], t[3], t[4]);
            }
            double mo = runs.median("prefer", 0);
            if (noPython) {
                System.out.printf(Locale.ROOT, "%-11s prefer median of %d runs: %.1f tokens/s%n", name, repeats, mo);
            } else {
                double mt = runs.median("pytorch", 0);
                System.out.printf(Locale.ROOT, "%-11s median of %d runs: prefer %.1f tokens/s, pytorch %.1f tokens/s, ratio prefer/pytorch = %.2f%n",
                        name, repeats, mo, mt, mo / mt);
            }
        }
        loads.add(BenchHarness.loadAverage());
        System.out.println("load average (1, 5, 15 min) before each repeat and at the end: " + String.join(" | ", loads));
        return 0;
    }

    private static void printProfile(Path trace, double stepSeconds) {
        List<dev.prefer.lm.bench.ProfileSummary.Row> rows = dev.prefer.lm.bench.ProfileSummary.read(trace);
        double total = rows.stream().mapToDouble(dev.prefer.lm.bench.ProfileSummary.Row::selfMs).sum();
        System.out.printf(Locale.ROOT, "profile of one step (%.3f s wall, %.3f s in PyTorch operators), trace %s%n", stepSeconds, total / 1000, trace);
        System.out.printf(Locale.ROOT, "  %-40s %10s %6s %7s%n", "operator", "self ms", "share", "calls");
        for (int i = 0; i < Math.min(15, rows.size()); i++) {
            var row = rows.get(i);
            System.out.printf(Locale.ROOT, "  %-40s %10.1f %5.1f%% %7d%n", row.op(), row.selfMs(), 100 * row.selfMs() / total, row.calls());
        }
    }

    private static final Pattern LINE = Pattern.compile(
            "sec/step median=([0-9.]+) min=([0-9.]+) max=([0-9.]+) tokens/s=([0-9.]+).*peak_rss_MiB=([0-9.]+)");

    /** Runs the reference script; returns median, min, max s/step, tokens/s, peak RSS MiB. */
    private double[] runTorch(TrainBench.Shape s, int n, boolean printVersions) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, torchScript.toString(),
                "--layers", "" + s.layers(), "--d-model", "" + s.dModel(), "--heads", "" + s.heads(), "--vocab", "" + s.vocab(),
                "--ctx", "" + Math.max(1024, s.promptLen() + s.responseLen()), "--pairs", "" + s.pairs(),
                "--prompt-len", "" + s.promptLen(), "--response-len", "" + s.responseLen(),
                "--steps", "" + steps, "--warmup", "" + warmup, "--threads", "" + n));
        if (noRef) cmd.add("--no-ref");
        double[][] out = {null};
        BenchHarness.Output o = BenchHarness.runReference(cmd, line -> {
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                out[0] = new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
                        Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5))};
            }
            if (printVersions && (line.startsWith("torch ") || line.startsWith("blas:"))) System.out.println("            " + line);
        });
        if (o.exitCode() != 0 || out[0] == null) {
            throw new IllegalArgumentException("the PyTorch reference failed (exit " + o.exitCode() + "): " + o.joined());
        }
        if (o.peakRssMiB() > 0) out[0][4] = o.peakRssMiB();
        return out[0];
    }
}
