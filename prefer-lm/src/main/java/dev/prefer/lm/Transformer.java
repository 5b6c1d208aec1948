package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
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
 * pass is a handful of fused engine ops per block — no per-token Java loops. The family ({@link Architecture}'s
 * {@link Family}: weight layout and block over the shared {@link Layers} and {@link Rotary}) decides what a block does;
 * this class owns parameters, masks, the KV cache, LoRA deltas, mixed precision and the heads.
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
    private final Family family;
    private dev.prefer.lm.io.DType sourceType = dev.prefer.lm.io.DType.F32;
    private volatile DataType computeType;
    /** Per-pass casts of the float32 masters (mixed precision), by name; null outside a pass or when off. */
    private final ThreadLocal<Map<String, NDArray>> casts = new ThreadLocal<>();
    /** Optional additive deltas on named linear layers (LoRA); empty unless a trainer attaches some. */
    private final Map<String, LinearDelta> deltas = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean gradientCheckpointing;
    /** The parameters stored in bfloat16 ({@link Precision#BF16}: every 2-D weight), by identity; see {@link Bf16}. */
    private final java.util.Set<NDArray> bf16 = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** Mixed precision in bfloat16: float32 masters, every linear product (and the LM head) a bfloat16 product. */
    private volatile boolean bf16Compute;

    /**
     * An additive term on a linear layer's output, y = x W^T + b + delta(x) (LoRA: delta(x) = s B A x, Hu et al.
     * 2021). {@code x} is the layer input (…, in); the result must be (…, out) and belong to x's manager.
     */
    @FunctionalInterface
    public interface LinearDelta {
        NDArray apply(NDArray x);
    }

    /**
     * A low-rank delta, delta(x) = s·(x A^T) B^T (LoRA), whose factors the scripted decoding step can merge into a copy
     * of the layer's weight (W + s·B·A, or its transpose for GPT-2's Conv1D: {@link MergedWeights}) instead of
     * calling {@link #apply} per product. A is (r, in), B is (out, r), as PEFT stores them.
     */
    public interface LowRankDelta extends LinearDelta {
        /** (r, in). */
        NDArray a();

        /** (out, r). */
        NDArray b();

        /** s (LoRA: alpha / r). */
        double scale();

        /** Whether {@link #apply} is exactly s·(x A^T) B^T now (false while dropout is applied to x). */
        boolean linearNow();
    }

    private Transformer(ModelConfig config, NDManager manager, DataType dtype, LinkedHashMap<String, NDArray> params) {
        this.config = config;
        this.manager = manager;
        this.dtype = dtype;
        this.params = params;
        this.family = config.architecture().family();
    }

    /**
     * The Hugging Face names and shapes this config needs, in transformers' order. The LM head is listed only when
     * untied; the {@code score} head only for sequence classification.
     */
    public static LinkedHashMap<String, long[]> expectedShapes(ModelConfig c) {
        LinkedHashMap<String, long[]> m = new LinkedHashMap<>();
        long d = c.hiddenSize(), v = c.vocabSize();
        c.architecture().family().backboneShapes(c, m);
        if (c.head() == ModelConfig.Head.SEQUENCE_CLASSIFICATION) {
            m.put("score.weight", new long[] {c.numLabels(), d});
        } else if (!c.tieWordEmbeddings()) {
            m.put("lm_head.weight", new long[] {v, d});
        }
        return m;
    }

    /** Maps a stored name to its canonical Hugging Face name; null for buffers transformers does not load. */
    static String canonicalName(ModelConfig c, String name) {
        return c.architecture().family().canonicalName(c, name);
    }

    /**
     * Builds the backbone from host tensors (already read from safetensors), checking that every tensor is present
     * with the right shape. {@code dtype} is FLOAT32, FLOAT64 (the double-precision twin), FLOAT16 or BFLOAT16 (every 2-D
     * weight stored in bfloat16 through {@link Bf16}, the rest float32; the model then computes in float32 with bfloat16
     * products, and {@link #dtype()} is FLOAT32). {@code tensors} is read by key, one tensor at a time, in the order of
     * {@link #expectedShapes}.
     */
    public static Transformer fromTensors(ModelConfig config, Map<String, HostTensor> tensors, DataType dtype, Path source) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT64 && dtype != DataType.FLOAT16 && dtype != DataType.BFLOAT16) {
            throw new IllegalArgumentException("compute dtype must be float32, float64, float16 or bfloat16, got " + dtype);
        }
        boolean bf16 = dtype == DataType.BFLOAT16;
        if (bf16) dtype = DataType.FLOAT32;
        LinkedHashMap<String, long[]> expected = expectedShapes(config);
        // canonical name -> stored key; values are read one at a time below (a lazily made map never holds them all)
        Map<String, String> keyOf = new LinkedHashMap<>();
        for (String key : tensors.keySet()) {
            String n = canonicalName(config, key);
            if (n == null) continue;
            if (!expected.containsKey(n)) {
                if (n.equals("lm_head.weight") && config.tieWordEmbeddings()) continue; // tied: transformers ignores it
                if (n.equals("lm_head.weight") && config.head() == ModelConfig.Head.SEQUENCE_CLASSIFICATION) continue;
                throw new DataException(source, 0, key, "unexpected tensor for " + config.architecture().className(config.head()));
            }
            keyOf.put(n, key);
        }
        Torch.init();
        NDManager manager = Torch.newManager();
        LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
        java.util.Set<NDArray> halves = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        dev.prefer.lm.io.DType stored = null;
        try {
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                String key = keyOf.get(e.getKey());
                HostTensor t = key == null ? null : tensors.get(key);
                if (t == null) throw new DataException(source, 0, e.getKey(), "missing tensor (expected shape " + Arrays.toString(e.getValue()) + ")");
                if (!Arrays.equals(t.shape(), e.getValue())) {
                    throw new DataException(source, 0, e.getKey(), "shape " + Arrays.toString(t.shape()) + " does not match config " + Arrays.toString(e.getValue()));
                }
                NDArray a = manager.create(t.data(), new Shape(t.shape()));
                if (dtype != DataType.FLOAT32) {
                    NDArray w = a.toType(dtype, true);
                    a.close();
                    a = w;
                } else if (bf16 && t.shape().length == 2 && !e.getKey().equals("score.weight")) { // a reward head may train
                    NDArray w = Bf16.fromFloat(a);
                    a.close();
                    a = w;
                    halves.add(a);
                }
                a.setName(e.getKey());
                params.put(e.getKey(), a);
                if (stored == null) stored = t.storedAs();
            }
        } catch (RuntimeException ex) {
            manager.close();
            throw ex;
        }
        Transformer m = new Transformer(config, manager, dtype, params);
        m.bf16.addAll(halves);
        if (stored != null) m.sourceType = stored;
        return m;
    }

    /** The dtype the checkpoint stored its weights in (F32 for random weights); saving writes it back so. */
    public dev.prefer.lm.io.DType sourceType() {
        return sourceType;
    }

    /**
     * Mixed precision: compute the forward pass in {@code compute} (float16) while the parameters stay float32
     * master weights: each parameter is cast on use (once per pass) inside the autograd graph, so gradients and
     * optimizer state stay float32 (what {@code torch.autocast} does for matmuls). Norms, softmax and the logits are
     * taken in float32; LoRA deltas run in float32 on an upcast input. {@code null} or the parameter dtype: off.
     */
    public void setComputeType(DataType compute) {
        if (compute == DataType.BFLOAT16 && dtype == DataType.FLOAT32) { // see Bf16: no bfloat16 reaches DJL
            this.computeType = null;
            this.bf16Compute = bf16.isEmpty(); // bfloat16 weights take bfloat16 products anyway
            return;
        }
        if (compute != null && compute != dtype && !(dtype == DataType.FLOAT32 && compute == DataType.FLOAT16)) {
            throw new IllegalArgumentException("mixed precision casts float32 weights to float16 or bfloat16, not " + dtype + " to " + compute);
        }
        this.computeType = compute == null || compute == dtype ? null : compute;
        this.bf16Compute = false;
    }

    /**
     * Whether the linear products are bfloat16 products: the weights are stored in bfloat16 ({@link Precision#BF16}) or
     * {@link #setComputeType} set bfloat16 mixed precision over float32 masters. Activations stay float32.
     */
    public boolean bf16Products() {
        return bf16Compute || !bf16.isEmpty();
    }

    /** Whether parameter {@code a} is stored in bfloat16 (only {@link Bf16} may touch it: never ask DJL its dtype). */
    boolean isBf16(NDArray a) {
        return !bf16.isEmpty() && bf16.contains(a);
    }

    /**
     * The dtype the forward pass computes in: the parameters' unless {@link #setComputeType} set float16 (float32 under
     * bfloat16: see {@link #bf16Products()}).
     */
    public DataType computeType() {
        return computeType == null ? dtype : computeType;
    }

    public ModelConfig config() {
        return config;
    }

    /** The parameters' dtype: FLOAT32 also for bfloat16 storage, whose 2-D weights only {@link Bf16} reads. */
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
        Map<String, NDArray> c = casts.get();
        if (c == null) return a;
        NDArray cast = c.get(name);
        if (cast == null) {
            cast = FusedOps.cast(a, computeType);
            cast.attach(c.get(STEP_KEY).getManager()); // the step owns it: the parameter manager never grows
            c.put(name, cast);
        }
        return cast;
    }

    private static final String STEP_KEY = "\0step";

    /** The matrix the LM head multiplies by (V, D): the token embedding when tied. */
    NDArray outputEmbedding() {
        return config.tieWordEmbeddings() ? p(family.embeddingName()) : p("lm_head.weight");
    }

    /** Key/value cache for incremental decoding; arrays live in the cache's own manager. */
    public static final class KvCache implements AutoCloseable {
        final NDManager manager;
        final NDArray[] keys;   // per layer (B, K, S, E)
        final NDArray[] values; // per layer (B, K, S, E)
        final NDArray[] conv;   // per convolution layer (B, L - 1, D): its last inputs (LFM2)
        long[] keyPositions = new long[0]; // (B*S) position of every cached key, for sliding windows
        int length;

        KvCache(NDManager parent, int layers) {
            this.manager = parent.newSubManager();
            this.keys = new NDArray[layers];
            this.values = new NDArray[layers];
            this.conv = new NDArray[layers];
        }

        /** The last inputs of a convolution layer, or null before the first pass. */
        NDArray convState(int layer) {
            return conv[layer];
        }

        void setConvState(int layer, NDArray state) {
            NDArray old = conv[layer];
            conv[layer] = state.duplicate();
            conv[layer].attach(manager);
            if (old != null) old.close();
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
                if (keys[l] != null) {
                    NDArray k = keys[l].get(rows), v = values[l].get(rows); // (R, K, S, E)
                    k.attach(manager);
                    v.attach(manager);
                    keys[l].close();
                    values[l].close();
                    keys[l] = k;
                    values[l] = v;
                }
                if (conv[l] != null) { // LFM2's convolution state, (B, L - 1, D)
                    NDArray c = conv[l].get(rows);
                    c.attach(manager);
                    conv[l].close();
                    conv[l] = c;
                }
            }
            if (length > 0 && keyPositions.length > 0) { // the host copy of every cached key's position, per row
                long[] idx = rows.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
                long[] kp = new long[idx.length * length];
                for (int r = 0; r < idx.length; r++) System.arraycopy(keyPositions, (int) idx[r] * length, kp, r * length, length);
                keyPositions = kp;
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
        boolean[] newValid = null;
        for (int r = 0; r < b && newValid == null; r++) {
            for (int j = past; j < s; j++) {
                if (!keyValid[r * s + j]) {
                    newValid = new boolean[b * t];
                    break;
                }
            }
        }
        if (newValid != null) for (int r = 0; r < b; r++) System.arraycopy(keyValid, r * s + past, newValid, r * t, t);
        return forwardWithBias(step, ids, positions, attentionBias(step, keyValid, b, t, past), b, t, cache, from, newValid);
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
        if (!family.packable()) throw new UnsupportedOperationException(config.architecture().className(config.head()) + " has convolution blocks: packed prefix sharing does not apply");
        checkIds(ids, positions);
        return forwardWithBias(step, ids, positions, packedBias(step, segments, b, t), b, t, null, from, null);
    }

    private void checkIds(long[] ids, long[] positions) {
        for (long pos : positions) {
            if (pos < 0 || pos >= config.maxPositions()) {
                throw new IllegalArgumentException("sequence longer than the model's " + config.maxPositions() + " positions");
            }
        }
        for (long id : ids) if (id < 0 || id >= config.vocabSize()) throw new IllegalArgumentException("token id out of range: " + id);
    }

    private NDArray forwardWithBias(NDManager step, long[] ids, long[] positions, NDArray bias, int b, int t, KvCache cache, int from, boolean[] newValid) {
        if (from < 0 || from >= t) throw new IllegalArgumentException("from must be in [0, T), got " + from);
        DataType compute = computeType();
        // float16 compute keeps the additive mask in float32 (-1e9 is -inf in float16); attention adds it in float32
        DataType biasType = compute == DataType.FLOAT16 ? DataType.FLOAT32 : compute;
        if (bias.getDataType() != biasType) bias = bias.toType(biasType, false);
        boolean autocast = computeType != null;
        if (autocast) {
            Map<String, NDArray> c = new java.util.HashMap<>();
            c.put(STEP_KEY, bias);
            casts.set(c);
        }
        try {
            Pass pass = new Pass(step, config, compute, ids, positions, b, t, cache, bias, newValid);
            NDArray x = family.embed(this, pass); // (B, T, D)
            if (gradientCheckpointing && cache == null && GradientCheckpointing.recording()) {
                return family.finalNorm(this, GradientCheckpointing.blocks(this, pass, x, from, autocast));
            }
            for (int i = 0; i < config.numLayers(); i++) {
                x = family.block(this, i, x, pass, i == config.numLayers() - 1 ? from : 0);
            }
            if (cache != null) {
                cache.length = pass.past + t;
                cache.keyPositions = pass.keyPositions;
            }
            return family.finalNorm(this, x);
        } finally {
            if (autocast) casts.remove();
        }
    }

    /**
     * Gradient checkpointing (transformers' {@code gradient_checkpointing_enable()}, Chen et al. 2016, arXiv
     * 1604.06174): a training pass keeps only each block's input and recomputes the block during the backward pass, so
     * activation memory grows with the number of blocks times (B, T, D) instead of every intermediate of every block.
     * The gradients are those of the plain pass (same ops on the same inputs; LoRA dropout masks are re-drawn from the
     * same seeds). Back-propagate with {@link #backward(ai.djl.training.GradientCollector, NDArray)}.
     */
    public void setGradientCheckpointing(boolean on) {
        this.gradientCheckpointing = on;
    }

    public boolean gradientCheckpointing() {
        return gradientCheckpointing;
    }

    /**
     * {@code gc.backward(loss)}, then the LM head of every recorded log-prob pass of this thread, recomputed chunk by
     * chunk ({@link CausalLM#logpsTensors}, {@code ChunkedHead}), then the recomputed blocks of every checkpointed pass
     * (latest first). Every backward through {@link CausalLM#logpsTensors} must go through this method: plain
     * {@code gc.backward(loss)} stops at the log-probs and leaves the model's gradients untouched.
     */
    public static void backward(ai.djl.training.GradientCollector gc, NDArray loss) {
        gc.backward(loss);
        ChunkedHead.backwardPending(gc); // the LM head's chunks first: they reach the last block's output
        GradientCheckpointing.backwardPending(gc);
    }

    /** Block {@code i} of a pass (the checkpointed pass runs and reruns blocks through this). */
    NDArray block(int i, NDArray x, Pass pass, int from) {
        return family.block(this, i, x, pass, from);
    }

    /**
     * Runs {@code body} under mixed precision when {@code autocast}, with fresh casts of the float32 masters (recorded
     * by autograd, owned by the pass's step manager), as a pass does.
     */
    <T> T withFreshCasts(boolean autocast, Pass pass, java.util.function.Supplier<T> body) {
        if (!autocast) return body.get();
        Map<String, NDArray> before = casts.get();
        Map<String, NDArray> c = new java.util.HashMap<>();
        c.put(STEP_KEY, pass.bias);
        casts.set(c);
        try {
            return body.get();
        } finally {
            if (before == null) casts.remove();
            else casts.set(before);
        }
    }

    /** Whether {@link #forwardPacked} applies to this family (not to convolution hybrids such as LFM2). */
    public boolean supportsPacking() {
        return family.packable();
    }

    /** Logits (…, V) of hidden states (…, D) through the LM head. */
    public NDArray logits(NDArray hidden) {
        return logits(hidden, headWeight(hidden.getDataType(), hidden.getManager()));
    }

    /**
     * The LM head's weight (V, D) in {@code type}: the parameter itself, or under mixed precision its cast (recorded by
     * autograd when it is recording), owned by {@code owner}.
     */
    NDArray headWeight(DataType type, NDManager owner) {
        NDArray w = outputEmbedding();
        if (bf16Products()) return w; // bfloat16 storage or a float32 master: Bf16.linear casts it inside the product
        if (w.getDataType() != type) {
            w = FusedOps.cast(w, type); // mixed precision: the float16 copy
            w.attach(owner);
        }
        return w;
    }

    /** Whether the LM head's weight (the parameter itself, a leaf) requires a gradient: false under LoRA. */
    boolean headTrainable() {
        return ai.djl.pytorch.jni.JniUtils.requiresGrad((ai.djl.pytorch.engine.PtNDArray) params.get(config.tieWordEmbeddings() ? family.embeddingName() : "lm_head.weight"));
    }

    /** {@link #logits(NDArray)} with the head weight {@code w} from {@link #headWeight}. */
    NDArray logits(NDArray hidden, NDArray w) {
        NDArray logits = bf16Products() ? Bf16.linear(hidden, w, null) : Linear.linear(hidden, w).singletonOrThrow();
        if (logits.getDataType() == DataType.FLOAT16) logits = FusedOps.cast(logits, DataType.FLOAT32); // as transformers' logits.float()
        double cap = config.layout().finalSoftcap();
        if (cap > 0) logits = logits.div(constant(logits, cap)).tanh().mul(constant(logits, cap)); // Gemma 2: cap tanh(z / cap)
        return logits;
    }

    /** Scores (…, numLabels) of hidden states (…, D) through the {@code score} head (no bias, as in transformers). */
    public NDArray score(NDArray hidden) {
        NDArray w = p("score.weight");
        if (bf16Products()) return Bf16.linear(hidden, w, null);
        if (w.getDataType() != hidden.getDataType()) {
            w = FusedOps.cast(w, hidden.getDataType());
            w.attach(hidden.getManager());
        }
        NDArray s = Linear.linear(hidden, w).singletonOrThrow();
        return s.getDataType() == DataType.FLOAT16 ? FusedOps.cast(s, DataType.FLOAT32) : s;
    }

    /**
     * transformers builds the Llama-family embedding as {@code nn.Embedding(vocab, d, padding_idx=pad_token_id)}:
     * the lookup is ordinary, but the pad row never receives a gradient. When the batch holds the pad id (e.g. an eos
     * that equals pad, read by a reward model's score head) and gradients are recorded, its embeddings are passed on
     * as x·keep + stopGradient(x)·(1 − keep), keep = 0 at pad ids: the same values, no gradient into that row.
     * (GPT-2's {@code wte} has no padding_idx.)
     */
    NDArray tokenEmbedding(Pass p, String weight) {
        NDArray idArr = engineOwned(p.step.create(p.ids, new Shape(p.b, p.t))); // (B, T)
        return paddingIdx(p.step, p.ids, p.b, p.t, embed(idArr, p(weight)));
    }

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

    NDArray embed(NDArray ids, NDArray weight) {
        if (isBf16(weight)) return Bf16.embedding(ids, weight);
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
        return dtype == DataType.FLOAT64 ? a.toType(dtype, false) : a; // float16 models keep the mask in float32
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
        return dtype == DataType.FLOAT64 ? a.toType(dtype, false) : a;
    }

    NDArray linear(NDArray x, String name, boolean bias) {
        if (bf16Products()) return withDelta(Bf16.linear(x, p(name + ".weight"), bias ? p(name + ".bias") : null), x, name);
        NDArray y = bias ? Linear.linear(x, p(name + ".weight"), p(name + ".bias")).singletonOrThrow()
                : Linear.linear(x, p(name + ".weight")).singletonOrThrow();
        return withDelta(y, x, name);
    }

    /**
     * GPT-2 Conv1D: x W + b with W stored (in, out), as one fused linear over a transposed view of W (no copy; the
     * view is attached to x's step manager so the parameter manager never grows).
     */
    NDArray conv1d(NDArray x, String name) {
        if (bf16Products()) return withDelta(Bf16.linearInOut(x, p(name + ".weight"), p(name + ".bias")), x, name);
        NDArray wt = p(name + ".weight").transpose(1, 0); // (out, in) view
        wt.attach(x.getManager());
        return withDelta(Linear.linear(x, wt, p(name + ".bias")).singletonOrThrow(), x, name);
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

    /** Host copy of every parameter as float32, by Hugging Face name. */
    public LinkedHashMap<String, HostTensor> toHost() {
        LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
        for (String name : params.keySet()) out.put(name, hostCopy(name));
        return out;
    }

    /** Host copy of one parameter as float32. */
    HostTensor hostCopy(String name) {
        NDArray a = params.get(name);
        if (a == null) throw new IllegalArgumentException("no parameter " + name);
        float[] data;
        if (isBf16(a)) {
            try (NDArray f = Bf16.toFloat(a)) {
                data = f.toFloatArray();
            }
        } else if (a.getDataType() == DataType.FLOAT32) {
            data = a.toFloatArray();
        } else {
            try (NDArray f = a.toType(DataType.FLOAT32, true)) {
                data = f.toFloatArray();
            }
        }
        return new HostTensor(name, dev.prefer.lm.io.DType.F32, a.getShape().getShape(), data);
    }

    /** Marks every parameter as trainable (gradients collected) or frozen. */
    public void setTrainable(boolean trainable) {
        if (trainable && !bf16.isEmpty()) {
            throw new IllegalStateException("bfloat16 weights are frozen (LoRA base, reference); full training in bfloat16 keeps float32"
                    + " masters: load in F32 and call setComputeType(BFLOAT16)");
        }
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

    /** Whether a delta (LoRA) is attached to any of these modules. */
    boolean hasLinearDelta(String... modules) {
        if (deltas.isEmpty()) return false;
        for (String m : modules) if (deltas.containsKey(m)) return true;
        return false;
    }

    /** The attached deltas by module name (live view; empty without LoRA). */
    Map<String, LinearDelta> linearDeltas() {
        return Collections.unmodifiableMap(deltas);
    }

    /** Removes every attached delta. */
    public void clearLinearDeltas() {
        deltas.clear();
    }

    private NDArray withDelta(NDArray y, NDArray x, String module) {
        LinearDelta d = deltas.isEmpty() ? null : deltas.get(module);
        if (d == null) return y;
        if (x.getDataType() == DataType.FLOAT16) { // float32 adapters on a float16 pass (mixed precision or a float16 base)
            return y.add(FusedOps.cast(d.apply(FusedOps.cast(x, DataType.FLOAT32)), y.getDataType()));
        }
        return y.add(d.apply(x));
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
        DecodeScript.Packed.forget(this);
        MergedWeights.forget(this);
        manager.close();
    }
}
