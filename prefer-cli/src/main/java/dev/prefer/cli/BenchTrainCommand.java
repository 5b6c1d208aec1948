package dev.prefer.cli;

import dev.prefer.train.TrainBench;
import dev.prefer.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code prefer bench train}: the trainer's DPO step ({@link TrainBench}) against plain PyTorch
 * (../shared/bench/dpo_step_torch.py in the tuned environment of ../shared/bench/README.md), alternated, medians of
 * repeats, side by side with ratios; CPU seconds per step and the load average too, since the machine is shared.
 */
@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"DPO training-step throughput of the trainer vs plain PyTorch (../shared/bench/dpo_step_torch.py, tuned environment),",
                "same shapes, runs alternated, medians of --repeats: PyTorch with a reference forward and with --no-ref; the trainer",
                "with a reference forward and with cached reference log-probs, each without and with prefix sharing (the PyTorch",
                "script does not share prefixes). Ratios are to the matching PyTorch figure; tokens = 2*B*(P+R) per step."},
        footer = {"", "Examples:",
                "  ./prefer bench train",
                "  ./prefer bench train --prompt-len 192 --response-len 64 --repeats 5",
                "  ./prefer bench train --repeats 1 --no-python --profile /tmp/train-step.json"})
public final class BenchTrainCommand implements Callable<Integer> {
    @Option(names = "--layers", defaultValue = "2") int layers;
    @Option(names = "--d-model", defaultValue = "128") int dModel;
    @Option(names = "--heads", defaultValue = "4") int heads;
    @Option(names = "--vocab", defaultValue = "512") int vocab;
    @Option(names = "--pairs", defaultValue = "8") int pairs;
    @Option(names = "--prompt-len", defaultValue = "64") int promptLen;
    @Option(names = "--response-len", defaultValue = "64") int responseLen;
    @Option(names = "--steps", defaultValue = "20", description = "Timed steps per run (median reported).") int steps;
    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first.") int warmup;
    @Option(names = "--repeats", defaultValue = "3", description = "Runs of every variant, alternated; medians of the runs' medians reported.") int repeats;

    @Option(names = "--variants", split = ",", defaultValue = "ref-off,ref-on,cached-off,cached-on",
            description = "Trainer variants: ref- (reference forward each step) or cached- (cached reference log-probs), then off/on (prefix sharing).")
    List<String> variants;

    @Option(names = "--no-python", description = "Only time the trainer (no PyTorch reference, no ratio).")
    boolean noPython;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "EXE", description = "Python with Debian's python3-torch.")
    String python;

    @Option(names = "--torch-script", defaultValue = "../shared/bench/dpo_step_torch.py", paramLabel = "FILE", description = "The plain-PyTorch reference step.")
    Path torchScript;

    @Option(names = "--profile", paramLabel = "FILE", description = "Profile the last step of the first run of each trainer variant with PyTorch's profiler "
            + "(Chrome trace to FILE with the variant's name prefixed) and print the operators by self time.")
    Path profile;

    /** Runs the script unchanged and also records process CPU time (all threads) at each perf_counter call (two per step). */
    private static final String CPU_WRAPPER = String.join("\n",
            "import runpy, sys, time",
            "script = sys.argv[1]; sys.argv = [script] + sys.argv[2:]",
            "steps = int(sys.argv[sys.argv.index('--steps') + 1]) if '--steps' in sys.argv else 20",
            "marks = []; _pc = time.perf_counter",
            "def pc():",
            "    marks.append(time.process_time()); return _pc()",
            "time.perf_counter = pc",
            "runpy.run_path(script, run_name='__main__')",
            "cpu = [marks[i + 1] - marks[i] for i in range(0, len(marks) - 1, 2)][-steps:]",
            "print('cpu_sec/step mean=%.4f' % (sum(cpu) / len(cpu)))");

    private static final Pattern TORCH = Pattern.compile("sec/step median=([0-9.]+) min=([0-9.]+) max=([0-9.]+) tokens/s=([0-9.]+)");
    private static final Pattern CPU = Pattern.compile("cpu_sec/step mean=([0-9.]+)");

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || pairs < 1 || repeats < 1 || warmup < 0) throw new IllegalArgumentException("need --steps, --pairs, --repeats >= 1 and --warmup >= 0");
        for (String v : variants) {
            if (!List.of("ref-off", "ref-on", "cached-off", "cached-on").contains(v)) throw new IllegalArgumentException("unknown --variants entry " + v + " (ref-off, ref-on, cached-off, cached-on)");
        }
        if (!noPython && !Files.isRegularFile(torchScript)) throw new IllegalArgumentException("no PyTorch reference script at " + torchScript + " (--torch-script, or --no-python)");
        TrainBench.Shape shape = new TrainBench.Shape(layers, dModel, heads, vocab, pairs, promptLen, responseLen, steps, warmup);
        double tokens = 2.0 * pairs * (promptLen + responseLen);
        int threads = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "shape: %d layers, d %d, %d heads, vocab %d, %d pairs x (%d + %d); %d timed steps after %d, %d repeats, %d threads%n",
                layers, dModel, heads, vocab, pairs, promptLen, responseLen, steps, warmup, repeats, threads);
        BenchHarness.Runs runs = new BenchHarness.Runs(); // variant -> per-repeat {median s/step, cpu s/step}
        List<String> loads = new ArrayList<>();
        for (int rep = 0; rep < repeats; rep++) {
            loads.add(BenchHarness.loadAverage());
            if (!noPython) {
                for (boolean noRef : new boolean[] {false, true}) {
                    String name = "pytorch tuned, " + (noRef ? "--no-ref" : "reference forward");
                    double[] r = runTorch(noRef, threads);
                    runs.add(name, r);
                    System.out.printf(Locale.ROOT, "  run %d  %-40s %.4f s/step  %8.1f tok/s  cpu %.4f s/step%n", rep + 1, name, r[0], tokens / r[0], r[1]);
                }
            }
            for (boolean refForward : new boolean[] {true, false}) {
                for (TrainConfig.PrefixSharing sh : new TrainConfig.PrefixSharing[] {TrainConfig.PrefixSharing.OFF, TrainConfig.PrefixSharing.ON}) {
                    if (!variants.contains((refForward ? "ref-" : "cached-") + (sh == TrainConfig.PrefixSharing.ON ? "on" : "off"))) continue;
                    String name = "prefer, " + (refForward ? "reference forward" : "cached reference") + ", sharing " + (sh == TrainConfig.PrefixSharing.ON ? "on" : "off");
                    Path trace = profile != null && rep == 0
                            ? profile.resolveSibling((refForward ? "ref" : "cached") + "-" + sh.name().toLowerCase(Locale.ROOT) + "-" + profile.getFileName()) : null;
                    TrainBench.Result r = TrainBench.run(shape, refForward, sh, trace);
                    runs.add(name, r.medianSeconds(), r.cpuSecondsPerStep());
                    System.out.printf(Locale.ROOT, "  run %d  %-40s %.4f s/step  %8.1f tok/s  cpu %.4f s/step%n", rep + 1, name, r.medianSeconds(), r.tokensPerSecond(), r.cpuSecondsPerStep());
                    if (trace != null) printProfile(trace, name);
                }
            }
        }
        loads.add(BenchHarness.loadAverage());
        System.out.println("load average (1, 5, 15 min) before each repeat and at the end: " + String.join(" | ", loads));
        System.out.printf(Locale.ROOT, "%-40s %10s %10s %12s %12s %9s %9s%n", "median of " + repeats + " runs", "s/step", "tok/s", "cpu s/step", "tok/cpu-s", "ratio", "cpu ratio");
        for (String side : runs.sides()) {
            double sec = runs.median(side, 0), cpu = runs.median(side, 1);
            String ratio = "", cpuRatio = "";
            if (side.startsWith("prefer") && !noPython) {
                String base = side.contains("reference forward") ? "pytorch tuned, reference forward" : "pytorch tuned, --no-ref";
                ratio = String.format(Locale.ROOT, "%.2f", runs.ratio(base, side, 0));
                cpuRatio = String.format(Locale.ROOT, "%.2f", runs.ratio(base, side, 1));
            }
            System.out.printf(Locale.ROOT, "%-40s %10.4f %10.1f %12.4f %12.1f %9s %9s%n", side, sec, tokens / sec, cpu, tokens / cpu, ratio, cpuRatio);
        }
        return 0;
    }

    private static void printProfile(Path trace, String name) {
        List<dev.prefer.lm.bench.ProfileSummary.Row> rows = dev.prefer.lm.bench.ProfileSummary.read(trace);
        double total = rows.stream().mapToDouble(dev.prefer.lm.bench.ProfileSummary.Row::selfMs).sum();
        long calls = rows.stream().mapToLong(dev.prefer.lm.bench.ProfileSummary.Row::calls).sum();
        System.out.printf(Locale.ROOT, "  profile of one step (%s): %.1f ms in %d PyTorch operator calls, trace %s%n", name, total, calls, trace);
        for (int i = 0; i < Math.min(12, rows.size()); i++) {
            var row = rows.get(i);
            System.out.printf(Locale.ROOT, "    %-36s %9.1f ms %5.1f%% %6d calls%n", row.op(), row.selfMs(), 100 * row.selfMs() / total, row.calls());
        }
    }

    /** One run of the PyTorch script: {median s/step, mean CPU s/step}. */
    private double[] runTorch(boolean noRef, int threads) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(Arrays.asList(python, "-c", CPU_WRAPPER, torchScript.toString(),
                "--layers", "" + layers, "--d-model", "" + dModel, "--heads", "" + heads, "--vocab", "" + vocab,
                "--ctx", "" + Math.max(1024, promptLen + responseLen), "--pairs", "" + pairs, "--prompt-len", "" + promptLen,
                "--response-len", "" + responseLen, "--steps", "" + steps, "--warmup", "" + warmup, "--threads", "" + threads));
        if (noRef) cmd.add("--no-ref");
        double[] found = {-1, -1}; // sec, cpu
        BenchHarness.Output o = BenchHarness.runReference(cmd, line -> {
            Matcher m = TORCH.matcher(line);
            if (m.find()) found[0] = Double.parseDouble(m.group(1));
            Matcher c = CPU.matcher(line);
            if (c.find()) found[1] = Double.parseDouble(c.group(1));
        });
        double sec = found[0], cpu = found[1];
        if (o.exitCode() != 0 || sec < 0 || cpu < 0) throw new IllegalStateException("the PyTorch reference failed (exit " + o.exitCode() + "): " + o.lastLine());
        return new double[] {sec, cpu};
    }
}
