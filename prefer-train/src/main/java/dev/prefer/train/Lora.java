package dev.prefer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import dev.prefer.data.AtomicFiles;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.lm.Architecture;
import dev.prefer.lm.HfModel;
import dev.prefer.lm.ModelConfig;
import dev.prefer.lm.Transformer;
import dev.prefer.lm.io.DType;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * LoRA adapters (Hu et al. 2021, arXiv 2106.09685, Eq. 3: h = W x + (alpha/r) B A x) on named linear layers of a
 * {@link HfModel} (a causal LM or a sequence-classification reward model: the same {@link Transformer}), attached
 * through prefer-lm's {@link Transformer.LinearDelta} hook. A is (r, in), B is (out, r), as PEFT stores them
 * ({@code base_model.model.<module>.lora_A.weight} / {@code lora_B.weight}); GPT-2's Conv1D keeps its (in, out)
 * weight, so merging adds (s B A)^T there (PEFT's {@code fan_in_fan_out}).
 *
 * <p>On a sequence-classification model the freshly initialised {@code score} head is trained in full beside the
 * adapters, as PEFT's {@code task_type: SEQ_CLS} does ({@code modules_to_save: ["score"]}): it is one of
 * {@link #parameters()} under PEFT's saved name {@code base_model.model.score.weight}, written into
 * {@code adapter_model.safetensors} and copied back onto the model by {@link #load}.
 */
public final class Lora implements AutoCloseable {
    private TrainConfig.LoraConfig config;
    private final NDManager manager;
    private final LinkedHashMap<String, NDArray> params = new LinkedHashMap<>(); // PEFT names
    private final List<String> modules = new ArrayList<>();
    private final Transformer model;
    private final List<String> modulesToSave = new ArrayList<>(); // whole modules trained beside the adapters (PEFT)
    private boolean training;
    private LongSupplier dropoutSeed = () -> 0L;

    private Lora(HfModel lm, TrainConfig.LoraConfig config, NDManager manager) {
        this.config = config;
        this.manager = manager;
        this.model = lm.model();
    }

    /** Default target modules as PEFT's table, from the family (Llama family q_proj, v_proj; GPT-2 c_attn; Phi-3 qkv_proj). */
    public static List<String> defaultTargets(Architecture a) {
        return a.loraTargets();
    }

    /** Module names (without {@code .weight}) of every 2-D linear weight whose last name part is a target. */
    static List<String> resolveModules(HfModel lm, List<String> targets) {
        List<String> want = targets.isEmpty() ? defaultTargets(lm.config().architecture()) : targets;
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : lm.parameters().entrySet()) {
            String n = e.getKey();
            if (!n.endsWith(".weight") || e.getValue().getShape().dimension() != 2) continue;
            String module = n.substring(0, n.length() - ".weight".length());
            String last = module.substring(module.lastIndexOf('.') + 1);
            if (want.contains(last) && !module.equals("lm_head")) out.add(module);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no linear layer matches the LoRA target modules " + want);
        return out;
    }

    /** New adapters (A uniform ±1/sqrt(in) from {@code seed}, B zero), attached to the model. */
    public static Lora create(HfModel lm, TrainConfig.LoraConfig config, long seed) {
        Lora l = new Lora(lm, config, lm.model().parameters().values().iterator().next().getManager().newSubManager());
        Random rng = new Random(seed);
        DataType type = lm.model().dtype() == DataType.FLOAT16 ? DataType.FLOAT32 : lm.model().dtype(); // float32 adapters on a float16 base
        for (String module : resolveModules(lm, config.targetModules())) {
            long[] io = inOut(lm, module);
            int in = (int) io[0], outDim = (int) io[1], r = config.rank();
            float[] a = new float[r * in];
            double bound = 1.0 / Math.sqrt(in);
            for (int i = 0; i < a.length; i++) a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            l.put(module, a, new float[outDim * r], in, outDim, type);
        }
        l.addModulesToSave(lm);
        l.attach();
        return l;
    }

    /** PEFT's modules_to_save for the model's task: {@code score} on a sequence-classification model, none on a causal LM. */
    static List<String> modulesToSave(HfModel lm) {
        return lm.config().head() == ModelConfig.Head.SEQUENCE_CLASSIFICATION ? List.of("score") : List.of();
    }

    private void addModulesToSave(HfModel lm) {
        for (String m : modulesToSave(lm)) {
            NDArray w = lm.parameters().get(m + ".weight");
            if (w == null) throw new IllegalArgumentException("the model has no " + m + ".weight to train beside the adapters");
            params.put(savedName(m), w);
            modulesToSave.add(m);
        }
    }

    /** PEFT's name for a fully trained module's weight in the adapter file. */
    static String savedName(String module) {
        return "base_model.model." + module + ".weight";
    }

    /**
     * Starts training from the PEFT adapter in {@code config.init()}: its r, lora_alpha and target modules must be
     * those of {@code config} (one-line error naming adapter_config.json and the field otherwise); dropout and merge
     * come from {@code config}.
     */
    public static Lora startFrom(HfModel lm, TrainConfig.LoraConfig config) {
        Path dir = config.init();
        Path cfgFile = dir.resolve("adapter_config.json");
        com.fasterxml.jackson.databind.JsonNode c = Json.readObject(cfgFile);
        if (c.path("r").asInt(-1) != config.rank()) {
            throw new DataException(cfgFile, 0, "r", c.path("r") + " does not match the LoRA rank " + config.rank());
        }
        if (Math.abs(c.path("lora_alpha").asDouble(-1) - config.alpha()) > 1e-12) {
            throw new DataException(cfgFile, 0, "lora_alpha", c.path("lora_alpha") + " does not match the LoRA alpha " + config.alpha());
        }
        java.util.Set<String> theirs = new java.util.TreeSet<>();
        c.path("target_modules").forEach(n -> theirs.add(n.asText()));
        java.util.Set<String> ours = new java.util.TreeSet<>(config.targetModules().isEmpty()
                ? defaultTargets(lm.config().architecture()) : config.targetModules());
        if (!theirs.equals(ours)) {
            throw new DataException(cfgFile, 0, "target_modules", theirs + " does not match the LoRA target modules " + ours);
        }
        Lora loaded = load(lm, dir);
        loaded.config = config;
        return loaded;
    }

    /** Loads a PEFT adapter folder ({@code adapter_config.json} + {@code adapter_model.safetensors}) onto the model. */
    public static Lora load(HfModel lm, Path dir) {
        Path cfgFile = dir.resolve("adapter_config.json");
        com.fasterxml.jackson.databind.JsonNode c = Json.readObject(cfgFile);
        List<String> targets = new ArrayList<>();
        c.path("target_modules").forEach(n -> targets.add(n.asText()));
        TrainConfig.LoraConfig cfg = new TrainConfig.LoraConfig(c.path("r").asInt(8), c.path("lora_alpha").asDouble(8),
                c.path("lora_dropout").asDouble(0), targets, false);
        Map<String, HostTensor> t = SafeTensors.read(dir.resolve("adapter_model.safetensors"));
        Lora l = new Lora(lm, cfg, lm.model().parameters().values().iterator().next().getManager().newSubManager());
        DataType type = lm.model().dtype() == DataType.FLOAT16 ? DataType.FLOAT32 : lm.model().dtype(); // float32 adapters on a float16 base
        for (String module : resolveModules(lm, targets)) {
            HostTensor a = t.get(pefName(module, "A")), b = t.get(pefName(module, "B"));
            if (a == null || b == null) throw new DataException(dir.resolve("adapter_model.safetensors"), 0, pefName(module, a == null ? "A" : "B"), "missing tensor");
            long[] io = inOut(lm, module);
            if (a.shape()[0] != cfg.rank() || a.shape()[1] != io[0] || b.shape()[0] != io[1] || b.shape()[1] != cfg.rank()) {
                throw new DataException(dir.resolve("adapter_model.safetensors"), 0, pefName(module, "A"), "shape does not match the model and rank");
            }
            l.put(module, a.data(), b.data(), (int) io[0], (int) io[1], type);
        }
        l.addModulesToSave(lm);
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager tmp = l.manager.newSubManager()) {
            for (String m : l.modulesToSave) {
                HostTensor w = t.get(savedName(m));
                if (w == null) {
                    throw new DataException(dir.resolve("adapter_model.safetensors"), 0, savedName(m),
                            "missing tensor (a sequence-classification adapter saves its trained " + m + " head)");
                }
                NDArray dst = lm.parameters().get(m + ".weight");
                if (!java.util.Arrays.equals(w.shape(), dst.getShape().getShape())) {
                    throw new DataException(dir.resolve("adapter_model.safetensors"), 0, savedName(m), "shape does not match the model");
                }
                dst.muli(0).addi(engineOwned(tmp, w.data(), dst.getShape(), dst.getDataType())); // exact copy
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        l.attach();
        return l;
    }

    static String pefName(String module, String which) {
        return "base_model.model." + module + ".lora_" + which + ".weight";
    }

    /** (in, out) of a linear module; GPT-2 Conv1D weights are stored (in, out), nn.Linear weights (out, in). */
    private static long[] inOut(HfModel lm, String module) {
        long[] s = lm.parameters().get(module + ".weight").getShape().getShape();
        return conv1d(lm) ? new long[] {s[0], s[1]} : new long[] {s[1], s[0]};
    }

    private static boolean conv1d(HfModel lm) {
        return lm.config().architecture().fanInFanOut();
    }

    private void put(String module, float[] a, float[] b, int in, int out, DataType type) {
        int r = config.rank();
        NDArray aa = engineOwned(manager, a, new Shape(r, in), type);
        NDArray bb = engineOwned(manager, b, new Shape(out, r), type);
        aa.setName(pefName(module, "A"));
        bb.setName(pefName(module, "B"));
        params.put(pefName(module, "A"), aa);
        params.put(pefName(module, "B"), bb);
        modules.add(module);
    }

    /** An array in engine-allocated memory (zeros + host values), never backed by a Java buffer. */
    static NDArray engineOwned(NDManager m, float[] data, Shape shape, DataType type) {
        NDArray out = m.zeros(shape, type);
        try (NDManager tmp = m.newSubManager()) {
            NDArray src = tmp.create(data, shape);
            out.addi(src.getDataType() == type ? src : src.toType(type, false));
        }
        return out;
    }

    private void attach() {
        double scale = config.scale();
        for (String module : modules) {
            NDArray a = params.get(pefName(module, "A")), b = params.get(pefName(module, "B"));
            long seedBase = module.hashCode();
            // a low-rank delta: the scripted decoding step merges W + s B A instead of calling apply (prefer-lm MergedWeights)
            model.setLinearDelta(module, new Transformer.LowRankDelta() {
                @Override
                public NDArray apply(NDArray x) {
                    NDArray in = x;
                    if (training && config.dropout() > 0) in = dropout(x, seedBase);
                    NDArray h = Linear.linear(in, a).singletonOrThrow(); // (…, r)
                    NDArray y = Linear.linear(h, b).singletonOrThrow();
                    return y.mul(dev.prefer.lm.Transformer.constant(y, scale)); // (…, out); not mul(Number): see Transformer.constant
                }

                @Override
                public NDArray a() {
                    return a;
                }

                @Override
                public NDArray b() {
                    return b;
                }

                @Override
                public double scale() {
                    return scale;
                }

                @Override
                public boolean linearNow() {
                    return !(training && config.dropout() > 0);
                }
            });
        }
    }

    /**
     * Inverted dropout with an engine-drawn mask: the engine's generator is re-seeded from (seed, step, micro-batch,
     * module) before each draw, so a resumed run draws the same masks. (A mask built from a host array here made
     * occasional backward passes read wrong values; drawing it inside the engine avoids host arrays mid-forward.)
     */
    private NDArray dropout(NDArray x, long seedBase) {
        dev.prefer.lm.Torch.init().setRandomSeed((int) (dropoutSeed.getAsLong() * 1_000_003L + seedBase));
        NDArray u = x.getManager().randomUniform(0f, 1f, x.getShape(), x.getDataType()); // (…, in)
        NDArray keep = u.gte(config.dropout()).toType(x.getDataType(), false);
        keep = keep.mul(dev.prefer.lm.Transformer.constant(keep, 1.0 / (1.0 - config.dropout())));
        return x.mul(keep);
    }

    /** Dropout on (training) or off (evaluation); {@code seed} gives this forward pass its masks. */
    public void setTraining(boolean on, LongSupplier seed) {
        this.training = on;
        this.dropoutSeed = seed;
    }

    /** The trainable parameters by PEFT name: A and B of every adapter, then the modules to save (the model's own arrays). */
    public Map<String, NDArray> parameters() {
        return params;
    }

    public void setTrainable(boolean on) {
        for (NDArray p : params.values()) p.setRequiresGradient(on);
    }

    public TrainConfig.LoraConfig config() {
        return config;
    }

    public List<String> modules() {
        return List.copyOf(modules);
    }

    /** Writes {@code adapter_config.json} and {@code adapter_model.safetensors} as PEFT does. */
    public void save(Path dir, Path baseModel) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("peft_type", "LORA");
        c.put("task_type", modulesToSave.isEmpty() ? "CAUSAL_LM" : "SEQ_CLS");
        c.put("base_model_name_or_path", baseModel == null ? null : baseModel.toString());
        c.put("r", config.rank());
        c.put("lora_alpha", config.alpha());
        c.put("lora_dropout", config.dropout());
        List<String> targets = new ArrayList<>();
        for (String m : modules) {
            String last = m.substring(m.lastIndexOf('.') + 1);
            if (!targets.contains(last)) targets.add(last);
        }
        c.put("target_modules", targets);
        c.put("bias", "none");
        c.put("fan_in_fan_out", model.config().architecture().fanInFanOut());
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.put("modules_to_save", modulesToSave.isEmpty() ? null : modulesToSave);
        AtomicFiles.writeString(dir.resolve("adapter_config.json"), Json.pretty(c) + "\n");
        SafeTensors.write(dir.resolve("adapter_model.safetensors"), toHost(), Map.of("format", "pt"), DType.F32);
    }

    /** Host float32 copies of the adapter tensors (and modules to save) by PEFT name. */
    public LinkedHashMap<String, HostTensor> toHost() {
        LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            float[] d = Checkpoints.floats(e.getValue());
            out.put(e.getKey(), new HostTensor(e.getKey(), DType.F32, e.getValue().getShape().getShape(), d));
        }
        return out;
    }

    /**
     * Merges the adapters into the base weights in place (W += s B A, or its transpose for Conv1D) and detaches
     * them: the model then computes base+adapter without the hook.
     */
    public void mergeInto(HfModel lm) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager s = manager.newSubManager()) {
            for (String module : modules) {
                NDArray a = params.get(pefName(module, "A")), b = params.get(pefName(module, "B"));
                NDArray delta = b.matMul(a); // (out, in)
                delta.attach(s);
                delta = delta.mul(dev.prefer.lm.Transformer.constant(delta, config.scale())); // not mul(Number): see constant()
                if (conv1d(lm)) delta = delta.transpose(1, 0);
                lm.parameters().get(module + ".weight").addi(delta);
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        lm.model().clearLinearDeltas();
    }

    /** Detaches the hooks without merging. */
    public void detach() {
        model.clearLinearDeltas();
    }

    /** Attaches the hooks again after {@link #detach} (the benchmarks' base-model reference pass). */
    void reattach() {
        attach();
    }

    @Override
    public void close() {
        model.clearLinearDeltas();
        manager.close();
    }
}
