package dev.prefer.lm.bench;

import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Completion;
import dev.prefer.lm.GenerationConfig;
import dev.prefer.lm.GenerationRequest;
import dev.prefer.lm.ModelConfig;
import dev.prefer.lm.Precision;
import dev.prefer.lm.Torch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Batched sampling throughput of {@link CausalLM#complete} on a GPT-2- or Llama-shaped model with random weights: B prompts of
 * different lengths (row i has minLen + i·(maxLen − minLen)/(B − 1) tokens), each sampled once for {@code newTokens}
 * tokens (no eos stop: with random weights every row runs the whole budget, as in the reference), per-token raw
 * log-probs recorded. The same workload as bench/generate_torch.py. A benchmark: it measures and asserts nothing.
 */
public final class GenerateBench {
    private GenerateBench() {}

    /**
     * A model shape and a workload: {@code arch} gpt2 (GPT-2's block, MLP 4·width) or llama (RMSNorm, rotary
     * positions, {@code kvHeads} key/value heads, SwiGLU MLP of {@code ffn}, untied head: {@link ModelConfig#llama}).
     */
    public record Size(String name, String arch, int layers, int width, int heads, int kvHeads, int ffn, int vocab, int ctx, int batch, int minLen,
                       int maxLen, int newTokens) {
        public static final Size TINY = new Size("tiny", "gpt2", 2, 128, 4, 4, 512, 512, 1024, 16, 16, 64, 64);
        public static final Size GPT2_SMALL = new Size("gpt2-small", "gpt2", 12, 768, 12, 12, 3072, 50257, 1024, 8, 32, 128, 64);
        /** The tiny workload on a Llama of about the same parameters (SwiGLU 352 wide: 3·352 ≈ 2·512 MLP rows), 2 KV heads. */
        public static final Size TINY_LLAMA = new Size("tiny-llama", "llama", 2, 128, 4, 2, 352, 512, 1024, 16, 16, 64, 64);
        /** SmolLM-135M's shape (30 layers, d 576, 9 heads, 3 KV heads, SwiGLU 1536, vocab 49152; untied here) on gpt2-small's workload. */
        public static final Size LLAMA_135M = new Size("llama-135m", "llama", 30, 576, 9, 3, 1536, 49152, 2048, 8, 32, 128, 64);

        public static Size named(String name) {
            return switch (name) {
                case "tiny" -> TINY;
                case "gpt2-small", "gpt2" -> GPT2_SMALL;
                case "tiny-llama" -> TINY_LLAMA;
                case "llama-135m" -> LLAMA_135M;
                default -> throw new IllegalArgumentException("unknown size '" + name + "' (tiny, gpt2-small, tiny-llama, llama-135m)");
            };
        }

        /** The model's config. */
        public ModelConfig config() {
            if (arch.equals("llama")) return ModelConfig.llama(vocab, width, ffn, layers, heads, kvHeads, ctx);
            return ModelConfig.gpt2(vocab, ctx, width, layers, heads);
        }

        /** The same shape and workload with another batch and budget. */
        public Size with(int batch, int newTokens) {
            return new Size(name, arch, layers, width, heads, kvHeads, ffn, vocab, ctx, batch, minLen, maxLen, newTokens);
        }

        public int promptLen(int i) {
            return minLen + (i * (maxLen - minLen)) / Math.max(1, batch - 1);
        }

        public int tokensPerRun() {
            return batch * newTokens;
        }

        /** The reference script's flags for this shape. */
        public List<String> torchArgs() {
            List<String> a = new ArrayList<>(List.of("--layers", "" + layers, "--d-model", "" + width, "--heads", "" + heads, "--vocab", "" + vocab,
                    "--ctx", "" + ctx, "--batch", "" + batch, "--min-len", "" + minLen, "--max-len", "" + maxLen, "--new-tokens", "" + newTokens));
            if (arch.equals("llama")) a.addAll(List.of("--arch", "llama", "--kv-heads", "" + kvHeads, "--ffn", "" + ffn));
            return a;
        }
    }

    /** Sampling knobs (defaults: temperature 1, no cut: the GRPO setting of TRL and vLLM). */
    public record Sampling(double temperature, int topK, double topP, double minP) {}

    /**
     * Seconds per timed run and tokens/s of their median; {@code cpuSeconds}: the process's CPU seconds (all threads,
     * JIT and GC included; clock-tick resolution) of each timed run; {@code callerCpuSeconds}: the calling thread's CPU
     * seconds (nanosecond resolution; all the engine's work when decoding runs on one thread).
     */
    public record Result(double[] seconds, double tokensPerSecond, double meanLogp, double peakRssMiB, double[] cpuSeconds,
                         double[] callerCpuSeconds) {
        public double median() {
            double[] s = seconds.clone();
            Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
        }
    }

    public static Result run(Size size, Sampling sampling, int warmup, int runs, long seed) {
        Torch.init();
        ModelConfig cfg = size.config();
        try (CausalLM lm = CausalLM.randomInit(cfg, seed, Precision.F32)) {
            BenchLora lora = BenchLora.fromProperties(lm, seed + 2); // -Dlora=R: adapters changed before every call, as GRPO
            Random rng = new Random(seed + 1);
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < size.batch(); i++) {
                long[] ids = new long[size.promptLen(i)];
                for (int j = 0; j < ids.length; j++) ids[j] = rng.nextInt(size.vocab());
                reqs.add(new GenerationRequest(ids, seed + i));
            }
            GenerationConfig gc = new GenerationConfig(size.newTokens(), false, sampling.temperature(), sampling.topK(), sampling.topP(), seed, false)
                    .withMinP(sampling.minP()).withMaxBatch(size.batch());
            double[] secs = new double[runs], cpu = new double[runs], own = new double[runs];
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            double logp = 0;
            for (int r = 0; r < warmup + runs; r++) {
                if (lora != null) lora.step();
                long c0 = cpuNanos(), o0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                List<List<Completion>> out = lm.complete(reqs, gc);
                double dt = (System.nanoTime() - t0) / 1e9;
                if (r >= warmup) {
                    secs[r - warmup] = dt;
                    cpu[r - warmup] = (cpuNanos() - c0) / 1e9;
                    own[r - warmup] = (mx.getCurrentThreadCpuTime() - o0) / 1e9;
                }
                double s = 0;
                int n = 0;
                for (List<Completion> cs : out) for (Completion c : cs) {
                    s += c.sumLogp();
                    n += c.tokenIds().length;
                }
                if (n != size.tokensPerRun()) throw new IllegalStateException("expected " + size.tokensPerRun() + " new tokens, got " + n);
                logp = s / n;
            }
            Result res = new Result(secs, 0, logp, Rss.peakMiB(), cpu, own);
            if (lora != null) System.out.printf(java.util.Locale.ROOT, "rss now %.0f MiB, peak %.0f MiB%n", Rss.currentMiB(), Rss.peakMiB());
            return new Result(secs, size.tokensPerRun() / res.median(), logp, res.peakRssMiB(), cpu, own);
        }
    }

    private static void profiled(Size size, java.nio.file.Path trace) {
        ModelConfig cfg = size.config();
        try (CausalLM lm = CausalLM.randomInit(cfg, 0, Precision.F32)) {
            Random rng = new Random(1);
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < size.batch(); i++) {
                long[] ids = new long[size.promptLen(i)];
                for (int j = 0; j < ids.length; j++) ids[j] = rng.nextInt(size.vocab());
                reqs.add(new GenerationRequest(ids, i));
            }
            GenerationConfig gc = new GenerationConfig(size.newTokens(), false, 1.0, 0, 1.0, 0, false).withMaxBatch(size.batch());
            for (int i = 0; i < 3; i++) lm.complete(reqs, gc);
            ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
            lm.complete(reqs, gc);
            ai.djl.pytorch.jni.JniUtils.stopProfile(trace.toAbsolutePath().toString());
        }
    }

    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    /**
     * Profile mode (no PyTorch reference): {@code GenerateBench SIZE RUNS [WARMUP]} prints, per timed run, wall and
     * process-CPU microseconds per new token, then their medians: per-token CPU time is the figure to compare on a
     * loaded machine, where wall-clock time is not. Threads as {@link Torch#init()} sets them ({@code -Dprefer.threads}).
     */
    public static void main(String[] args) {
        Size size = Size.named(args.length > 0 ? args[0] : "tiny");
        // -DnewTokens=N: another budget (e.g. 1: the prefill alone); -Dbatch=N: another batch
        int nt = Integer.getInteger("newTokens", size.newTokens()), batch = Integer.getInteger("batch", size.batch());
        size = size.with(batch, nt);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        long v0 = voluntarySwitches();
        java.util.Map<String, Long> t0 = threadTicks();
        Result r = run(size, new Sampling(1.0, 0, 1.0, 0.0), warmup, runs, 0);
        java.util.Map<String, Long> t1 = threadTicks();
        long switches = voluntarySwitches() - v0;
        StringBuilder per = new StringBuilder("cpu by thread over the whole run (s):");
        t1.forEach((k, v) -> {
            long d = v - t0.getOrDefault(k, 0L);
            if (d >= 5) per.append(String.format(java.util.Locale.ROOT, " %s=%.2f", k, d / 100.0));
        });
        System.out.println(per);
        double n = size.tokensPerRun();
        if (args.length > 3) { // one more call under PyTorch's profiler: self time per operator
            java.nio.file.Path trace = java.nio.file.Path.of(args[3]);
            profiled(size, trace);
            System.out.println("op self ms (one generate call of " + size.tokensPerRun() + " tokens, profiler overhead included):");
            for (ProfileSummary.Row row : ProfileSummary.read(trace).subList(0, 25)) {
                System.out.printf(java.util.Locale.ROOT, "  %-40s %9.2f ms %7d calls%n", row.op(), row.selfMs(), row.calls());
            }
        }
        double[] wall = new double[runs], cpu = new double[runs], own = new double[runs];
        for (int i = 0; i < runs; i++) {
            wall[i] = 1e6 * r.seconds()[i] / n;
            cpu[i] = 1e6 * r.cpuSeconds()[i] / n;
            own[i] = 1e6 * r.callerCpuSeconds()[i] / n;
            System.out.printf(java.util.Locale.ROOT, "run %d: wall %.1f us/token, cpu %.1f us/token, caller thread cpu %.1f us/token%n", i, wall[i],
                    cpu[i], own[i]);
        }
        Arrays.sort(own);
        double meanCpu = Arrays.stream(cpu).average().orElse(Double.NaN);
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf(java.util.Locale.ROOT, "%s: caller thread cpu median %.1f min %.1f us/token%n", size.name(), own[runs / 2], own[0]);
        System.out.printf(java.util.Locale.ROOT, "%s: median wall %.1f us/token, cpu %.1f us/token (mean of %d runs; min %.1f), "
                        + "voluntary context switches %.1f per decoding step (all threads, warm-up included), mean logp %.4f, load %s%n",
                size.name(), wall[runs / 2], meanCpu, runs, cpu[0], switches / (double) ((warmup + runs) * size.newTokens()), r.meanLogp(), loadAverage());
    }

    /** Voluntary context switches of all the process's threads so far (a thread that waits for work or a lock). */
    private static long voluntarySwitches() {
        long sum = 0;
        try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path t : (Iterable<java.nio.file.Path>) tasks::iterator) {
                for (String l : java.nio.file.Files.readAllLines(t.resolve("status"))) {
                    if (l.startsWith("voluntary_ctxt_switches:")) sum += Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return sum;
    }

    /** utime + stime clock ticks of each thread (by name and id), from /proc/self/task/N/stat. */
    private static java.util.Map<String, Long> threadTicks() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path t : (Iterable<java.nio.file.Path>) tasks::iterator) {
                String st = java.nio.file.Files.readString(t.resolve("stat"));
                String name = st.substring(st.indexOf('(') + 1, st.lastIndexOf(')'));
                String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
                out.merge(name + "#" + t.getFileName(), Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux
        }
        return out;
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
