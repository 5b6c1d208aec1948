package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One GPT-2 decoding step (one new token per row, KV cache) as a single TorchScript call, for
 * {@link BatchGeneration}: the ~70 engine ops of a step run inside libtorch instead of one JNI call (and DJL array)
 * each, and keys/values go into preallocated (R, H, S_max, E) buffers in place instead of being concatenated (a copy
 * of the whole cache per layer per step). The maths is transformers' {@code GPT2Block} (Conv1D as
 * {@code addmm(b, x, W)}, scores divided by sqrt(E), tanh GELU); the composite path of {@link Transformer#forward}
 * stays the reference (the greedy fixtures and the logps test run through this one).
 *
 * <p>The same function runs a wave's prefill ({@link #prefill}): the prompts in groups of similar lengths, each
 * left-padded to its longest, written into the empty buffers of {@link #open}, with the first tokens chosen in the same
 * call (one engine call instead of ~30 per layer, and no copy of the prefilled cache into the buffers).
 *
 * <p>Used for float32 GPT-2 models (LoRA deltas: merged copies of the adapted weights, {@link MergedWeights}), and for the Llama layout (Llama, Qwen2,
 * Mistral: {@link LlamaDecode}, its own script over the same Java side and the same choice of tokens, {@link #CHOICE};
 * buffers of the key/value heads); other models take the composite path. {@code -Dprefer.decodeScript=false} turns
 * it off. The module sources are compiled in memory, as {@link FusedOps} does.
 *
 * <p>The step also picks the next tokens (arg-max, or the draw of {@link Sampler#draw} when no top-k/top-p/min-p
 * filter is set) and gathers their log-probs, so that only 2·R numbers come back to the host instead of two (R, V)
 * arrays.
 */
final class DecodeScript {
    /**
     * Whether scripted steps run ({@code -Dprefer.decodeScript=false}: never, the composite path for every model);
     * tests switch it to compare both paths on one model.
     */
    static volatile boolean enabled = !"false".equalsIgnoreCase(System.getProperty("prefer.decodeScript", "true"));
    private static PtNDManager owner;

    private final Transformer model;
    private final Source source;   // GPT-2's script, or the Llama layout's (LlamaDecode)
    private final IValue weights;
    private final NDManager manager;
    private final NDArray[] constants; // Llama layout: rotary tables of the wave's positions, eps, scale; else null
    private final int heads;
    private final int flags;        // GPT-2: the fused GELU (1/0); Llama: its biases (LlamaDecode.biasFlags)
    private final double eps, scale;
    private final int headChunk;
    private final int vocab;
    private final MergedWeights merged; // LoRA: the adapted products' merged copies (held until close), else null
    private final Packed pack;      // held until close (a repack by another wave frees the old one only then)
    private final IValue packed;    // oneDNN-packed layer weights (4 per layer) and head, or null: the model's own
    private final IValue unpacked;  // the empty list: the step's products read the model's weights
    private NDArray[] keys, values; // per layer (R, H, S_max, E)
    private NDArray bias;           // (R, 1, 1, S_max): 0 at a row's keys, -1e9 at its left pads
    private IValue state;           // [bias, k0, v0, k1, v1, ...] as one list argument, rebuilt when rows leave

    private DecodeScript(Transformer model, NDManager manager, NDArray[] keys, NDArray[] values, long[] offsets, int decodeRows, int steps) {
        this.model = model;
        this.manager = manager;
        this.keys = keys;
        this.values = values;
        int capacity = (int) keys[0].getShape().get(2);
        float[] b = new float[offsets.length * capacity];
        for (int r = 0; r < offsets.length; r++) java.util.Arrays.fill(b, r * capacity, r * capacity + (int) offsets[r], Transformer.MASKED);
        try (NDManager s = manager.newSubManager()) {
            this.bias = s.create(b, new Shape(offsets.length, 1, 1, capacity)).duplicate();
            bias.attach(manager);
        }
        rebuildState();
        ModelConfig c = model.config();
        boolean gpt2 = c.architecture() == Architecture.GPT2;
        this.source = gpt2 ? GPT2 : LLAMA;
        this.heads = c.numHeads();
        this.eps = c.normEps();
        this.scale = gpt2 ? Math.sqrt(c.headDim()) : c.layout().attentionScale(); // GPT-2 divides by it, Llama multiplies
        this.flags = gpt2 ? (FUSE_GELU ? 1 : 0) : LlamaDecode.biasFlags(c);
        this.headChunk = headChunkRows(c.hiddenSize(), c.vocabSize());
        this.vocab = c.vocabSize();
        this.unpacked = IValue.listFrom(new PtNDArray[0]);
        this.merged = model.hasLinearDeltas() ? MergedWeights.of(model) : null;
        java.util.function.Function<String, NDArray> w0 = merged == null ? model::p : n -> merged.weight(model, n);
        if (!gpt2) {
            this.constants = LlamaDecode.constants(model, capacity, manager);
            this.weights = IValue.listFrom(LlamaDecode.weights(model, w0, constants));
            this.pack = null; // oneDNN packing is GPT-2's only
            this.packed = null;
            return;
        }
        this.constants = null;
        List<PtNDArray> w = new ArrayList<>();
        String p = "transformer.";
        w.add((PtNDArray) model.p(p + "wte.weight"));
        w.add((PtNDArray) model.p(p + "wpe.weight"));
        for (int i = 0; i < c.numLayers(); i++) {
            String l = p + "h." + i + ".";
            for (String n : new String[] {"ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
                    "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"}) {
                w.add((PtNDArray) w0.apply(l + n));
            }
        }
        w.add((PtNDArray) model.p(p + "ln_f.weight"));
        w.add((PtNDArray) model.p(p + "ln_f.bias"));
        w.add((PtNDArray) model.outputEmbedding());
        this.weights = IValue.listFrom(w.toArray(PtNDArray[]::new));
        // LoRA: the merged copies are packed only by packNow (they change with every optimizer step): a wave uses that pack
        boolean mayPack = merged == null && steps >= packMinSteps && !model.headTrainable();
        this.pack = decodeRows >= packMinRows && c.hiddenSize() >= packMinWidth ? Packed.of(model, w0, mayPack) : null;
        this.packed = pack == null ? null : pack.list;
    }

    /**
     * Rows from which the step's layer products read oneDNN-packed copies of the weights ({@code
     * -Dprefer.packedDecodeMinRows=N}; {@code -Dprefer.packedDecode=false}: never). A single row keeps {@code addmm},
     * whose matrix-vector path already streams the weights at full bandwidth.
     */
    static volatile int packMinRows = "false".equalsIgnoreCase(System.getProperty("prefer.packedDecode", "true")) ? Integer.MAX_VALUE
            : Integer.getInteger("prefer.packedDecodeMinRows", 2);

    /**
     * Models narrower than this keep {@code addmm} ({@code -Dprefer.packedDecodeMinWidth=N}): their weights stay in the
     * caches, and a oneDNN call costs more than an MKL one (tiny benchmark model, d 128: no gain).
     */
    static volatile int packMinWidth = Integer.getInteger("prefer.packedDecodeMinWidth", 512);

    /**
     * A wave packs weights that are not packed yet (or changed since) only when it may decode at least this many steps
     * ({@code -Dprefer.packedDecodeMinSteps=N}): packing costs a few sweeps over the weights, a packed step saves about a
     * third of one, so a training loop that changes the weights between short generations keeps {@code addmm}.
     * Weights already packed are used whatever the budget. A model whose parameters require gradients (a policy under
     * full fine-tuning: its weights change after every optimizer step, so each generation would pack again, 1-4 s and
     * one more copy of the weights on GPT-2 small) never packs; a frozen reference or an inference model does.
     */
    static volatile int packMinSteps = Integer.getInteger("prefer.packedDecodeMinSteps", 48);

    /**
     * Packs the model's decoding weights now, whether or not its parameters require gradients (the implicit rule
     * above skips trainable models): for a caller that knows a generation of enough rows and tokens follows (an online
     * trainer between optimizer steps, {@link CausalLM#packDecodingWeights}). The waves that follow find the pack
     * current and use it; {@link #dropPack} frees it. False (nothing packed) where the packed step would not be used:
     * no scripted step, a model narrower than {@link #packMinWidth}, packing off or unavailable.
     */
    static boolean packNow(Transformer model) {
        if (model.config().architecture() != Architecture.GPT2 || !applies(model)) return false; // oneDNN packing: GPT-2 only
        if (model.config().hiddenSize() < packMinWidth || packMinRows == Integer.MAX_VALUE) return false;
        if (!model.hasLinearDeltas()) {
            Packed p = Packed.of(model, model::p, true);
            if (p == null) return false;
            p.release();
            return true;
        }
        // LoRA: the merged copies (kept until the generation call that follows ends, MergedWeights.drop) and their pack
        MergedWeights m = MergedWeights.of(model);
        try {
            Packed p = Packed.of(model, n -> m.weight(model, n), true);
            if (p == null) return false;
            p.release();
            return true;
        } finally {
            m.release();
        }
    }

    /** Frees the model's pack (if any) once no wave uses it: its copy of the weights goes until the next pack. */
    static void dropPack(Transformer model) {
        Packed.forget(model);
    }

    /** The MLP's GELU applied by the packed c_fc product (a oneDNN post-op; {@code -Dprefer.packedDecodeGelu=false}: apart). */
    static final boolean FUSE_GELU = !"false".equalsIgnoreCase(System.getProperty("prefer.packedDecodeGelu", "true"));

    /**
     * The LM head packed too ({@code -Dprefer.packedDecodeHead=false}: the pieces of {@link #headChunkRows}): one
     * (R, D)·(D, V) oneDNN product instead of 1 MiB MKL pieces (microbenchmark, M = 8, one thread, thread CPU: 14.7
     * against 24.5 ms per head).
     */
    static final boolean PACK_HEAD = !"false".equalsIgnoreCase(System.getProperty("prefer.packedDecodeHead", "true"));

    /** The four products' weights of every layer, in the order of the packed list. */
    private static final String[] PRODUCTS = {"attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"};

    /**
     * oneDNN-packed copies of a model's layer weights (transposed to Linear's (out, in) and reordered into oneDNN's
     * blocked layout, {@code mkldnn::_reorder_linear_weight}), for products of a few rows: MKL's {@code addmm} on
     * GPT-2's (in, out) weights repacks the weight on every call and streams it at about half the bandwidth a plain
     * read reaches. Made once per model and kept (one more copy of the layer weights and the LM head: 340 + 154 MB for
     * GPT-2 small) while its weights stay the same arrays with the same version counters (every in-place update of a
     * tensor bumps its counter: an optimizer step, a LoRA merge or a copy makes the next wave pack again).
     */
    static final class Packed {
        private static final Map<Transformer, Packed> BY_MODEL = Collections.synchronizedMap(new WeakHashMap<>());
        private static volatile boolean failed;
        /** Packs made so far (tests: a pack is reused while the weights stay the same, redone when they change). */
        static final java.util.concurrent.atomic.AtomicInteger PACKS = new java.util.concurrent.atomic.AtomicInteger();

        final NDArray[] sources;
        final long[] versions;
        final NDManager owner;
        final IValue list;
        private int users;      // waves using this pack (guarded by BY_MODEL)
        private boolean stale;  // replaced: freed when the last wave using it is done

        private Packed(NDArray[] sources, long[] versions, NDManager owner, IValue list) {
            this.sources = sources;
            this.versions = versions;
            this.owner = owner;
            this.list = list;
        }

        /** The model's packed weights, packing them (again) when missing or stale; null when packing is unavailable. */
        static Packed of(Transformer model, java.util.function.Function<String, NDArray> weight, boolean mayPack) {
            if (failed) return null;
            int layers = model.config().numLayers();
            NDArray[] src = new NDArray[layers * PRODUCTS.length + (PACK_HEAD ? 1 : 0)];
            for (int l = 0; l < layers; l++) {
                for (int j = 0; j < PRODUCTS.length; j++) src[l * PRODUCTS.length + j] = weight.apply("transformer.h." + l + "." + PRODUCTS[j]);
            }
            if (PACK_HEAD) src[src.length - 1] = model.outputEmbedding(); // (V, D): already Linear's layout
            synchronized (BY_MODEL) {
                try {
                    long[] versions = versions(src);
                    Packed old = BY_MODEL.get(model);
                    if (old != null && Arrays.equals(old.versions, versions) && sameArrays(old.sources, src)) {
                        old.users++;
                        return old;
                    }
                    if (!mayPack) return null;
                    if (old != null) {
                        BY_MODEL.remove(model);
                        old.stale = true;
                        old.freeIfUnused();
                    }
                    NDManager owner = model.manager().newSubManager();
                    PtNDArray[] packed;
                    try (IValue in = IValue.listFrom(Arrays.copyOf(src, src.length, PtNDArray[].class)); IValue bs = IValue.from(16L);
                         IValue head = IValue.from(PACK_HEAD ? 1L : 0L);
                         IValue out = IValueUtils.forward(script(PACK_CLS, PACK_SOURCE), new IValue[] {in, bs, head})) {
                        packed = out.toTensorArray((PtNDManager) owner);
                    } catch (RuntimeException e) {
                        owner.close();
                        throw e;
                    }
                    Packed p = new Packed(src, versions, owner, IValue.listFrom(packed));
                    PACKS.incrementAndGet();
                    BY_MODEL.put(model, p);
                    p.users++;
                    return p;
                } catch (RuntimeException e) {
                    failed = true;
                    System.err.println("prefer: packed decoding weights unavailable, using addmm (" + e.getMessage() + ")");
                    return null;
                }
            }
        }

        /** The model is closing: its pack goes (its list holds native references that would keep the copies alive). */
        static void forget(Transformer model) {
            synchronized (BY_MODEL) {
                Packed p = BY_MODEL.remove(model);
                if (p != null) {
                    p.stale = true;
                    p.freeIfUnused();
                }
            }
        }

        /** A wave is done with this pack. */
        void release() {
            synchronized (BY_MODEL) {
                users--;
                freeIfUnused();
            }
        }

        private void freeIfUnused() {
            if (stale && users == 0) {
                list.close();
                owner.close();
            }
        }

        private static boolean sameArrays(NDArray[] a, NDArray[] b) {
            for (int i = 0; i < a.length; i++) if (a[i] != b[i] || a[i].isReleased()) return false;
            return true;
        }

    }

    /** The version counters ({@code torch._version}) of these tensors: every in-place update bumps its tensor's. */
    static long[] versions(NDArray[] src) {
        try (IValue in = IValue.listFrom(Arrays.copyOf(src, src.length, PtNDArray[].class));
             IValue out = IValueUtils.forward(script(VERSION_CLS, VERSION_SOURCE), new IValue[] {in})) {
            return out.toLongArray();
        }
    }

    private static final String PACK_CLS = "Gpt2PackDecode", VERSION_CLS = "TensorVersions";
    private static final String PACK_SOURCE = ""
            + "ws: List[Tensor], bs: int, head: int) -> List[Tensor]:\n"
            + "    # Conv1D weights (in, out) transposed to Linear's (out, in); the last one, the LM head (V, D), as it is\n"
            + "    out: List[Tensor] = []\n"
            + "    n = len(ws)\n"
            + "    for i in range(n - head):\n"
            + "        out.append(ops.mkldnn._reorder_linear_weight(ws[i].t().contiguous(), bs))\n"
            + "    if head == 1:\n"
            + "        out.append(ops.mkldnn._reorder_linear_weight(ws[n - 1], bs))\n"
            + "    return out\n";
    private static final String VERSION_SOURCE = ""
            + "ws: List[Tensor]) -> List[int]:\n"
            + "    # inference tensors (MergedWeights' copies, made in an engine call and never updated) track no version: 0\n"
            + "    out: List[int] = []\n"
            + "    for t in ws:\n"
            + "        if t.is_inference():\n"
            + "            out.append(0)\n"
            + "        else:\n"
            + "            out.append(torch._version(t))\n"
            + "    return out\n";
    private static final Map<String, PtSymbolBlock> SCRIPTS = new java.util.HashMap<>();

    static synchronized PtSymbolBlock script(String cls, String source) {
        PtSymbolBlock m = SCRIPTS.get(cls);
        if (m == null) {
            if (owner == null) owner = (PtNDManager) Torch.newManager();
            byte[] archive = FusedOps.archive(cls, "  def forward(self: __torch__." + cls + ",\n    " + source);
            try {
                m = JniUtils.loadModule(owner, new ByteArrayInputStream(archive), true, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            SCRIPTS.put(cls, m);
        }
        return m;
    }

    /**
     * The LM head's rows per product: the (V, D) output embedding is multiplied in pieces of about
     * {@code -Dprefer.headChunkBytes} (default 1 MiB, a piece that stays in a core's L2) instead of one (R, D)·(D, V)
     * product, which for few rows and a large vocabulary streams the whole matrix through MKL's packing at a fraction of
     * the memory bandwidth. V when the whole matrix is that small (no split).
     */
    static int headChunkRows(int hidden, int vocab) {
        long bytes = Long.getLong("prefer.headChunkBytes", 1L << 20);
        if (bytes <= 0) return vocab;
        return (int) Math.max(1, Math.min(vocab, bytes / (4L * hidden)));
    }

    /**
     * Whether the scripted step serves every wave of this model: float32 GPT-2, or the Llama
     * layout of {@link LlamaDecode#serves} for waves up to the model's positions.
     */
    static boolean applies(Transformer model) {
        return applies(model, model.config().maxPositions());
    }

    /**
     * Whether the scripted step serves a wave of {@code capacity} key slots (prompt + new tokens) of this model; linear
     * deltas (LoRA) only when {@link MergedWeights#serves} them.
     */
    static boolean applies(Transformer model, int capacity) {
        if (!enabled || model.dtype() != DataType.FLOAT32 || model.computeType() != DataType.FLOAT32 || !MergedWeights.serves(model)
                || model.bf16Products()) return false;
        Source s = model.config().architecture() == Architecture.GPT2 ? GPT2 : LlamaDecode.serves(model, capacity) ? LLAMA : null;
        return s != null && s.module() != null;
    }

    /**
     * Takes over a prefilled cache: its (R, H or KV heads, S, E) keys and values are copied into buffers of {@code capacity}
     * positions owned by {@code manager}; row r's keys start at slot {@code offsets[r]} (left padding).
     */
    static DecodeScript from(Transformer model, Transformer.KvCache cache, int capacity, long[] offsets, NDManager manager) {
        return from(model, cache, capacity, offsets, manager, capacity - (int) cache.keys[0].getShape().get(2));
    }

    /** As above, for a wave that may decode {@code steps} more tokens (whether packing the weights may pay, {@link #packMinSteps}). */
    static DecodeScript from(Transformer model, Transformer.KvCache cache, int capacity, long[] offsets, NDManager manager, int steps) {
        int layers = model.config().numLayers();
        NDArray[] k = new NDArray[layers], v = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
            k[l] = grow(cache.keys[l], capacity, manager);
            v[l] = grow(cache.values[l], capacity, manager);
        }
        return new DecodeScript(model, manager, k, v, offsets, offsets.length, steps);
    }

    /**
     * Empty buffers of {@code capacity} positions for a wave's prompts, filled by {@link #prefill}: row r of the prompts
     * starts at slot {@code offsets[r]} (left padding); {@code decodeRows} rows (the prompts' samples) decode after it,
     * at most {@code steps} steps (whether packing the weights may pay, {@link #packMinSteps}).
     */
    static DecodeScript open(Transformer model, long[] offsets, int capacity, int decodeRows, int steps, NDManager manager) {
        ModelConfig c = model.config();
        int layers = c.numLayers();
        Shape shape = new Shape(offsets.length, c.numKvHeads(), capacity, c.headDim()); // GPT-2: the heads
        NDArray[] k = new NDArray[layers], v = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
            k[l] = manager.zeros(shape, DataType.FLOAT32);
            v[l] = manager.zeros(shape, DataType.FLOAT32);
        }
        return new DecodeScript(model, manager, k, v, offsets, decodeRows, steps);
    }

    private static NDArray grow(NDArray a, int capacity, NDManager manager) {
        Shape s = a.getShape();
        NDArray pad = manager.zeros(new Shape(s.get(0), s.get(1), capacity - s.get(2), s.get(3)), a.getDataType());
        NDArray out = a.concat(pad, 2);
        out.attach(manager);
        pad.close();
        return out;
    }

    /**
     * The step's outputs on the host: the chosen ids and their raw log-probs (R each) when the engine chose them, or
     * (filtered sampling) the softmax of logits / temperature and log-softmax rows (R·V each) for the host to draw from.
     */
    record Out(long[] chosen, float[] chosenLogp, float[] probs, float[] logSoftmax) {}

    /**
     * One token per row: row r feeds {@code ids[r]} at position {@code pos[r]}, writes its key/value at slot
     * {@code length − 1} and attends to its slots up to there. Greedy: the arg-max. Sampling with {@code u} (one
     * uniform in [0, 1) per row, from the row's own generator): the engine draws as {@link Sampler#draw} does
     * without filters (the first id whose float64 running sum of the probabilities, in id order, passes u times the
     * whole sum: the same sums in the same order, so the same ids). {@code u == null} (filters): the host draws
     * from the returned rows.
     */
    Out step(long[] ids, long[] pos, int length, double temperature, boolean greedy, double[] u) {
        int b = ids.length;
        long[] ints = new long[2 * b + 2 + TAIL];
        System.arraycopy(ids, 0, ints, 0, b);
        System.arraycopy(pos, 0, ints, b, b);
        ints[2 * b] = b;     // one group: every row,
        ints[2 * b + 1] = 1; // one token each
        tail(ints, b, length, 0, 1);
        return call(ints, b, temperature, greedy, u, packed != null && b >= packMinRows ? packed : unpacked);
    }

    /**
     * The prefill of the buffers of {@link #open} in the same engine call as the first token's choice: the prompts
     * (row-major {@code ids} and {@code pos}) in groups of consecutive rows, group j ending (exclusive) at row {@code
     * ends[j]}, each row of it left-padded to {@code lens[j]} tokens written at slots {@code length − lens[j]} to
     * {@code length}; attention is causal within a group and masks each row's pads. The last block runs its query and
     * MLP at the last position only. {@code rowMap} (null: one output row per prompt) gives the prompt of each output
     * row (the K samples of a prompt): the first tokens are chosen for those rows, and the buffers keep their rows.
     * Choice and {@code u} as in {@link #step}, one per output row. The products read the model's own weights (many
     * rows: MKL's {@code addmm}).
     */
    Out prefill(long[] ids, long[] pos, int[] ends, int[] lens, long[] rowMap, int length, double temperature, boolean greedy, double[] u) {
        int nt = ids.length, g = ends.length, nm = rowMap == null ? 0 : rowMap.length;
        long[] ints = new long[2 * nt + nm + 2 * g + TAIL];
        System.arraycopy(ids, 0, ints, 0, nt);
        System.arraycopy(pos, 0, ints, nt, nt);
        if (nm > 0) System.arraycopy(rowMap, 0, ints, 2 * nt, nm);
        for (int j = 0; j < g; j++) {
            ints[2 * nt + nm + j] = ends[j];
            ints[2 * nt + nm + g + j] = lens[j];
        }
        tail(ints, nt, length, nm, g);
        Out o = call(ints, nm > 0 ? nm : ends[g - 1], temperature, greedy, u, unpacked);
        if (nm > 0) selectRows(rowMap);
        return o;
    }

    /**
     * Scalars at the end of the integer argument: N, S, heads, mode (set by {@link #call}), flags (GPT-2: fused GELU;
     * Llama: biases), M, G.
     */
    private static final int TAIL = 7;

    private void tail(long[] ints, int tokens, int length, int mapped, int groups) {
        int n = ints.length;
        ints[n - 7] = tokens;
        ints[n - 6] = length;
        ints[n - 5] = heads;
        ints[n - 3] = flags;
        ints[n - 2] = mapped;
        ints[n - 1] = groups;
    }

    /** One engine call; {@code b} output rows. */
    private Out call(long[] ints, int b, double temperature, boolean greedy, double[] u, IValue products) {
        PtNDManager m = (PtNDManager) manager;
        PLAIN_EXECUTOR.get();
        ints[ints.length - 4] = greedy ? 1 : u == null ? 2 : 0;
        double[] fl = new double[4 + (u == null ? 0 : u.length)];
        fl[0] = temperature;
        fl[1] = eps;
        fl[2] = scale;
        fl[3] = headChunk;
        if (u != null && !greedy) System.arraycopy(u, 0, fl, 4, u.length);
        try (IValue in = IValue.listFrom(ints); IValue f = IValue.listFrom(fl);
             IValue out = IValueUtils.forward(source.module(), new IValue[] {in, f, weights, state, products})) {
            PtNDArray[] t = out.toTensorArray(m);
            try {
                if (t.length == 1) { // (2, R) float64: chosen ids, their log-probs
                    double[] d = t[0].toDoubleArray();
                    long[] chosen = new long[b];
                    float[] lp = new float[b];
                    boolean none = false;
                    for (int r = 0; r < b; r++) {
                        chosen[r] = (long) d[r];
                        lp[r] = (float) d[b + r];
                        none |= chosen[r] >= vocab;
                    }
                    return none ? lastWithMass(ints, b, temperature, u, chosen, lp, products) : new Out(chosen, lp, null, null);
                }
                return new Out(null, null, t[0].toFloatArray(), t[1].toFloatArray());
            } finally {
                for (PtNDArray a : t) a.close();
            }
        }
    }

    /** No draw without filters: {@link Sampler#draw} needs no generation settings beyond the probabilities. */
    private static final GenerationConfig UNFILTERED = new GenerationConfig(1, false, 1.0, 0, 1.0, 0L, false);

    /**
     * A row whose target passed no running sum of the engine's draw (float rounding: u·total at least the last sum):
     * the call again (it writes the same keys and values at the same slots) returning its rows, and the host's draw on
     * them, which takes the last token with mass in that case.
     */
    private Out lastWithMass(long[] ints, int b, double temperature, double[] u, long[] chosen, float[] lp, IValue products) {
        Out rows = call(ints, b, temperature, false, null, products);
        for (int r = 0; r < chosen.length; r++) {
            if (chosen[r] < vocab) continue;
            chosen[r] = Sampler.draw(rows.probs(), r * vocab, vocab, UNFILTERED, u[r]);
            lp[r] = rows.logSoftmax()[r * vocab + (int) chosen[r]];
        }
        return new Out(chosen, lp, null, null);
    }

    private void rebuildState() {
        if (state != null) state.close();
        PtNDArray[] all = new PtNDArray[1 + 2 * keys.length];
        all[0] = (PtNDArray) bias;
        for (int l = 0; l < keys.length; l++) {
            all[1 + 2 * l] = (PtNDArray) keys[l];
            all[2 + 2 * l] = (PtNDArray) values[l];
        }
        state = IValue.listFrom(all);
    }

    /** Keeps the rows {@code rows} (indices into the current batch) of every buffer. */
    void selectRows(long[] rows) {
        try (NDManager s = manager.newSubManager()) {
            NDArray idx = s.create(rows).duplicate();
            for (int l = 0; l < keys.length; l++) {
                NDArray k = keys[l].get(idx), v = values[l].get(idx);
                k.attach(manager);
                v.attach(manager);
                keys[l].close();
                values[l].close();
                keys[l] = k;
                values[l] = v;
            }
            NDArray nb = bias.get(idx);
            nb.attach(manager);
            bias.close();
            bias = nb;
        }
        rebuildState();
    }

    void close() {
        weights.close();
        if (constants != null) for (NDArray a : constants) a.close();
        unpacked.close();
        if (pack != null) pack.release();
        if (merged != null) merged.release();
        state.close();
        bias.close();
        for (NDArray a : keys) a.close();
        for (NDArray a : values) a.close();
    }

    /** Graph-executor optimisation off on this thread (it would re-specialise the graph as S grows every step). */
    private static final ThreadLocal<Boolean> PLAIN_EXECUTOR = ThreadLocal.withInitial(() -> {
        JniUtils.setGraphExecutorOptimize(false);
        return true;
    });

    private static final String GPT2_SOURCE = ""
            + "ints: List[int], f: List[float], w: List[Tensor], st: List[Tensor], pw: List[Tensor]) -> List[Tensor]:\n"
            + "    # ints: ids (N), positions (N), row map (M), group ends (G), group lengths (G), then N, S, heads, mode,\n"
            + "    # fused GELU, M, G; f: temperature, eps, sqrt(E), head rows, u (one per output row);\n"
            + "    # st: bias, k0, v0, k1, v1, ...; pw: oneDNN-packed c_attn, c_proj, c_fc, mlp c_proj of each layer, or empty.\n"
            + "    # Group j: rows ends[j-1]..ends[j], each lg = lengths[j] tokens written at slots S-lg..S (a decoding step:\n"
            + "    # one group of every row, lg 1; a prefill: prompts of similar lengths, left-padded to their longest)\n"
            + "    n = len(ints)\n"
            + "    g = ints[n - 1]\n"
            + "    nm = ints[n - 2]\n"
            + "    fuse = ints[n - 3]\n"
            + "    mode = ints[n - 4]\n"
            + "    nh = ints[n - 5]\n"
            + "    s = ints[n - 6]\n"
            + "    nt = ints[n - 7]\n"
            + "    gb = 2 * nt + nm\n"
            + "    packed = len(pw) > 0\n"
            + "    eps = f[1]\n"
            + "    nl = (len(st) - 1) // 2\n"
            + "    rows = st[0].size(0)\n"
            + "    idp = torch.tensor(ints, device=w[0].device)\n"
            + "    xs = torch.embedding(w[0], idp.narrow(0, 0, nt)) + torch.embedding(w[1], idp.narrow(0, nt, nt))\n"
            + "    d = xs.size(1)\n"
            + "    e = d // nh\n"
            + "    lasts: List[Tensor] = []\n"
            + "    tok = 0\n"
            + "    r0 = 0\n"
            + "    for j in range(g):\n"
            + "        r1 = ints[gb + j]\n"
            + "        lg = ints[gb + g + j]\n"
            + "        b = r1 - r0\n"
            + "        whole = b == rows\n"
            + "        x = xs if g == 1 else xs.narrow(0, tok, b * lg)\n"
            + "        bz = st[0] if whole else st[0].narrow(0, r0, b)\n"
            + "        if lg == 1:\n"
            + "            bias = bz.narrow(3, 0, s)\n"
            + "        else:\n"
            + "            # causal within the group's slots, and the key padding of each row (Transformer.attentionBias)\n"
            + "            bias = torch.minimum(bz.narrow(3, s - lg, lg), torch.triu(torch.full([lg, lg], -1e9, device=xs.device), 1))\n"
            + "        for i in range(nl):\n"
            + "            o = 2 + 12 * i\n"
            + "            kc = st[1 + 2 * i] if whole else st[1 + 2 * i].narrow(0, r0, b)\n"
            + "            vc = st[2 + 2 * i] if whole else st[2 + 2 * i].narrow(0, r0, b)\n"
            + "            hn = torch.layer_norm(x, [d], w[o], w[o + 1], eps)\n"
            + "            if packed:\n"
            + "                qkv = ops.mkldnn._linear_pointwise(hn, pw[4 * i], w[o + 3], \"none\", [], \"\")\n"
            + "            else:\n"
            + "                qkv = torch.addmm(w[o + 3], hn, w[o + 2])\n"
            + "            if lg == 1:\n"
            + "                q = qkv.narrow(1, 0, d).reshape(b, nh, 1, e)\n"
            + "                kc.narrow(2, s - 1, 1).copy_(qkv.narrow(1, d, d).reshape(b, nh, 1, e))\n"
            + "                vc.narrow(2, s - 1, 1).copy_(qkv.narrow(1, 2 * d, d).reshape(b, nh, 1, e))\n"
            + "                att = torch.matmul(q, kc.narrow(2, 0, s).transpose(2, 3)) / f[2] + bias\n"
            + "                y = torch.matmul(torch.softmax(att, -1), vc.narrow(2, 0, s)).reshape(b, d)\n"
            + "            else:\n"
            + "                q = qkv.narrow(1, 0, d).reshape(b, lg, nh, e).transpose(1, 2)\n"
            + "                k = qkv.narrow(1, d, d).reshape(b, lg, nh, e).transpose(1, 2)\n"
            + "                v = qkv.narrow(1, 2 * d, d).reshape(b, lg, nh, e).transpose(1, 2)\n"
            + "                kc.narrow(2, s - lg, lg).copy_(k)\n"
            + "                vc.narrow(2, s - lg, lg).copy_(v)\n"
            + "                if i == nl - 1:\n"
            + "                    # the last block's query, attention, MLP and norm at the last position only\n"
            + "                    att = torch.matmul(q.narrow(2, lg - 1, 1), k.transpose(2, 3)) / f[2] + bias.narrow(2, lg - 1, 1)\n"
            + "                    y = torch.matmul(torch.softmax(att, -1), v).reshape(b, d)\n"
            + "                    x = x.view(b, lg, d).select(1, lg - 1)\n"
            + "                else:\n"
            + "                    att = torch.matmul(q, k.transpose(2, 3)) / f[2] + bias\n"
            + "                    y = torch.matmul(torch.softmax(att, -1), v).transpose(1, 2).reshape(b * lg, d)\n"
            + "            if packed:\n"
            + "                x = x + ops.mkldnn._linear_pointwise(y, pw[4 * i + 1], w[o + 5], \"none\", [], \"\")\n"
            + "                hn = torch.layer_norm(x, [d], w[o + 6], w[o + 7], eps)\n"
            + "                if fuse == 1:\n"
            + "                    a = ops.mkldnn._linear_pointwise(hn, pw[4 * i + 2], w[o + 9], \"gelu\", [], \"tanh\")\n"
            + "                else:\n"
            + "                    a = torch.gelu(ops.mkldnn._linear_pointwise(hn, pw[4 * i + 2], w[o + 9], \"none\", [], \"\"), approximate=\"tanh\")\n"
            + "                x = x + ops.mkldnn._linear_pointwise(a, pw[4 * i + 3], w[o + 11], \"none\", [], \"\")\n"
            + "            else:\n"
            + "                x = x + torch.addmm(w[o + 5], y, w[o + 4])\n"
            + "                hn = torch.layer_norm(x, [d], w[o + 6], w[o + 7], eps)\n"
            + "                x = x + torch.addmm(w[o + 11], torch.gelu(torch.addmm(w[o + 9], hn, w[o + 8]), approximate=\"tanh\"), w[o + 10])\n"
            + "        lasts.append(x)\n"
            + "        tok += b * lg\n"
            + "        r0 = r1\n"
            + "    x = lasts[0] if g == 1 else torch.cat(lasts, 0)\n"
            + "    if nm > 0:\n"
            + "        # the prompts' rows to the output rows (the K samples of a prompt)\n"
            + "        x = x.index_select(0, idp.narrow(0, 2 * nt, nm))\n"
            + "    m = len(w)\n"
            + "    x = torch.layer_norm(x, [d], w[m - 3], w[m - 2], eps)\n"
            + DecodeScript.CHOICE; // qualified: declared below

    /**
     * The LM head and the choice of the next tokens, shared by the scripts: from the final hidden states x (one row per
     * output row) and the head w[m - 1] (V, D).
     */
    static final String CHOICE = ""
            + "    hc = int(f[3])\n"
            + "    if packed and len(pw) > 2 * (len(st) - 1):\n"
            + "        logits = ops.mkldnn._linear_pointwise(x, pw[len(pw) - 1], None, \"none\", [], \"\")\n"
            + "    elif hc >= w[m - 1].size(0):\n"
            + "        logits = torch.mm(x, w[m - 1].t())\n"
            + "    else:\n"
            + "        logits = torch.cat([torch.mm(x, c.t()) for c in torch.split(w[m - 1], hc)], 1)\n"
            + "    lsm = torch.log_softmax(logits, -1)\n"
            + "    if mode == 1:\n"
            + "        ch = torch.argmax(logits, -1)\n"
            + "    else:\n"
            + "        # a division by 1 is exact: skipped\n"
            + "        pr = torch.softmax(logits / f[0], -1) if f[0] != 1.0 else torch.softmax(logits, -1)\n"
            + "        if mode == 2:\n"
            + "            return [pr, lsm]\n"
            + "        # Sampler.draw without filters: cumsum of float64 probabilities runs in id order, as the host's loop (7: float64)\n"
            + "        cum = torch.cumsum(torch.to(pr, 7), -1)\n"
            + "        v = cum.size(1)\n"
            + "        target = torch.tensor(f[4:], dtype=7, device=cum.device).mul_(cum.select(1, v - 1))\n"
            + "        # the first id whose running sum passes the target (the sums never decrease): V when none does, which\n"
            + "        # the host resolves from the step's rows (Sampler.draw: the last token with mass)\n"
            + "        ch = torch.searchsorted(cum, target.unsqueeze(1), right=True).squeeze(1)\n"
            + "        lp = lsm.gather(1, ch.clamp(max=v - 1).unsqueeze(1)).squeeze(1)\n"
            + "        return [torch.stack([torch.to(ch, 7), torch.to(lp, 7)])]\n"
            + "    lp = lsm.gather(1, ch.unsqueeze(1)).squeeze(1)\n"
            + "    return [torch.stack([torch.to(ch, 7), torch.to(lp, 7)])]\n";

    /** A decoding script compiled once per process; null from {@link #module} when this engine cannot compile it. */
    private static final class Source {
        final String cls, text;
        private volatile PtSymbolBlock module;
        private volatile boolean failed;

        Source(String cls, String text) {
            this.cls = cls;
            this.text = text;
        }

        PtSymbolBlock module() {
            if (module != null || failed) return module;
            synchronized (DecodeScript.class) {
                if (module == null && !failed) {
                    try {
                        if (owner == null) owner = (PtNDManager) Torch.newManager();
                        byte[] archive = FusedOps.archive(cls, "  def forward(self: __torch__." + cls + ",\n    " + text);
                        module = JniUtils.loadModule(owner, new ByteArrayInputStream(archive), true, false);
                    } catch (IOException e) {
                        failed = true;
                        throw new UncheckedIOException(e);
                    } catch (RuntimeException e) {
                        failed = true;
                        System.err.println("prefer: scripted decoding step " + cls + " unavailable, using composite ops (" + e.getMessage() + ")");
                    }
                }
            }
            return module;
        }
    }

    private static final Source GPT2 = new Source("Gpt2Decode", GPT2_SOURCE);
    private static final Source LLAMA = new Source("LlamaDecode", LlamaDecode.SOURCE + CHOICE);
}
