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
import java.util.List;

/**
 * One GPT-2 decoding step (one new token per row, KV cache) as a single TorchScript call, for
 * {@link BatchGeneration}: the ~70 engine ops of a step run inside libtorch instead of one JNI call (and DJL array)
 * each, and keys/values go into preallocated (R, H, S_max, E) buffers in place instead of being concatenated (a copy
 * of the whole cache per layer per step). The maths is transformers' {@code GPT2Block} (Conv1D as
 * {@code addmm(b, x, W)}, scores divided by sqrt(E), tanh GELU); the composite path of {@link Transformer#forward}
 * stays the reference (the greedy fixtures and the logps test run through this one).
 *
 * <p>Used for float32 GPT-2 models without attached linear deltas (LoRA); other models take the composite path.
 * {@code -Dprefer.decodeScript=false} turns it off. The module source is compiled in memory, as {@link FusedOps} does.
 */
final class DecodeScript {
    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("prefer.decodeScript", "true"));
    private static volatile PtSymbolBlock module;
    private static volatile boolean failed;
    private static PtNDManager owner;

    private final Transformer model;
    private final IValue weights;
    private final NDManager manager;
    private final int heads;
    private final double eps, scale;
    private NDArray[] keys, values; // per layer (R, H, S_max, E)

    private DecodeScript(Transformer model, NDManager manager, NDArray[] keys, NDArray[] values) {
        this.model = model;
        this.manager = manager;
        this.keys = keys;
        this.values = values;
        ModelConfig c = model.config();
        this.heads = c.numHeads();
        this.eps = c.normEps();
        this.scale = Math.sqrt(c.headDim());
        List<PtNDArray> w = new ArrayList<>();
        String p = "transformer.";
        w.add((PtNDArray) model.p(p + "wte.weight"));
        w.add((PtNDArray) model.p(p + "wpe.weight"));
        for (int i = 0; i < c.numLayers(); i++) {
            String l = p + "h." + i + ".";
            for (String n : new String[] {"ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
                    "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"}) {
                w.add((PtNDArray) model.p(l + n));
            }
        }
        w.add((PtNDArray) model.p(p + "ln_f.weight"));
        w.add((PtNDArray) model.p(p + "ln_f.bias"));
        w.add((PtNDArray) model.outputEmbedding());
        this.weights = IValue.listFrom(w.toArray(PtNDArray[]::new));
    }

    /** Whether the scripted step serves this model. */
    static boolean applies(Transformer model) {
        return ENABLED && !failed && model.config().architecture() == Architecture.GPT2 && model.dtype() == DataType.FLOAT32
                && !model.hasLinearDeltas() && module() != null;
    }

    /**
     * Takes over a prefilled cache: its (R, H, S, E) keys and values are copied into buffers of {@code capacity}
     * positions owned by {@code manager}.
     */
    static DecodeScript from(Transformer model, Transformer.KvCache cache, int capacity, NDManager manager) {
        int layers = model.config().numLayers();
        NDArray[] k = new NDArray[layers], v = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
            k[l] = grow(cache.keys[l], capacity, manager);
            v[l] = grow(cache.values[l], capacity, manager);
        }
        return new DecodeScript(model, manager, k, v);
    }

    private static NDArray grow(NDArray a, int capacity, NDManager manager) {
        Shape s = a.getShape();
        NDArray pad = manager.zeros(new Shape(s.get(0), s.get(1), capacity - s.get(2), s.get(3)), a.getDataType());
        NDArray out = a.concat(pad, 2);
        out.attach(manager);
        pad.close();
        return out;
    }

    /** The step's outputs on the host. */
    record Out(float[] probs, float[] logSoftmax, long[] argmax) {}

    /**
     * One token per row: row r feeds {@code ids[r]} at position {@code pos[r]}, writes its key/value at slot
     * {@code length − 1} and attends to slots {@code offsets[r]..length−1}.
     *
     * @return softmax(logits / temperature) (R·V; null when greedy), log_softmax(logits) (R·V), arg-max (R)
     */
    Out step(long[] ids, long[] pos, long[] offsets, int length, double temperature, boolean greedy) {
        PtNDManager m = (PtNDManager) manager;
        PLAIN_EXECUTOR.get();
        List<IValue> args = new ArrayList<>();
        try {
            args.add(IValue.listFrom(ids));
            args.add(IValue.listFrom(pos));
            args.add(IValue.listFrom(offsets));
            args.add(IValue.from((long) length));
            args.add(IValue.from(temperature));
            args.add(IValue.from(greedy));
            args.add(weights);
            args.add(IValue.listFrom(java.util.Arrays.stream(keys).map(a -> (PtNDArray) a).toArray(PtNDArray[]::new)));
            args.add(IValue.listFrom(java.util.Arrays.stream(values).map(a -> (PtNDArray) a).toArray(PtNDArray[]::new)));
            args.add(IValue.from((long) heads));
            args.add(IValue.from(eps));
            args.add(IValue.from(scale));
            try (IValue out = IValueUtils.forward(module, args.toArray(IValue[]::new))) {
                PtNDArray[] t = out.toTensorArray(m);
                try {
                    return new Out(greedy ? null : t[0].toFloatArray(), t[1].toFloatArray(), t[2].toLongArray());
                } finally {
                    for (PtNDArray a : t) a.close();
                }
            }
        } finally {
            for (IValue a : args) if (a != weights) a.close();
        }
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
        }
    }

    void close() {
        weights.close();
        for (NDArray a : keys) a.close();
        for (NDArray a : values) a.close();
    }

    /** Graph-executor optimisation off on this thread (it would re-specialise the graph as S grows every step). */
    private static final ThreadLocal<Boolean> PLAIN_EXECUTOR = ThreadLocal.withInitial(() -> {
        JniUtils.setGraphExecutorOptimize(false);
        return true;
    });

    private static final String SOURCE = ""
            + "ids: List[int], pos: List[int], offs: List[int], s: int, temperature: float, greedy: bool,"
            + " w: List[Tensor], kc: List[Tensor], vc: List[Tensor], nh: int, eps: float, scale: float) -> List[Tensor]:\n"
            + "    b = len(ids)\n"
            + "    dev = w[0].device\n"
            + "    x = torch.embedding(w[0], torch.tensor(ids, device=dev)) + torch.embedding(w[1], torch.tensor(pos, device=dev))\n"
            + "    d = x.size(1)\n"
            + "    e = d // nh\n"
            + "    cols = torch.arange(s, device=dev).view(1, s)\n"
            + "    bias = (cols < torch.tensor(offs, device=dev).view(b, 1)).to(x.dtype).mul(-1e9).view(b, 1, 1, s)\n"
            + "    for i in range(len(kc)):\n"
            + "        o = 2 + 12 * i\n"
            + "        hn = torch.layer_norm(x, [d], w[o], w[o + 1], eps)\n"
            + "        qkv = torch.addmm(w[o + 3], hn, w[o + 2])\n"
            + "        q = qkv.narrow(1, 0, d).reshape(b, nh, 1, e)\n"
            + "        kc[i].narrow(2, s - 1, 1).copy_(qkv.narrow(1, d, d).reshape(b, nh, 1, e))\n"
            + "        vc[i].narrow(2, s - 1, 1).copy_(qkv.narrow(1, 2 * d, d).reshape(b, nh, 1, e))\n"
            + "        att = torch.matmul(q, kc[i].narrow(2, 0, s).transpose(2, 3)) / scale + bias\n"
            + "        y = torch.matmul(torch.softmax(att, -1), vc[i].narrow(2, 0, s)).reshape(b, d)\n"
            + "        x = x + torch.addmm(w[o + 5], y, w[o + 4])\n"
            + "        hn = torch.layer_norm(x, [d], w[o + 6], w[o + 7], eps)\n"
            + "        x = x + torch.addmm(w[o + 11], torch.gelu(torch.addmm(w[o + 9], hn, w[o + 8]), approximate=\"tanh\"), w[o + 10])\n"
            + "    n = len(w)\n"
            + "    x = torch.layer_norm(x, [d], w[n - 3], w[n - 2], eps)\n"
            + "    logits = torch.mm(x, w[n - 1].t())\n"
            + "    lsm = torch.log_softmax(logits, -1)\n"
            + "    if greedy:\n"
            + "        probs = lsm\n"
            + "    else:\n"
            + "        probs = torch.softmax(logits / temperature, -1)\n"
            + "    return [probs, lsm, torch.argmax(logits, -1)]\n";

    private static PtSymbolBlock module() {
        if (module != null || failed) return module;
        synchronized (DecodeScript.class) {
            if (module == null && !failed) {
                try {
                    if (owner == null) owner = (PtNDManager) Torch.newManager();
                    byte[] archive = FusedOps.archive("Gpt2Decode", "  def forward(self: __torch__.Gpt2Decode,\n    " + SOURCE);
                    module = JniUtils.loadModule(owner, new ByteArrayInputStream(archive), true, false);
                } catch (IOException e) {
                    failed = true;
                    throw new UncheckedIOException(e);
                } catch (RuntimeException e) {
                    failed = true;
                    System.err.println("prefer: scripted decoding step unavailable, using composite ops (" + e.getMessage() + ")");
                }
            }
        }
        return module;
    }
}
