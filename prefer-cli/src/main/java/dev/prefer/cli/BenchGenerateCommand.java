package dev.prefer.cli;

import dev.prefer.lm.bench.GenerateBench;
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
 * {@code prefer bench generate}: batched KV-cache sampling in Prefer ({@code CausalLM.complete}) and in plain PyTorch
 * (bench/generate_torch.py), alternated on the same machine, shapes, batch, lengths and threads. Prints and asserts nothing.
 */
@Command(name = "generate",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
                "Times batched sampling (B prompts of different lengths, left-padded, KV cache, one sample each, the raw",
                "log-prob of every token kept) on a GPT-2- or Llama-shaped model with random weights, in Prefer and in plain PyTorch",
                "(bench/generate_torch.py, in the tuned environment of ../shared/bench/README.md), alternating the two,",
                "and prints new tokens/s per run, the medians and their ratio, and the load average before each run.",
                "Sizes: tiny (2 layers, d 128, vocab 512; 16 prompts of 16..64 tokens, 64 new) and gpt2-small (124M;",
                "8 prompts of 32..128 tokens, 64 new); tiny-llama: the tiny workload on a Llama (RMSNorm, rotary, 2 KV",
                "heads, SwiGLU 352); llama-135m: SmolLM-135M's shape on gpt2-small's workload. Default sampling: temperature",
                "1, no cut (the GRPO setting).",
                "Run it through ./prefer (its malloc and OpenMP settings match the reference's tuned environment)."},
        footer = {"", "Examples:",
                "  ./prefer bench generate --size tiny",
                "  ./prefer bench generate --size tiny --size gpt2-small --repeats 5",
                "  ./prefer bench generate --size tiny --top-k 50 --top-p 0.9 --min-p 0.05",
                "  ./prefer bench generate --size tiny --no-python",
                "  ./prefer bench generate --size tiny-llama"})
public final class BenchGenerateCommand implements Callable<Integer> {

    @Option(names = "--size", paramLabel = "NAME", description = "tiny, gpt2-small, tiny-llama or llama-135m; repeatable (default: tiny, gpt2-small).")
    List<String> sizes;

    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "Timed generate calls per process (median reported).")
    int runs;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "N", description = "Untimed calls first.")
    int warmup;

    @Option(names = "--repeats", defaultValue = "3", paramLabel = "N", description = "Processes of each implementation, alternated; medians reported.")
    int repeats;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Intra-op threads for both; 0 = available processors.")
    int threads;

    @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T", description = "Softmax temperature.")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "Top-k; 0 = off.")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P", description = "Top-p; 1 = off.")
    double topP;

    @Option(names = "--min-p", defaultValue = "0.0", paramLabel = "P", description = "Min-p; 0 = off.")
    double minP;

    @Option(names = "--no-python", description = "Only time Prefer.")
    boolean noPython;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "EXE", description = "Python with Debian's python3-torch.")
    String python;

    @Option(names = "--torch-script", defaultValue = "bench/generate_torch.py", paramLabel = "FILE", description = "The plain-PyTorch reference.")
    Path torchScript;

    @Override
    public Integer call() throws Exception {
        if (repeats < 1 || runs < 1 || warmup < 0) throw new IllegalArgumentException("need --repeats >= 1, --runs >= 1, --warmup >= 0");
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (System.getProperty("prefer.threads") == null) System.setProperty("prefer.threads", Integer.toString(n));
        if (!noPython && !Files.isRegularFile(torchScript)) {
            throw new IllegalArgumentException("--torch-script " + torchScript + " not found (run from the repository root, or pass --no-python)");
        }
        GenerateBench.Sampling sampling = new GenerateBench.Sampling(temperature, topK, topP, minP);
        String omp = System.getenv("OMP_WAIT_POLICY");
        System.out.printf(Locale.ROOT, "threads=%d OMP_WAIT_POLICY=%s sampling: temperature %s top-k %d top-p %s min-p %s%n", n,
                omp == null ? "<unset>" : omp, temperature, topK, topP, minP);
        System.out.printf(Locale.ROOT, "%-11s %-8s %4s %9s %10s %10s %9s  %s%n", "size", "impl", "rep", "s/run", "tokens/s", "mean logp", "peakMiB", "load (1/5/15 min)");
        for (String name : sizes == null || sizes.isEmpty() ? List.of("tiny", "gpt2-small") : sizes) {
            GenerateBench.Size size = GenerateBench.Size.named(name);
            BenchHarness.Runs sides = new BenchHarness.Runs(); // side -> tokens/s per run
            for (int rep = 0; rep < repeats; rep++) { // alternate so that load drift hits both alike
                String load = BenchHarness.loadAverage();
                GenerateBench.Result r = GenerateBench.run(size, sampling, warmup, runs, rep);
                sides.add("prefer", r.tokensPerSecond());
                // the calling thread's CPU seconds per timed run (median): all of a one-thread decoding's engine work, so
                // wall time far above it means waiting (for a core, or for the other engine thread)
                double[] own = r.callerCpuSeconds().clone();
                java.util.Arrays.sort(own);
                System.out.printf(Locale.ROOT, "%-11s %-8s %4d %9.4f %10.1f %10.4f %9.1f  %s  caller cpu s/run %.4f%n", size.name(), "prefer", rep, r.median(),
                        r.tokensPerSecond(), r.meanLogp(), r.peakRssMiB(), load, own[own.length / 2]);
                if (noPython) continue;
                load = BenchHarness.loadAverage();
                double[] t = runTorch(size, n, rep, rep == 0);
                sides.add("pytorch", t[0]);
                System.out.printf(Locale.ROOT, "%-11s %-8s %4d %9.4f %10.1f %10.4f %9.1f  %s%n", size.name(), "pytorch", rep, t[1], t[0], t[2], t[3], load);
            }
            double mo = sides.median("prefer", 0);
            if (noPython) {
                System.out.printf(Locale.ROOT, "%-11s prefer median of %d: %.1f tokens/s%n", size.name(), repeats, mo);
            } else {
                double mt = sides.median("pytorch", 0);
                System.out.printf(Locale.ROOT, "%-11s median of %d alternated runs: prefer %.1f tokens/s, pytorch %.1f tokens/s, ratio prefer/pytorch = %.2f%n",
                        size.name(), repeats, mo, mt, mo / mt);
            }
        }
        return 0;
    }

    private static final Pattern LINE = Pattern.compile("tokens/s median=([0-9.]+).*sec/run median=([0-9.]+).*peak_rss_MiB=([0-9.]+)");
    private static final Pattern LOGP = Pattern.compile("mean logp (-?[0-9.]+)");

    /** Runs the reference; returns tokens/s median, s/run median, mean logp of the last run, peak RSS MiB. */
    private double[] runTorch(GenerateBench.Size s, int n, int seed, boolean printVersions) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, torchScript.toString()));
        cmd.addAll(s.torchArgs());
        cmd.addAll(List.of("--runs", "" + runs, "--warmup", "" + warmup, "--threads", "" + n, "--seed", "" + seed,
                "--temperature", "" + temperature, "--top-k", "" + topK, "--top-p", "" + topP, "--min-p", "" + minP));
        double[][] found = {null};
        double[] logp = {Double.NaN};
        BenchHarness.Output o = BenchHarness.runReference(cmd, line -> {
            Matcher m = LINE.matcher(line);
            if (m.find()) found[0] = new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), 0, Double.parseDouble(m.group(3))};
            Matcher lm = LOGP.matcher(line);
            if (lm.find()) logp[0] = Double.parseDouble(lm.group(1));
            if (printVersions && (line.startsWith("torch ") || line.startsWith("blas:"))) System.out.println("            " + line);
        });
        double[] out = found[0];
        if (out != null) out[3] = o.peakRssMiB();
        if (o.exitCode() != 0 || out == null) {
            throw new IllegalArgumentException("the PyTorch reference failed (exit " + o.exitCode() + "): " + o.joined());
        }
        out[2] = logp[0];
        return out;
    }
}
