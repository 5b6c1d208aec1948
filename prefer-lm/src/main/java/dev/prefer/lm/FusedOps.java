package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Fused libtorch kernels that DJL's NDArray API does not expose: the tanh-approximate GELU
 * ({@code torch.gelu(x, approximate="tanh")}, one pass forward and one backward instead of a chain of 7 element-wise
 * ops and their ~12 backward ops) and {@code torch.scaled_dot_product_attention} (scores, softmax and the value
 * product in one kernel with its own backward), and AdamW's update ({@code torch._fused_adamw_}, one pass over each
 * parameter instead of a dozen whole-buffer ops). Each is the {@code forward} of a tiny TorchScript module whose
 * archive is written here, in memory, as source text (no Python, no binary file): libtorch compiles it when it is
 * loaded, and DJL runs it with autograd recording when gradients are.
 *
 * <p>float32 only: the float64 twin of the model keeps the textbook formulas (it is the independent check of the
 * float32 path). {@code -Dprefer.fused=false} turns the kernels off (the composite ops then run, as before), and
 * {@code -Dprefer.fused.attention=false} only the attention kernel (for A/B timing). If an engine cannot load the
 * modules, the composite ops run as well; {@link #available()} tells which.
 */
public final class FusedOps {
    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("prefer.fused", "true"));
    private static final boolean ATTENTION = !"false".equalsIgnoreCase(System.getProperty("prefer.fused.attention", "true"));
    private static final Map<String, PtSymbolBlock> MODULES = new ConcurrentHashMap<>();
    private static volatile Boolean available;
    private static PtNDManager owner;

    private FusedOps() {}

    /** Whether the fused kernels are on and load on this engine. */
    public static boolean available() {
        if (!ENABLED) return false;
        if (available == null) {
            synchronized (FusedOps.class) {
                if (available == null) {
                    try {
                        module("Gelu", GELU);
                        module(sdpaName(false, 1.0), sdpaSource(false, 1.0)); // these compile on this libtorch
                        module("AdamW", ADAMW);
                        available = true;
                    } catch (RuntimeException e) {
                        System.err.println("prefer: fused kernels unavailable, using composite ops (" + e.getMessage() + ")");
                        available = false;
                    }
                }
            }
        }
        return available;
    }

    /** Whether {@code x} takes the fused path: float32 and {@link #available()}. */
    public static boolean applies(NDArray x) {
        return x.getDataType() == DataType.FLOAT32 && available();
    }

    /**
     * Whether attention of {@code t} queries over {@code s} keys takes the fused kernel: only from 16 queries and 128
     * keys. libtorch's CPU kernel tiles long sequences; on short ones it lost to the composite ops (micro-benchmark,
     * forward + backward, (B·H 512, T = S = 12): 7.6–11.3 ms against 4.3–5.9), was even at T = S = 128 and ahead at
     * 320, and it never stores the (B, H, T, S) probabilities.
     */
    public static boolean appliesToAttention(NDArray q, long t, long s) {
        return ATTENTION && t >= 16 && s >= 128 && applies(q);
    }

    /** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as {@code torch.nn.functional.gelu(x, approximate="tanh")}. */
    public static NDArray geluTanh(NDArray x) {
        return run(module("Gelu", GELU), x);
    }

    /**
     * softmax(q k^T · scale + bias) v, as {@code torch.nn.functional.scaled_dot_product_attention}; q (B, H, T, E),
     * k and v (B, K, S, E) with K dividing H (grouped-query attention), bias broadcastable to (B, H, T, S).
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray bias, double scale) {
        boolean gqa = q.getShape().get(1) != k.getShape().get(1);
        return run(module(sdpaName(gqa, scale), sdpaSource(gqa, scale)), q, k, v, bias);
    }

    /**
     * One AdamW step in place (libtorch's fused CPU kernel {@code torch._fused_adamw_}, the update of
     * {@code torch.optim.AdamW(fused=True)}: one pass per parameter): for each i, params[i] ← params[i] − lr·λ·params[i];
     * m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²; params[i] ← params[i] − (lr / (1 − β1^t)) · m / (sqrt(v) /
     * sqrt(1 − β2^t) + ε). Lists are index-aligned, each tensor contiguous; {@code step} is a 0-dim float32 t shared
     * by all. Runs without autograd.
     */
    public static void adamw(List<NDArray> params, List<NDArray> grads, List<NDArray> m, List<NDArray> v, NDArray step,
                             double lr, double beta1, double beta2, double weightDecay, double eps) {
        int n = params.size();
        if (grads.size() != n || m.size() != n || v.size() != n) throw new IllegalArgumentException("lists must be index-aligned");
        NDList in = new NDList(5 * n + 1);
        String[] names = {"p[]", "g[]", "m[]", "v[]"};
        List<List<NDArray>> lists = List.of(params, grads, m, v);
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        NDManager scope = step.getManager().newSubManager();
        try {
            for (int l = 0; l < 4; l++) {
                for (NDArray a : lists.get(l)) {
                    // IValueUtils groups inputs named "x[]" into one list argument; name a view, not the caller's array
                    NDArray view = a.reshape(a.getShape());
                    view.attach(scope);
                    view.setName(names[l]);
                    in.add(view);
                }
            }
            for (int i = 0; i < n; i++) {
                NDArray s = step.reshape(step.getShape());
                s.attach(scope);
                s.setName("s[]");
                in.add(s);
            }
            NDArray h = scope.create(new double[] {lr, beta1, beta2, weightDecay, eps});
            h.setName("h");
            in.add(h);
            PLAIN_EXECUTOR.get();
            IValueUtils.forward(module("AdamW", ADAMW), in, false).close();
        } finally {
            scope.close();
            JniUtils.setGradMode(grad);
        }
    }

    private static final String ADAMW = "p: List[Tensor], g: List[Tensor], m: List[Tensor], v: List[Tensor], s: List[Tensor],"
            + " h: Tensor) -> Tensor:\n"
            + "    torch._fused_adamw_(p, g, m, v, [], s, lr=float(h[0]), beta1=float(h[1]), beta2=float(h[2]),"
            + " weight_decay=float(h[3]), eps=float(h[4]), amsgrad=False, maximize=False)\n"
            + "    return h\n";

    /**
     * x cast to float16 or float32 inside the autograd graph ({@code x.half()} / {@code x.float()}): DJL's
     * {@code toType} detaches its result, so mixed precision casts the float32 masters through this. Without the
     * TorchScript modules it falls back to {@code toType} (no gradient through the cast).
     */
    public static NDArray cast(NDArray x, DataType to) {
        if (x.getDataType() == to) return x;
        if (!available() || !JniUtils.isGradMode() || (to != DataType.FLOAT16 && to != DataType.FLOAT32)) return x.toType(to, false);
        // IValueUtils turns named inputs (parameters carry their Hugging Face names) into a dict: pass an unnamed view;
        // its handle is closed after the call (the autograd graph holds its own reference)
        boolean named = x.getName() != null && !x.getName().isEmpty();
        NDArray in = named ? x.reshape(x.getShape()) : x;
        try {
            return to == DataType.FLOAT16 ? run(module("ToHalf", "x: Tensor) -> Tensor:\n    return x.half()\n"), in)
                    : run(module("ToFloat", "x: Tensor) -> Tensor:\n    return x.float()\n"), in);
        } finally {
            if (named) in.close();
        }
    }

    private static final String GELU = "x: Tensor) -> Tensor:\n    return torch.gelu(x, approximate=\"tanh\")\n";

    private static String sdpaName(boolean gqa, double scale) {
        return "Sdpa" + (gqa ? "Gqa" : "") + Long.toHexString(Double.doubleToLongBits(scale));
    }

    /** The scale is a literal: Double.toString is the shortest round-trip form, which TorchScript parses exactly. */
    private static String sdpaSource(boolean gqa, double scale) {
        return "q: Tensor, k: Tensor, v: Tensor, bias: Tensor) -> Tensor:\n"
                + "    return torch.scaled_dot_product_attention(q, k, v, bias, 0.0, False, scale=" + Double.toString(scale)
                + (gqa ? ", enable_gqa=True" : "") + ")\n";
    }

    /** Graph-executor optimisation off on this thread (TorchScript's profiling re-specialises per input shape). */
    private static final ThreadLocal<Boolean> PLAIN_EXECUTOR = ThreadLocal.withInitial(() -> {
        JniUtils.setGraphExecutorOptimize(false);
        return true;
    });

    private static NDArray run(PtSymbolBlock m, NDArray... inputs) {
        PLAIN_EXECUTOR.get();
        // isTrain = true: run under the thread's grad mode (DJL's false would also turn autograd off)
        return IValueUtils.forward(m, new NDList(inputs), JniUtils.isGradMode()).singletonOrThrow();
    }

    /** The TorchScript module {@code cls} with one forward method, compiled from source once per process (also {@link Bf16}'s). */
    static PtSymbolBlock module(String cls, String signatureAndBody) {
        PtSymbolBlock m = MODULES.get(cls);
        if (m != null) return m;
        synchronized (FusedOps.class) {
            m = MODULES.get(cls);
            if (m == null) {
                if (owner == null) owner = (PtNDManager) Torch.newManager();
                byte[] archive = archive(cls, "  def forward(self: __torch__." + cls + ",\n    " + signatureAndBody);
                try {
                    m = JniUtils.loadModule(owner, new ByteArrayInputStream(archive), true, false);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                MODULES.put(cls, m);
            }
            return m;
        }
    }

    /**
     * A TorchScript archive of one parameterless module class {@code cls} with the given method source: the zip
     * layout {@code torch.jit.save} writes ({@code data.pkl}: the pickled module object with its {@code training}
     * flag; {@code code/__torch__.py}: the class source; {@code constants.pkl}: an empty tuple; {@code .data/version}),
     * entries stored uncompressed.
     */
    static byte[] archive(String cls, String methods) {
        String code = "class " + cls + "(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n" + methods;
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        // pickle protocol 2: GLOBAL __torch__.<cls>, EMPTY_TUPLE, NEWOBJ, {"training": True}, BUILD, STOP
        pkl.writeBytes(new byte[] {(byte) 0x80, 2, 'c'});
        pkl.writeBytes(("__torch__\n" + cls + "\n").getBytes(StandardCharsets.US_ASCII));
        pkl.writeBytes(new byte[] {'q', 0, ')', (byte) 0x81, '}', '(', 'X', 8, 0, 0, 0});
        pkl.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
        pkl.writeBytes(new byte[] {'q', 1, (byte) 0x88, 'u', 'b', 'q', 2, '.'});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            stored(z, "archive/data.pkl", pkl.toByteArray());
            stored(z, "archive/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            stored(z, "archive/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(z, "archive/.data/version", "10\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void stored(ZipOutputStream z, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }
}
