package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import dev.prefer.data.DataException;
import dev.prefer.lm.io.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decoder backbone of every supported architecture as plain DJL NDArray code: parameters are NDArrays named by
 * their Hugging Face names (so gradients, saving and LoRA address them the way transformers does), and the forward
 * pass is a handful of fused engine ops per block — no per-token Java loops.
 *
 * <p>Shapes: B batch rows, T new positions, S = past + T key positions, D width, H query heads, K key/value heads,
 * E head width, F MLP width, V vocabulary.
 *
 * <p>Memory: every array made by a forward pass belongs to the caller's step manager (each op's result belongs to its
 * first operand's manager, so the step-scoped operand always comes first); parameters belong to this object's
 * manager and are freed by {@link #close()}.
 */
public final class Transformer implements AutoCloseable {

    /** Additive attention bias for masked keys: exp underflows to exactly 0, and a fully masked row stays finite. */
    static final float MASKED = -1e9f;

    private final ModelConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final LinkedHashMap<String, NDArray> params;
    private final String prefix;
    /** Optional additive deltas on named linear layers (LoRA); empty unless a trainer attaches some. */
    private final Map<String, LinearDelta> deltas = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * An additive term on a linear layer's output, y = x W^T + b + delta(x) (LoRA: delta(x) = s B A x, Hu et al.
     * 2021). {@code x} is the layer input (…, in); the result must be (…, out) and belong to x's manager.
     */
    @FunctionalInterface
    public interface LinearDelta {
        NDArray apply(NDArray x);
    }

    private Transformer(ModelConfig config, NDManager manager, DataType dtype, LinkedHashMap<String, NDArray> params) {
        this.config = config;
        this.manager = manager;
        this.dtype = dtype;
        this.params = params;
        this.prefix = config.architecture() == Architecture.GPT2 ? "transformer." : "model.";
    }

    /**
     * The Hugging Face names and shapes this config needs, in transformers' order. The LM head is listed only when
     * untied; the {@code score} head only for sequence classification.
     */
    public static LinkedHashMap<String, long[]> expectedShapes(ModelConfig c) {
        LinkedHashMap<String, long[]> m = new LinkedHashMap<>();
        long d = c.hiddenSize(), f = c.intermediateSize(), v = c.vocabSize();
        if (c.architecture() == Architecture.GPT2) {
            String p = "transformer.";
            m.put(p + "wte.weight", new long[] {v, d});
            m.put(p + "wpe.weight", new long[] {c.maxPositions(), d});
            for (int i = 0; i < c.numLayers(); i++) {
                String l = p + "h." + i + ".";
                m.put(l + "ln_1.weight", new long[] {d});
                m.put(l + "ln_1.bias", new long[] {d});
                m.put(l + "attn.c_attn.weight", new long[] {d, 3 * d});
                m.put(l + "attn.c_attn.bias", new long[] {3 * d});
                m.put(l + "attn.c_proj.weight", new long[] {d, d});
                m.put(l + "attn.c_proj.bias", new long[] {d});
                m.put(l + "ln_2.weight", new long[] {d});
                m.put(l + "ln_2.bias", new long[] {d});
                m.put(l + "mlp.c_fc.weight", new long[] {d, f});
                m.put(l + "mlp.c_fc.bias", new long[] {f});
                m.put(l + "mlp.c_proj.weight", new long[] {f, d});
                m.put(l + "mlp.c_proj.bias", new long[] {d});
            }
            m.put(p + "ln_f.weight", new long[] {d});
            m.put(p + "ln_f.bias", new long[] {d});
        } else {
            String p = "model.";
            long q = (long) c.numHeads() * c.headDim(), kv = (long) c.numKvHeads() * c.headDim();
            m.put(p + "embed_tokens.weight", new long[] {v, d});
            for (int i = 0; i < c.numLayers(); i++) {
                String l = p + "layers." + i + ".";
                m.put(l + "input_layernorm.weight", new long[] {d});
                m.put(l + "self_attn.q_proj.weight", new long[] {q, d});
                if (c.attentionBias()) m.put(l + "self_attn.q_proj.bias", new long[] {q});
                m.put(l + "self_attn.k_proj.weight", new long[] {kv, d});
                if (c.attentionBias()) m.put(l + "self_attn.k_proj.bias", new long[] {kv});
                m.put(l + "self_attn.v_proj.weight", new long[] {kv, d});
                if (c.attentionBias()) m.put(l + "self_attn.v_proj.bias", new long[] {kv});
                m.put(l + "self_attn.o_proj.weight", new long[] {d, q});
                if (c.outputBias()) m.put(l + "self_attn.o_proj.bias", new long[] {d});
                m.put(l + "post_attention_layernorm.weight", new long[] {d});
                m.put(l + "mlp.gate_proj.weight", new long[] {f, d});
                if (c.mlpBias()) m.put(l + "mlp.gate_proj.bias", new long[] {f});
                m.put(l + "mlp.up_proj.weight", new long[] {f, d});
                if (c.mlpBias()) m.put(l + "mlp.up_proj.bias", new long[] {f});
                m.put(l + "mlp.down_proj.weight", new long[] {d, f});
                if (c.mlpBias()) m.put(l + "mlp.down_proj.bias", new long[] {d});
            }
            m.put(p + "norm.weight", new long[] {d});
        }
        if (c.head() == ModelConfig.Head.SEQUENCE_CLASSIFICATION) {
            m.put("score.weight", new long[] {c.numLabels(), d});
        } else if (!c.tieWordEmbeddings()) {
            m.put("lm_head.weight", new long[] {v, d});
        }
        return m;
    }

    /** Maps a stored name to its canonical Hugging Face name; null for buffers transformers does not load. */
    static String canonicalName(ModelConfig c, String name) {
        if (c.architecture() == Architecture.GPT2) {
            if (name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias")) return null;
            if (name.equals("lm_head.weight") || name.equals("score.weight") || name.startsWith("transformer.")) return name;
            return "transformer." + name;
        }
        if (name.endsWith("rotary_emb.inv_freq")) return null;
        return name;
    }

    /**
     * Builds the backbone from host tensors (already read from safetensors), checking that every tensor is present
     * with the right shape. {@code dtype} is FLOAT32 or FLOAT64 (the double-precision twin).
     */
    public static Transformer fromTensors(ModelConfig config, Map<String, HostTensor> tensors, DataType dtype, Path source) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT64) {
            throw new IllegalArgumentException("compute dtype must be float32 or float64, got " + dtype);
        }
        LinkedHashMap<String, long[]> expected = expectedShapes(config);
        Map<String, HostTensor> byName = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            String n = canonicalName(config, e.getKey());
            if (n == null) continue;
            if (!expected.containsKey(n)) {
                if (n.equals("lm_head.weight") && config.tieWordEmbeddings()) continue; // tied: transformers ignores it
                if (n.equals("lm_head.weight") && config.head() == ModelConfig.Head.SEQUENCE_CLASSIFICATION) continue;
                throw new DataException(source, 0, e.getKey(), "unexpected tensor for " + config.architecture().className(config.head()));
            }
            byName.put(n, e.getValue());
        }
        Torch.init();
        NDManager manager = Torch.newManager();
        LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                HostTensor t = byName.get(e.getKey());
                if (t == null) throw new DataException(source, 0, e.getKey(), "missing tensor (expected shape " + Arrays.toString(e.getValue()) + ")");
                if (!Arrays.equals(t.shape(), e.getValue())) {
                    throw new DataException(source, 0, e.getKey(), "shape " + Arrays.toString(t.shape()) + " does not match config " + Arrays.toString(e.getValue()));
                }
                NDArray a = manager.create(t.data(), new Shape(t.shape()));
                if (dtype == DataType.FLOAT64) {
                    NDArray w = a.toType(DataType.FLOAT64, true);
                    a.close();
                    a = w;
                }
                a.setName(e.getKey());
                params.put(e.getKey(), a);
            }
        } catch (RuntimeException ex) {
            manager.close();
            throw ex;
        }
        return new Transformer(config, manager, dtype, params);
    }

    public ModelConfig config() {
        return config;
    }

    public DataType dtype() {
        return dtype;
    }

    /**
     * The parameter manager: parameters and nothing else live here. Open each step's arrays in
     * {@code manager().newSubManager()} and close it after the step.
     */
    public NDManager manager() {
        return manager;
    }

    /** Parameters by Hugging Face name, in transformers' order (read-only view; the arrays are live). */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /** Number of scalar parameters. */
    public long parameterCount() {
        long n = 0;
        for (NDArray a : params.values()) n += a.size();
        return n;
    }

    NDArray p(String name) {
        NDArray a = params.get(name);
        if (a == null) throw new IllegalStateException("no parameter " + name);
        return a;
    }

    /** The matrix the LM head multiplies by (V, D): the token embedding when tied. */
    NDArray outputEmbedding() {
        return config.tieWordEmbeddings() ? p(prefix + (config.architecture() == Architecture.GPT2 ? "wte.weight" : "embed_tokens.weight")) : p("lm_head.weight");
    }

    /** Key/value cache for incremental decoding; arrays live in the cache's own manager. */
    public static final class KvCache implements AutoCloseable {
        final NDManager manager;
        final NDArray[] keys;   // per layer (B, K, S, E)
        final NDArray[] values; // per layer (B, K, S, E)
        int length;

        KvCache(NDManager parent, int layers) {
            this.manager = parent.newSubManager();
            this.keys = new NDArray[layers];
            this.values = new NDArray[layers];
        }

        /** Appends this step's keys/values for one layer and returns the full (B, K, S, E) pair. */
        NDArray[] append(int layer, NDArray k, NDArray v) {
            NDArray ok = keys[layer], ov = values[layer];
            if (ok == null) {
                keys[layer] = k.duplicate();
                values[layer] = v.duplicate();
                keys[layer].attach(manager);
                values[layer].attach(manager);
            } else {
                keys[layer] = ok.concat(k, 2);
                values[layer] = ov.concat(v, 2);
                ok.close();
                ov.close();
            }
            return new NDArray[] {keys[layer], values[layer]};
        }

        /** Cached key positions S so far. */
        public int length() {
            return length;
        }

        /**
         * Keeps, reorders or repeats batch rows: row r afterwards is row {@code rows[r]} before (finished rows leave
         * the batch; a prompt's cache is repeated for several samples). The length S is unchanged.
         *
         * @param rows int64 (R) indices into the current batch
         */
        public void selectRows(NDArray rows) {
            for (int l = 0; l < keys.length; l++) {
                if (keys[l] == null) continue;
                NDArray k = keys[l].get(rows), v = values[l].get(rows); // (R, K, S, E)
                k.attach(manager);
                v.attach(manager);
                keys[l].close();
                values[l].close();
                keys[l] = k;
                values[l] = v;
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** A fresh cache for {@link #forward}. */
    public KvCache newCache(NDManager parent) {
        return new KvCache(parent, config.numLayers());
    }


    /**
     * Final hidden states (after the last norm).
     *
     * @param step      manager that owns every intermediate and the result
     * @param ids       token ids, row-major (B*T)
     * @param positions position of each token (B*T); pads may use any valid position
     * @param keyValid  which key slots (B*S, S = cache length + T) may be attended to; causality is added here
     * @param batch     B
     * @param cache     null for a single full pass; else keys/values are appended and reused
     * @return (B, T, D)
     */
    public NDArray forward(NDManager step, long[] ids, long[] positions, boolean[] keyValid, int batch, KvCache cache) {
        return forward(step, ids, positions, keyValid, batch, cache, 0);
    }

    /**
     * As {@link #forward(NDManager, long[], long[], boolean[], int, KvCache)}, returning only the final hidden states of
     * the new positions {@code from..T-1}: the last block computes its queries, attention output, MLP and the final
     * norm only there (its keys and values still cover every position, and go into the cache). For callers that read
     * the states of late positions only (response log-probs read those predicting a response token).
     *
     * @return (B, T − from, D)
     */
    public NDArray forward(NDManager step, long[] ids, long[] positions, boolean[] keyValid, int batch, KvCache cache, int from) {
        int b = batch;
        int t = ids.length / b;
        int past = cache == null ? 0 : cache.length;
        int s = past + t;
        if (keyValid.length != (long) b * s) throw new IllegalArgumentException("keyValid must have B*S entries");
        checkIds(ids, positions);
        return forwardWithBias(step, ids, positions, attentionBias(step, keyValid, b, t, past), b, t, cache, from);
    }

    /**
     * Final hidden states of packed rows in which several continuations share one prefix, in a single pass (the
     * "prefix sharing" of Wang and Hegde 2024, arXiv:2410.20305): a row holds a prompt once, then each continuation
     * after it (e.g. chosen then rejected), and a position attends causally to the prompt and to the earlier
     * positions of its own continuation only. With each continuation's positions restarting where the prompt ends,
     * every continuation sees exactly the keys, values and positions of its own unpacked sequence, so the numbers are
     * those of the unshared pass up to float rounding (attention adds exact zeros for the other continuations' keys).
     *
     * @param segments  per slot (B*T): 0 = the shared prompt, c >= 1 = continuation c, -1 = padding (never attended)
     * @param positions per slot (B*T): the position within its own unpacked sequence
     * @param from      as in {@link #forward(NDManager, long[], long[], boolean[], int, KvCache, int)}
     * @return (B, T − from, D)
     */
    public NDArray forwardPacked(NDManager step, long[] ids, long[] positions, int[] segments, int batch, int from) {
        int b = batch;
        int t = ids.length / b;
        if (segments.length != ids.length || positions.length != ids.length) {
            throw new IllegalArgumentException("ids, positions and segments must have B*T entries");
        }
        checkIds(ids, positions);
        return forwardWithBias(step, ids, positions, packedBias(step, segments, b, t), b, t, null, from);
    }

    private void checkIds(long[] ids, long[] positions) {
        for (long pos : positions) {
            if (pos < 0 || pos >= config.maxPositions()) {
                throw new IllegalArgumentException("sequence longer than the model's " + config.maxPositions() + " positions");
            }
        }
        for (long id : ids) if (id < 0 || id >= config.vocabSize()) throw new IllegalArgumentException("token id out of range: " + id);
    }

    private NDArray forwardWithBias(NDManager step, long[] ids, long[] positions, NDArray bias, int b, int t, KvCache cache, int from) {
        int s = (cache == null ? 0 : cache.length) + t;
        NDArray idArr = engineOwned(step.create(ids, new Shape(b, t))); // (B, T)
        NDArray x;
        NDArray[] rope = null;
        if (config.architecture() == Architecture.GPT2) {
            NDArray posArr = engineOwned(step.create(positions, new Shape(b, t)));
            x = embed(idArr, p(prefix + "wte.weight")).add(embed(posArr, p(prefix + "wpe.weight"))); // (B, T, D)
        } else {
            x = paddingIdx(step, ids, b, t, embed(idArr, p(prefix + "embed_tokens.weight"))); // (B, T, D)
            rope = rotary(step, positions, b, t);
        }
        if (from < 0 || from >= t) throw new IllegalArgumentException("from must be in [0, T), got " + from);
        for (int i = 0; i < config.numLayers(); i++) {
            int f = i == config.numLayers() - 1 ? from : 0;
            x = config.architecture() == Architecture.GPT2 ? gpt2Block(i, x, bias, cache, f) : llamaBlock(i, x, bias, rope, cache, f);
        }
        if (cache != null) cache.length = s;
        if (config.architecture() == Architecture.GPT2) {
            return layerNorm(x, prefix + "ln_f");
        }
        return rmsNorm(x, p(prefix + "norm.weight"));
    }

    /** Logits (…, V) of hidden states (…, D) through the LM head. */
    public NDArray logits(NDArray hidden) {
        return Linear.linear(hidden, outputEmbedding()).singletonOrThrow();
    }

    /** Scores (…, numLabels) of hidden states (…, D) through the {@code score} head (no bias, as in transformers). */
    public NDArray score(NDArray hidden) {
        return Linear.linear(hidden, p("score.weight")).singletonOrThrow();
    }

    /**
     * transformers builds the Llama-family embedding as {@code nn.Embedding(vocab, d, padding_idx=pad_token_id)}:
     * the lookup is ordinary, but the pad row never receives a gradient. When the batch holds the pad id (e.g. an eos
     * that equals pad, read by a reward model's score head) and gradients are recorded, its embeddings are passed on
     * as x·keep + stopGradient(x)·(1 − keep), keep = 0 at pad ids: the same values, no gradient into that row.
     * (GPT-2's {@code wte} has no padding_idx.)
     */
    private NDArray paddingIdx(NDManager step, long[] ids, int b, int t, NDArray x) {
        int pad = config.padTokenId();
        if (pad < 0 || !ai.djl.pytorch.jni.JniUtils.isGradMode()) return x;
        float[] keep = null;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != pad) continue;
            if (keep == null) {
                keep = new float[ids.length];
                java.util.Arrays.fill(keep, 1f);
            }
            keep[i] = 0f;
        }
        if (keep == null) return x;
        NDArray k = engineOwned(step.create(keep, new Shape(b, t, 1))).toType(x.getDataType(), false); // (B, T, 1)
        return x.mul(k).add(x.stopGradient().mul(k.neg().add(1))); // (B, T, D)
    }

    private NDArray embed(NDArray ids, NDArray weight) {
        return Embedding.embedding(ids, weight, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Causal + key-padding mask as an additive bias: 0 where allowed, {@link #MASKED} elsewhere; (1, 1, T, S) when
     * every key slot is valid, else (B, 1, T, S). Built on the engine as the minimum of a causal (1, 1, T, S) and a
     * key-padding (B, 1, 1, S) table (the same numbers as one host-built (B, 1, T, S) table, which took milliseconds
     * of Java per forward pass at B 16, T 128).
     */
    private NDArray attentionBias(NDManager step, boolean[] keyValid, int b, int t, int past) {
        int s = past + t;
        float[] causal = new float[t * s];
        for (int q = 0; q < t; q++) {
            // a query sees keys 0..past+q
            java.util.Arrays.fill(causal, q * s + past + q + 1, (q + 1) * s, MASKED);
        }
        float[] pad = null;
        for (int i = 0; i < keyValid.length; i++) {
            if (keyValid[i]) continue;
            if (pad == null) pad = new float[b * s];
            pad[i] = MASKED;
        }
        NDArray a = engineOwned(step.create(causal, new Shape(1, 1, t, s)));
        if (pad != null) a = a.minimum(engineOwned(step.create(pad, new Shape(b, 1, 1, s)))); // (B, 1, T, S)
        return dtype == DataType.FLOAT32 ? a : a.toType(dtype, false);
    }

    /**
     * The additive bias of {@link #forwardPacked}: key k is open to query q when k <= q and k's segment is the prompt
     * (0) or q's own continuation; (B, 1, T, T), built on the engine from the (B, T) segment ids and one causal table.
     */
    private NDArray packedBias(NDManager step, int[] segments, int b, int t) {
        float[] seg = new float[segments.length];
        for (int i = 0; i < seg.length; i++) seg[i] = segments[i];
        float[] causal = new float[t * t];
        for (int q = 0; q < t; q++) java.util.Arrays.fill(causal, q * t + q + 1, (q + 1) * t, MASKED);
        NDArray sg = engineOwned(step.create(seg, new Shape(b, 1, 1, t)));
        NDArray open = sg.eq(sg.reshape(b, 1, t, 1)).logicalOr(sg.eq(constant(sg, 0.0))); // (B, 1, T, T)
        NDArray a = open.toType(DataType.FLOAT32, false).sub(constant(sg, 1.0)).mul(constant(sg, -MASKED)); // 0 or MASKED
        a = a.minimum(engineOwned(step.create(causal, new Shape(1, 1, t, t))));
        return dtype == DataType.FLOAT32 ? a : a.toType(dtype, false);
    }

    /**
     * Rotary tables cos, sin (B, 1, T, E) for the given positions, laid out as transformers' {@code rotate_half}
     * expects ({@code [freqs, freqs]}). In float32 the angle is computed as transformers does (float32
     * inv_freq times float32 position); the float64 twin computes everything in double.
     */
    private NDArray[] rotary(NDManager step, long[] positions, int b, int t) {
        int e = config.headDim();
        int half = e / 2;
        double theta = config.ropeTheta();
        int n = positions.length;
        if (dtype == DataType.FLOAT64) {
            double[] cos = new double[n * e], sin = new double[n * e];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < half; j++) {
                    double invFreq = 1.0 / Math.pow(theta, (2.0 * j) / e);
                    double ang = positions[i] * invFreq;
                    cos[i * e + j] = cos[i * e + j + half] = Math.cos(ang);
                    sin[i * e + j] = sin[i * e + j + half] = Math.sin(ang);
                }
            }
            return new NDArray[] {engineOwned(step.create(cos, new Shape(b, 1, t, e))), engineOwned(step.create(sin, new Shape(b, 1, t, e)))};
        }
        float[] invFreq = new float[half];
        for (int j = 0; j < half; j++) {
            float expo = (float) (2 * j) / (float) e;
            invFreq[j] = (float) (1.0 / (float) Math.pow(theta, expo));
        }
        float[] cos = new float[n * e], sin = new float[n * e];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < half; j++) {
                float ang = (float) positions[i] * invFreq[j];
                cos[i * e + j] = cos[i * e + j + half] = (float) Math.cos(ang);
                sin[i * e + j] = sin[i * e + j + half] = (float) Math.sin(ang);
            }
        }
        // (B, T, E) -> (B, 1, T, E) to broadcast over heads
        return new NDArray[] {engineOwned(step.create(cos, new Shape(b, 1, t, e))), engineOwned(step.create(sin, new Shape(b, 1, t, e)))};
    }

    /** x * cos + rotate_half(x) * sin, with rotate_half(x) = [-x2, x1]. x: (B, heads, T, E) */
    private static NDArray applyRotary(NDArray x, NDArray cos, NDArray sin) {
        long e = x.getShape().get(3);
        NDList halves = x.split(new long[] {e / 2}, 3);
        NDArray rot = halves.get(1).neg().concat(halves.get(0), 3);
        return x.mul(cos).add(rot.mul(sin));
    }

    private NDArray layerNorm(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), p(name + ".weight"), p(name + ".bias"), (float) config.normEps())
                .singletonOrThrow();
    }

    /** RMSNorm (Zhang and Sennrich 2019): w * x / sqrt(mean(x^2) + eps), as transformers' LlamaRMSNorm. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray variance = x.square().mean(new int[] {-1}, true); // (B, T, 1)
        return x.mul(variance.add(constant(x, config.normEps())).pow(constant(x, -0.5))).mul(weight);
    }

    private NDArray activation(NDArray x) {
        switch (config.activation()) {
            case "gelu_new":
            case "gelu_pytorch_tanh": {
                if (FusedOps.applies(x)) return FusedOps.geluTanh(x);
                // 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3) (Hendrycks and Gimpel 2016, tanh form),
                // written as x * sigmoid(2u) (identical: 0.5 (1 + tanh u) = sigmoid(2u)) to save two passes.
                NDArray twoU = x.square().mul(constant(x, 0.044715)).add(constant(x, 1.0)).mul(x).mul(constant(x, 2.0 * Math.sqrt(2.0 / Math.PI)));
                return x.mul(ai.djl.nn.Activation.sigmoid(twoU));
            }
            case "gelu":
                return ai.djl.nn.Activation.gelu(x);
            case "silu":
            case "swish":
                return x.mul(ai.djl.nn.Activation.sigmoid(x));
            case "relu":
                return ai.djl.nn.Activation.relu(x);
            default:
                throw new IllegalStateException("unsupported activation " + config.activation());
        }
    }

    private NDArray linear(NDArray x, String name, boolean bias) {
        NDArray y = bias ? Linear.linear(x, p(name + ".weight"), p(name + ".bias")).singletonOrThrow()
                : Linear.linear(x, p(name + ".weight")).singletonOrThrow();
        return withDelta(y, x, name);
    }

    /**
     * GPT-2 Conv1D: x W + b with W stored (in, out), as one fused linear over a transposed view of W (no copy; the
     * view is attached to x's step manager so the parameter manager never grows).
     */
    private NDArray conv1d(NDArray x, String name) {
        NDArray wt = p(name + ".weight").transpose(1, 0); // (out, in) view
        wt.attach(x.getManager());
        return withDelta(Linear.linear(x, wt, p(name + ".bias")).singletonOrThrow(), x, name);
    }

    /**
     * The queries, bias rows and residual stream of positions {@code from..T-1} only (views; {@code from} 0: all).
     * q: (B, H, T, E), bias (B or 1, 1, T, S), x (B, T, D).
     */
    private static NDArray[] fromPosition(int from, NDArray q, NDArray bias, NDArray x) {
        if (from == 0) return new NDArray[] {q, bias, x};
        return new NDArray[] {q.get(new NDIndex(":, :, {}:", from)), bias.get(new NDIndex(":, :, {}:", from)), x.get(new NDIndex(":, {}:", from))};
    }

    private NDArray gpt2Block(int i, NDArray x, NDArray bias, KvCache cache, int from) {
        String l = prefix + "h." + i + ".";
        long b = x.getShape().get(0), t = x.getShape().get(1);
        int h = config.numHeads(), e = config.headDim();
        NDArray qkv = conv1d(layerNorm(x, l + "ln_1"), l + "attn.c_attn"); // (B, T, 3D)
        NDList parts = qkv.split(3, 2);
        NDArray q = heads(parts.get(0), b, t, h, e); // (B, H, T, E)
        NDArray k = heads(parts.get(1), b, t, h, e);
        NDArray v = heads(parts.get(2), b, t, h, e);
        NDArray[] sel = fromPosition(from, q, bias, x);
        q = sel[0];
        bias = sel[1];
        x = sel[2];
        NDArray attn = attention(i, q, k, v, bias, cache); // (B, T - from, D)
        x = x.add(conv1d(attn, l + "attn.c_proj"));
        NDArray m = conv1d(activation(conv1d(layerNorm(x, l + "ln_2"), l + "mlp.c_fc")), l + "mlp.c_proj");
        return x.add(m);
    }

    private NDArray llamaBlock(int i, NDArray x, NDArray bias, NDArray[] rope, KvCache cache, int from) {
        String l = prefix + "layers." + i + ".";
        long b = x.getShape().get(0), t = x.getShape().get(1);
        int e = config.headDim();
        NDArray hn = rmsNorm(x, p(l + "input_layernorm.weight")); // (B, T, D)
        NDArray q = heads(linear(hn, l + "self_attn.q_proj", config.attentionBias()), b, t, config.numHeads(), e);
        NDArray k = heads(linear(hn, l + "self_attn.k_proj", config.attentionBias()), b, t, config.numKvHeads(), e);
        NDArray v = heads(linear(hn, l + "self_attn.v_proj", config.attentionBias()), b, t, config.numKvHeads(), e);
        q = applyRotary(q, rope[0], rope[1]);
        k = applyRotary(k, rope[0], rope[1]);
        NDArray[] sel = fromPosition(from, q, bias, x);
        q = sel[0];
        bias = sel[1];
        x = sel[2];
        NDArray attn = attention(i, q, k, v, bias, cache); // (B, T - from, H*E)
        x = x.add(linear(attn, l + "self_attn.o_proj", config.outputBias()));
        NDArray hn2 = rmsNorm(x, p(l + "post_attention_layernorm.weight"));
        NDArray gate = activation(linear(hn2, l + "mlp.gate_proj", config.mlpBias())); // (B, T, F)
        NDArray up = linear(hn2, l + "mlp.up_proj", config.mlpBias());
        return x.add(linear(gate.mul(up), l + "mlp.down_proj", config.mlpBias()));
    }

    /** (B, T, heads*E) -> (B, heads, T, E) */
    private static NDArray heads(NDArray x, long b, long t, int heads, int e) {
        return x.reshape(b, t, heads, e).transpose(0, 2, 1, 3);
    }

    /**
     * softmax(q k^T / sqrt(E) + bias) v with grouped-query sharing: query head h reads key/value head h / (H/K),
     * done by folding the group into the query length so keys and values are never copied.
     *
     * @param q (B, H, T, E); k, v: (B, K, T, E)
     * @return (B, T, H*E)
     */
    private NDArray attention(int layer, NDArray q, NDArray k, NDArray v, NDArray bias, KvCache cache) {
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        long b = q.getShape().get(0), h = q.getShape().get(1), t = q.getShape().get(2), e = q.getShape().get(3);
        long kh = k.getShape().get(1), s = k.getShape().get(2);
        long g = h / kh;
        double scale = 1.0 / Math.sqrt(e);
        if (FusedOps.appliesToAttention(q, t, s)) return FusedOps.attention(q, k, v, bias, scale).transpose(0, 2, 1, 3).reshape(b, t, h * e);
        // Scaling q instead of the scores is bit-identical when the scale is a power of two (E = 4^k: 16, 64, 256)
        // and otherwise differs by one rounding; it touches T*E numbers instead of T*S.
        NDArray qs = isPowerOfTwo(scale) ? q.mul(constant(q, scale)) : q;
        NDArray qg = g == 1 ? qs : qs.reshape(b, kh, g * t, e); // (B, K, G*T, E)
        NDArray scores = qg.matMul(k.transpose(0, 1, 3, 2)); // (B, K, G*T, S)
        if (g != 1) scores = scores.reshape(b, h, t, s); // (B, H, T, S)
        if (!isPowerOfTwo(scale)) scores = scores.mul(constant(scores, scale));
        scores = scores.add(bias);
        NDArray probs = scores.softmax(-1);
        if (g != 1) probs = probs.reshape(b, kh, g * t, s);
        NDArray out = probs.matMul(v); // (B, K, G*T, E)
        return out.reshape(b, h, t, e).transpose(0, 2, 1, 3).reshape(b, t, h * e);
    }

    /**
     * A 0-dim constant of {@code like}'s dtype in engine memory, owned by {@code like}'s (step) manager. Use it instead of
     * DJL's {@code x.mul(Number)} (and add/pow/div with a Number) wherever autograd may run: DJL builds that scalar
     * over a Java buffer and closes it right after the op, but autograd keeps the scalar for the backward pass (the
     * gradient of x·c is grad·c), which then reads freed memory once the buffer is collected — wrong gradients
     * with a correct loss, depending on garbage-collection timing (reproduced: 0 or 555 instead of 3 for d(3x)/dx).
     */
    public static NDArray constant(NDArray like, double value) {
        NDManager m = like.getManager();
        if (like.getDataType() == DataType.FLOAT32) return m.full(new Shape(), (float) value, DataType.FLOAT32);
        NDArray host = m.create(value);
        try {
            NDArray c = host.duplicate();
            return c.getDataType() == like.getDataType() ? c : c.toType(like.getDataType(), false);
        } finally {
            host.close();
        }
    }

    private static boolean isPowerOfTwo(double x) {
        return x > 0 && Math.getExponent(x) > Double.MIN_EXPONENT && x == Math.scalb(1.0, Math.getExponent(x));
    }

    /** Host copy of every parameter as float32, by Hugging Face name. */
    public LinkedHashMap<String, HostTensor> toHost() {
        LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray a = e.getValue();
            float[] data;
            if (a.getDataType() == DataType.FLOAT32) {
                data = a.toFloatArray();
            } else {
                try (NDArray f = a.toType(DataType.FLOAT32, true)) {
                    data = f.toFloatArray();
                }
            }
            out.put(e.getKey(), new HostTensor(e.getKey(), dev.prefer.lm.io.DType.F32, a.getShape().getShape(), data));
        }
        return out;
    }

    /** Marks every parameter as trainable (gradients collected) or frozen. */
    public void setTrainable(boolean trainable) {
        for (NDArray a : params.values()) a.setRequiresGradient(trainable);
    }

    /**
     * Gradients of the trainable parameters after a backward pass, by Hugging Face name, attached to {@code scope}
     * (so that reading them never grows the parameter manager).
     */
    public LinkedHashMap<String, NDArray> gradients(NDManager scope) {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            if (!e.getValue().hasGradient()) continue;
            NDArray g = e.getValue().getGradient();
            g.attach(scope);
            out.put(e.getKey(), g);
        }
        return out;
    }

    /** Sets every parameter gradient to zero (DJL's PyTorch engine accumulates them across backward passes). */
    public void zeroGradients() {
        for (NDArray a : params.values()) {
            if (!a.hasGradient()) continue;
            try (NDArray g = a.getGradient()) {
                g.muli(0);
            }
        }
    }

    /**
     * Attaches (or with null removes) an additive delta to the linear layer {@code module}, named as transformers
     * names the module (e.g. {@code model.layers.0.self_attn.q_proj}, {@code transformer.h.0.attn.c_attn}).
     */
    public void setLinearDelta(String module, LinearDelta delta) {
        if (!params.containsKey(module + ".weight") || params.get(module + ".weight").getShape().dimension() != 2
                || module.endsWith("embed_tokens") || module.endsWith("wte") || module.endsWith("wpe")) {
            throw new IllegalArgumentException("no linear layer named " + module);
        }
        if (delta == null) deltas.remove(module);
        else deltas.put(module, delta);
    }

    /** Whether any linear delta (LoRA) is attached. */
    boolean hasLinearDeltas() {
        return !deltas.isEmpty();
    }

    /** Removes every attached delta. */
    public void clearLinearDeltas() {
        deltas.clear();
    }

    private NDArray withDelta(NDArray y, NDArray x, String module) {
        LinearDelta d = deltas.isEmpty() ? null : deltas.get(module);
        return d == null ? y : y.add(d.apply(x));
    }

    /**
     * A copy of a host-made array in engine-allocated memory (same manager). Arrays made from Java buffers wrap that
     * buffer's memory; autograd keeps some of them (indices, masks) for the backward pass, and gradients were seen to
     * read garbage in rare runs until such inputs were copied (the objectives' TensorBatch does the same).
     */
    public static NDArray engineOwned(NDArray hostMade) {
        return hostMade.duplicate();
    }

    /** Names of parameters in order. */
    public List<String> parameterNames() {
        return new ArrayList<>(params.keySet());
    }

    @Override
    public void close() {
        manager.close();
    }
}
