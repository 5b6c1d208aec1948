package dev.prefer.lm.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.prefer.data.Json;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.ModelConfig;
import dev.prefer.lm.Precision;
import dev.prefer.lm.TokenizedSequence;
import dev.prefer.lm.Torch;
import dev.prefer.lm.Transformer;
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
 * step of {@link DpoStepBench} (policy forward + backward over chosen and rejected, reference log-probs, sigmoid DPO
 * loss, AdamW) on a model with random weights, in full fine-tuning or LoRA (rank 8 on q/v or c_attn; the reference is
 * the base model with the adapters off, as PEFT does), with the reference forward each step or cached (precomputed
 * once), in float32 or float16 mixed precision (full FT: float32 masters and AdamW state, float16 compute; LoRA: the
 * frozen base kept in float16, float32 adapters). A benchmark: it prints figures and asserts nothing.
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

    /** One configuration. */
    public record Case(String shape, boolean lora, boolean cachedRef, boolean fp16, int pairs, int promptLen, int responseLen) {
        public String label() {
            return String.format(Locale.ROOT, "%s %s %s %s", shape, lora ? "lora" : "full", cachedRef ? "cached-ref" : "ref-forward", fp16 ? "fp16" : "fp32");
        }

        List<String> args() {
            return List.of(shape, lora ? "lora" : "full", cachedRef ? "cached" : "forward", fp16 ? "fp16" : "fp32",
                    Integer.toString(pairs), Integer.toString(promptLen), Integer.toString(responseLen));
        }
    }

    /** A measured case: peak RSS of its process in MiB and the losses of its steps. */
    public record Row(Case c, double peakRssMiB, long parameters, long trainable, String losses) {}

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
                    Long.parseLong(kv.get("trainable")), kv.get("losses")));
        }
        return out;
    }

    /** Child process: {@code shape full|lora forward|cached fp32|fp16 pairs promptLen responseLen steps}. */
    public static void main(String[] a) {
        Case c = new Case(a[0], a[1].equals("lora"), a[2].equals("cached"), a[3].equals("fp16"),
                Integer.parseInt(a[4]), Integer.parseInt(a[5]), Integer.parseInt(a[6]));
        int steps = Integer.parseInt(a[7]);
        double[] losses = new double[steps];
        long[] counts = step(c, steps, losses);
        StringBuilder ls = new StringBuilder();
        for (double l : losses) ls.append(ls.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6f", l));
        System.out.println(String.format(Locale.ROOT, "RESULT peak_rss_mib=%.1f parameters=%d trainable=%d losses=%s",
                DpoStepBench.peakRssMiB(), counts[0], counts[1], ls));
        System.exit(0);
    }

    /** Runs the steps; returns {parameters, trainable parameters}. */
    static long[] step(Case c, int steps, double[] losses) {
        Torch.init();
        phase("engine");
        ModelConfig cfg = shape(c.shape());
        double beta = 0.1, lr = 1e-6;
        // LoRA: the frozen base may be float16 itself; full FT: float32 masters (float16 compute when fp16)
        Precision policyPrecision = c.lora() && c.fp16() ? Precision.F16 : Precision.F32;
        try (CausalLM policy = CausalLM.randomInit(cfg, 7, policyPrecision);
             CausalLM reference = c.lora() || c.cachedRef() ? null : CausalLM.randomInit(cfg, 7, c.fp16() ? Precision.F16 : Precision.F32);
             NDManager state = Torch.newManager()) {
            Transformer model = policy.model();
            phase("models");
            if (c.fp16() && !c.lora()) model.setComputeType(DataType.FLOAT16);
            Random rng = new Random(1);
            List<TokenizedSequence> seqs = new ArrayList<>();
            List<long[]> prompts = new ArrayList<>();
            for (int i = 0; i < c.pairs(); i++) prompts.add(ids(rng, c.promptLen(), cfg.vocabSize()));
            for (int i = 0; i < 2 * c.pairs(); i++) seqs.add(new TokenizedSequence(prompts.get(i % c.pairs()), ids(rng, c.responseLen(), cfg.vocabSize())));
            // trainable tensors: every parameter, or LoRA A (r, in) and B (out, r) on the family's default targets
            Map<String, NDArray> train = new LinkedHashMap<>();
            Map<String, Transformer.LinearDelta> deltas = new LinkedHashMap<>();
            if (c.lora()) {
                int r = 8;
                double scale = 16.0 / r;
                List<String> targets = cfg.architecture().loraTargets();
                for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                    String n = e.getKey();
                    if (!n.endsWith(".weight") || e.getValue().getShape().dimension() != 2) continue;
                    String module = n.substring(0, n.length() - 7);
                    if (!targets.contains(module.substring(module.lastIndexOf('.') + 1))) continue;
                    long[] s = e.getValue().getShape().getShape();
                    long in = cfg.architecture().fanInFanOut() ? s[0] : s[1], out = cfg.architecture().fanInFanOut() ? s[1] : s[0];
                    NDArray aa = state.randomUniform(-0.01f, 0.01f, new Shape(r, in), DataType.FLOAT32);
                    NDArray bb = state.zeros(new Shape(out, r), DataType.FLOAT32);
                    aa.setRequiresGradient(true);
                    bb.setRequiresGradient(true);
                    train.put(module + ".lora_A", aa);
                    train.put(module + ".lora_B", bb);
                    deltas.put(module, x -> x.matMul(aa.transpose()).matMul(bb.transpose()).mul(Transformer.constant(x, scale)));
                }
            } else {
                policy.setTrainable(true);
                train.putAll(model.parameters());
            }
            long trainable = 0;
            for (NDArray t : train.values()) trainable += t.size();
            List<NDArray[]> adam = new ArrayList<>();
            for (NDArray t : train.values()) adam.add(new NDArray[] {state.zeros(t.getShape(), DataType.FLOAT32), state.zeros(t.getShape(), DataType.FLOAT32)});
            double[] cached = null;
            if (c.cachedRef()) { // precomputed once, before the steps (the reference cache of a training run)
                cached = new double[seqs.size()];
                var lp = (reference != null ? reference : policy).logpsOfIds(seqs, seqs.size(), false);
                for (int i = 0; i < cached.length; i++) cached[i] = lp.get(i).sum();
            }
            for (Map.Entry<String, Transformer.LinearDelta> d : deltas.entrySet()) model.setLinearDelta(d.getKey(), d.getValue());
            for (int it = 0; it < steps; it++) {
                try (NDManager step = model.manager().newSubManager()) {
                    NDArray rf;
                    if (cached != null) {
                        rf = step.create(cached).toType(DataType.FLOAT32, false);
                    } else {
                        CausalLM refLm = reference != null ? reference : policy;
                        if (reference == null) model.clearLinearDeltas(); // LoRA: the base model is the reference
                        boolean grad = ai.djl.pytorch.jni.JniUtils.isGradMode();
                        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
                        try {
                            rf = refLm.logpsTensors(step, seqs, false).sums().toType(DataType.FLOAT32, false);
                        } finally {
                            ai.djl.pytorch.jni.JniUtils.setGradMode(grad);
                        }
                        if (reference == null) for (Map.Entry<String, Transformer.LinearDelta> d : deltas.entrySet()) model.setLinearDelta(d.getKey(), d.getValue());
                    }
                    try (GradientCollector gc = Torch.init().newGradientCollector()) {
                        NDArray pi = policy.logpsTensors(step, seqs, false).sums(); // (2B)
                        NDArray diff = pi.sub(rf); // (2B)
                        int b = c.pairs();
                        NDArray logits = diff.get("0:" + b).sub(diff.get(b + ":")).mul(Transformer.constant(diff, beta)); // (B)
                        NDArray loss = Activation.softPlus(logits.neg()).mean();
                        phase("  forward " + (it + 1));
                        gc.backward(loss);
                        losses[it] = loss.toFloatArray()[0];
                        phase("  backward " + (it + 1));
                    }
                    // AdamW in place: libtorch's fused kernel over every trainable tensor (as prefer-train's AdamW)
                    List<NDArray> ws = new ArrayList<>(train.values()), gs = new ArrayList<>(), ms = new ArrayList<>(), vs = new ArrayList<>();
                    for (int k = 0; k < ws.size(); k++) {
                        NDArray g = ws.get(k).getGradient();
                        g.attach(step);
                        gs.add(g);
                        ms.add(adam.get(k)[0]);
                        vs.add(adam.get(k)[1]);
                    }
                    dev.prefer.lm.FusedOps.adamw(ws, gs, ms, vs, step.create((float) (it + 1)), lr, 0.9, 0.999, 0.0, 1e-8);
                    for (NDArray g : gs) g.muli(0);
                }
                phase("step " + (it + 1));
            }
            return new long[] {model.parameterCount(), trainable};
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
