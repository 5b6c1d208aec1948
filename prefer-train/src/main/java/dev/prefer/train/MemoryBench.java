package dev.prefer.train;

import ai.djl.ndarray.types.DataType;
import dev.prefer.data.Json;
import dev.prefer.data.pref.LengthConfig;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.ModelConfig;
import dev.prefer.lm.Precision;
import dev.prefer.lm.Torch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Peak resident memory (VmHWM) of a DPO training step, each configuration in a fresh JVM (peak RSS only grows): the
 * trainer's own step ({@link Trainer#timeSteps} over the one loop's {@code Run.trainStep}: policy forward + backward
 * over chosen and rejected, the DPO objective's loss, global norm, AdamW; the reference log-probs scored first when
 * they are not cached) on a model with random weights, in full fine-tuning or LoRA (rank 8 on q/v or c_attn; the reference is
 * the base model with the adapters off, as PEFT does), with the reference forward each step or cached (precomputed
 * once), in float32 or float16 / bfloat16 mixed precision (full FT: float32 masters and AdamW state, float16 compute or
 * bfloat16 products; LoRA: the frozen base kept in float16 / bfloat16, float32 adapters), with or without gradient checkpointing (only block inputs kept from
 * the forward; each block recomputed during the backward). A benchmark: it prints figures and asserts nothing.
 */
public final class MemoryBench {
    private MemoryBench() {}

    /** Model shapes: GPT-2 small, and Qwen2.5-0.5B's (24 layers, d 896, 14/2 heads, F 4864, V 151936, tied). */
    public static ModelConfig shape(String name) {
        switch (name) {
            case "gpt2-small":
                return ModelConfig.gpt2(50257, 1024, 768, 12, 12);
            case "qwen2.5-0.5b": {
                var n = Json.MAPPER.createObjectNode();
                n.putArray("architectures").add("Qwen2ForCausalLM");
                n.put("model_type", "qwen2");
                n.put("vocab_size", 151936);
                n.put("hidden_size", 896);
                n.put("intermediate_size", 4864);
                n.put("num_hidden_layers", 24);
                n.put("num_attention_heads", 14);
                n.put("num_key_value_heads", 2);
                n.put("max_position_embeddings", 32768);
                n.put("rms_norm_eps", 1e-6);
                n.put("rope_theta", 1000000.0);
                n.put("tie_word_embeddings", true);
                n.put("bos_token_id", 151643);
                n.put("eos_token_id", 151643);
                return ModelConfig.parse(null, n);
            }
            default:
                throw new IllegalArgumentException("unknown shape '" + name + "' (gpt2-small, qwen2.5-0.5b)");
        }
    }

    /** One configuration; {@code precision} is fp32, fp16 or bf16. */
    public record Case(String shape, boolean lora, boolean cachedRef, String precision, boolean gradientCheckpointing, int pairs,
                       int promptLen, int responseLen) {
        public Case {
            if (!List.of("fp32", "fp16", "bf16").contains(precision)) throw new IllegalArgumentException("precision must be fp32, fp16 or bf16, got " + precision);
        }

        /** fp32 or fp16. */
        public Case(String shape, boolean lora, boolean cachedRef, boolean fp16, boolean gradientCheckpointing, int pairs, int promptLen, int responseLen) {
            this(shape, lora, cachedRef, fp16 ? "fp16" : "fp32", gradientCheckpointing, pairs, promptLen, responseLen);
        }

        public boolean fp16() {
            return precision.equals("fp16");
        }

        /** bfloat16: LoRA over a bfloat16 base; full fine-tuning with float32 masters, bfloat16 products, a bfloat16 reference. */
        public boolean bf16() {
            return precision.equals("bf16");
        }

        public String label() {
            return String.format(Locale.ROOT, "%s %s %s %s%s", shape, lora ? "lora" : "full", cachedRef ? "cached-ref" : "ref-forward",
                    precision, gradientCheckpointing ? " ckpt" : "");
        }

        List<String> args() {
            return List.of(shape, lora ? "lora" : "full", cachedRef ? "cached" : "forward", precision,
                    gradientCheckpointing ? "ckpt" : "no-ckpt", Integer.toString(pairs), Integer.toString(promptLen), Integer.toString(responseLen));
        }
    }

    /**
     * A measured case: peak RSS of its process in MiB, the losses of its steps and their wall and CPU (all threads)
     * seconds (comma-separated; the first step includes warm-up costs).
     */
    public record Row(Case c, double peakRssMiB, long parameters, long trainable, String losses, String wallSeconds, String cpuSeconds) {}

    /** Runs every case in its own JVM (same class path, same environment) and returns the rows. */
    public static List<Row> run(List<Case> cases, int steps) throws IOException, InterruptedException {
        List<Row> out = new ArrayList<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (Case c : cases) {
            List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), MemoryBench.class.getName()));
            cmd.addAll(c.args());
            cmd.add(Integer.toString(steps));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String result = null;
            StringBuilder log = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("RESULT ")) result = line;
                    else log.append(line).append('\n');
                }
            }
            int code = p.waitFor();
            if (code != 0 || result == null) throw new IllegalStateException(c.label() + ": child exited " + code + "\n" + log);
            Map<String, String> kv = new LinkedHashMap<>();
            for (String part : result.substring(7).split(" ")) {
                int eq = part.indexOf('=');
                kv.put(part.substring(0, eq), part.substring(eq + 1));
            }
            out.add(new Row(c, Double.parseDouble(kv.get("peak_rss_mib")), Long.parseLong(kv.get("parameters")),
                    Long.parseLong(kv.get("trainable")), kv.get("losses"), kv.getOrDefault("wall_s", "-"), kv.getOrDefault("cpu_s", "-")));
        }
        return out;
    }

    /** Child process: {@code shape full|lora forward|cached fp32|fp16|bf16 ckpt|no-ckpt pairs promptLen responseLen steps}. */
    public static void main(String[] a) {
        Case c = new Case(a[0], a[1].equals("lora"), a[2].equals("cached"), a[3], a[4].equals("ckpt"),
                Integer.parseInt(a[5]), Integer.parseInt(a[6]), Integer.parseInt(a[7]));
        int steps = Integer.parseInt(a[8]);
        double[] losses = new double[steps], wall = new double[steps], cpu = new double[steps];
        long[] counts = step(c, shape(c.shape()), steps, losses, wall, cpu);
        System.out.println(String.format(Locale.ROOT, "RESULT peak_rss_mib=%.1f parameters=%d trainable=%d losses=%s wall_s=%s cpu_s=%s",
                dev.prefer.lm.bench.Rss.peakMiB(), counts[0], counts[1], join(losses, "%.6f"), join(wall, "%.2f"), join(cpu, "%.2f")));
        System.exit(0);
    }

    private static String join(double[] v, String fmt) {
        StringBuilder b = new StringBuilder();
        for (double x : v) b.append(b.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, fmt, x));
        return b.toString();
    }

    /** Runs the steps of the trainer's own step ({@link Trainer#timeSteps}); returns {parameters, trainable parameters}. */
    static long[] step(Case c, ModelConfig cfg, int steps, double[] losses) {
        return step(c, cfg, steps, losses, null, null);
    }

    /** As {@link #step(Case, ModelConfig, int, double[])}, also filling each step's wall and CPU seconds when not null. */
    static long[] step(Case c, ModelConfig cfg, int steps, double[] losses, double[] wall, double[] cpu) {
        Torch.init();
        phase("engine");
        // LoRA: the frozen base may be float16 or bfloat16 itself (float32 adapters, Lora.create); full FT: float32
        // masters (float16 compute or bfloat16 products, as Trainer.run does for --precision fp16 / bf16)
        Precision half = c.fp16() ? Precision.F16 : c.bf16() ? Precision.BF16 : Precision.F32;
        Precision policyPrecision = c.lora() ? half : Precision.F32;
        try (CausalLM policy = CausalLM.randomInit(cfg, 7, policyPrecision);
             CausalLM reference = c.lora() || c.cachedRef() ? null : CausalLM.randomInit(cfg, 7, half)) {
            phase("models");
            if (!c.lora() && half != Precision.F32) policy.model().setComputeType(c.bf16() ? DataType.BFLOAT16 : DataType.FLOAT16);
            Random rng = new Random(1);
            List<TrainExample> groups = new ArrayList<>();
            for (int i = 0; i < c.pairs(); i++) {
                groups.add(new TrainExample(ids(rng, c.promptLen(), cfg.vocabSize()), List.of(ids(rng, c.responseLen(), cfg.vocabSize()),
                        ids(rng, c.responseLen(), cfg.vocabSize())), new double[] {1, 0}, 1, null, new double[0]));
            }
            TrainConfig.Builder b = TrainConfig.builder(TrainConfig.Task.PREFERENCE).objective("dpo", Map.of("beta", 0.1))
                    .batchSize(c.pairs()).learningRate(1e-6).maxGradNorm(0).length(LengthConfig.UNLIMITED)
                    .prefixSharing(TrainConfig.PrefixSharing.OFF).gradientCheckpointing(c.gradientCheckpointing());
            if (c.lora()) b.lora(new TrainConfig.LoraConfig(8, 16, 0, List.of(), false)); // r 8 on the family's default targets
            TrainConfig tc = b.build();
            List<double[]> refs;
            if (c.cachedRef()) { // precomputed once, before the steps (the reference cache of a training run)
                refs = new ArrayList<>(RefLogpsCache.score(groups, policy, 2 * groups.size()));
            } else {
                refs = new ArrayList<>();
                for (int i = 0; i < groups.size(); i++) refs.add(new double[2]);
            }
            // reference forward each step: the frozen copy, or with LoRA the policy with its adapters detached (the base)
            CausalLM refForward = c.cachedRef() ? null : reference != null ? reference : policy;
            double[][] t = Trainer.timeSteps(tc, policy, groups, refs, refForward, 0, steps, null);
            System.arraycopy(t[2], 0, losses, 0, steps);
            if (wall != null) System.arraycopy(t[0], 0, wall, 0, steps);
            if (cpu != null) System.arraycopy(t[1], 0, cpu, 0, steps);
            phase("steps");
            long trainable = 0;
            if (c.lora()) {
                for (String m : Lora.resolveModules(policy, List.of())) {
                    long[] s = policy.model().parameters().get(m + ".weight").getShape().getShape();
                    trainable += 8L * (s[0] + s[1]);
                }
            } else {
                trainable = policy.model().parameterCount();
            }
            return new long[] {policy.model().parameterCount(), trainable};
        }
    }

    /** With -Dprefer.bench.phases=true: the resident set after each phase, to stderr. */
    private static void phase(String what) {
        if (!Boolean.getBoolean("prefer.bench.phases")) return;
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:")) System.err.println(what + " " + line.replaceAll("\\s+", " "));
            }
        } catch (IOException e) {
            // no /proc
        }
    }

    private static long[] ids(Random rng, int n, int vocab) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = rng.nextInt(vocab);
        return ids;
    }
}
