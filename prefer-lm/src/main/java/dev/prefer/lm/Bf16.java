package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;

/**
 * bfloat16 weights and products without handing DJL a bfloat16 dtype. DJL 0.36's PyTorch JNI maps dtype codes 0-8
 * only and aborts the JVM on any call that passes a bfloat16 dtype (casts, creation, softmax; see
 * docs/results/lm-families.md, "Half precision"), but it holds a handle to a bfloat16 tensor a TorchScript module
 * returned, and passes it back into TorchScript, as long as no call asks for or hands over its dtype. So every
 * bfloat16 tensor is made, used and read here, inside tiny TorchScript modules (source text compiled by libtorch, as
 * {@link FusedOps} does), and everything a DJL op sees is float32:
 *
 * <ul>
 *   <li>{@link #fromFloat} / {@link #toFloat}: the weight storage (round to nearest even, exact back);</li>
 *   <li>{@link #linear}: {@code F.linear(x.bfloat16(), w.bfloat16(), b.bfloat16()).float()}, the bfloat16 product a
 *       bfloat16 transformers model (or {@code torch.autocast(dtype=bfloat16)} over float32 masters) computes, with a
 *       float32 result; gradients reach x (and w, b when they are float32 masters) through the casts;</li>
 *   <li>{@link #embedding}: the lookup in a bfloat16 table, as float32.</li>
 * </ul>
 *
 * <p>What differs from a bfloat16 transformers model: the activations between products (residual stream, norms,
 * attention softmax) stay float32, i.e. are rounded to bfloat16 only where a product reads them.
 */
public final class Bf16 {

    private Bf16() {}

    /** A bfloat16 copy of float32 {@code x} (no autograd), owned by x's manager. Never ask DJL for its dtype. */
    public static NDArray fromFloat(NDArray x) {
        return run(false, "Bf16From", "x: Tensor) -> Tensor:\n    return torch.to(x, 15)\n", x);
    }

    /** The float32 copy of a bfloat16 tensor (exact; no autograd), owned by x's manager. */
    public static NDArray toFloat(NDArray bf16) {
        return run(false, "Bf16To", "x: Tensor) -> Tensor:\n    return torch.to(x, 6)\n", bf16);
    }

    /**
     * x W^T (+ b) as a bfloat16 product: x (…, in) float32, w (out, in) bfloat16 or a float32 master, b (out) or null;
     * the result (…, out) is float32 (the bfloat16 product's values), recorded by autograd when gradients are.
     */
    public static NDArray linear(NDArray x, NDArray w, NDArray b) {
        if (b == null) {
            return run(true, "Bf16Linear", "x: Tensor, w: Tensor) -> Tensor:\n"
                    + "    return torch.to(torch.linear(torch.to(x, 15), torch.to(w, 15)), 6)\n", x, w);
        }
        return run(true, "Bf16LinearBias", "x: Tensor, w: Tensor, b: Tensor) -> Tensor:\n"
                + "    return torch.to(torch.linear(torch.to(x, 15), torch.to(w, 15), torch.to(b, 15)), 6)\n", x, w, b);
    }

    /** GPT-2's Conv1D x W + b with W stored (in, out), as {@link #linear} over W's transpose. */
    public static NDArray linearInOut(NDArray x, NDArray w, NDArray b) {
        return run(true, "Bf16Conv1d", "x: Tensor, w: Tensor, b: Tensor) -> Tensor:\n"
                + "    return torch.to(torch.linear(torch.to(x, 15), torch.t(torch.to(w, 15)), torch.to(b, 15)), 6)\n", x, w, b);
    }

    /** Whether {@link #gatedMlp} has activation {@code name} (transformers' ACT2FN name). */
    public static boolean fusesActivation(String name) {
        return ACTIVATIONS.containsKey(name);
    }

    private static final Map<String, String> ACTIVATIONS = Map.of("silu", "torch.silu(g)", "swish", "torch.silu(g)",
            "gelu_pytorch_tanh", "torch.gelu(g, approximate=\"tanh\")", "gelu_new", "torch.gelu(g, approximate=\"tanh\")",
            "gelu", "torch.gelu(g)");

    /**
     * down(act(gate(x)) * up(x)) without biases, the whole MLP in bfloat16 as a bfloat16 transformers model runs it:
     * the activation and the product are bfloat16 too, so what autograd keeps of the (…, F) intermediates is bfloat16,
     * half the float32 size. x (…, D) float32; weights bfloat16 or float32 masters; the result (…, D) float32.
     */
    public static NDArray gatedMlp(NDArray x, NDArray gate, NDArray up, NDArray down, String activation) {
        String act = ACTIVATIONS.get(activation);
        if (act == null) throw new IllegalArgumentException("no fused bfloat16 MLP for activation " + activation);
        return run(true, "Bf16Mlp" + Integer.toHexString(activation.hashCode()), "x: Tensor, wg: Tensor, wu: Tensor, wd: Tensor) -> Tensor:\n"
                + "    h = torch.to(x, 15)\n"
                + "    g = torch.linear(h, torch.to(wg, 15))\n"
                + "    u = torch.linear(h, torch.to(wu, 15))\n"
                + "    return torch.to(torch.linear(torch.mul(" + act + ", u), torch.to(wd, 15)), 6)\n", x, gate, up, down);
    }

    /** Rows {@code ids} (int64, any shape) of a bfloat16 table w (V, D), as float32 (…, D). */
    public static NDArray embedding(NDArray ids, NDArray w) {
        return run(true, "Bf16Embedding", "ids: Tensor, w: Tensor) -> Tensor:\n"
                + "    return torch.to(torch.embedding(w, ids), 6)\n", ids, w);
    }

    /**
     * Runs a module with the given inputs; the result belongs to the first input's manager. {@code grad}: under the
     * thread's grad mode (autograd records when it does), else with autograd off. Never under DJL's inference mode
     * (its {@code isTrain = false}): an inference tensor, e.g. a stored weight, cannot be saved for a backward pass.
     */
    private static NDArray run(boolean grad, String cls, String signatureAndBody, NDArray... inputs) {
        PtSymbolBlock m = FusedOps.module(cls, signatureAndBody);
        // named inputs (parameters carry their Hugging Face names) would become a dict: pass unnamed views instead
        NDArray[] in = new NDArray[inputs.length];
        boolean[] view = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            NDArray a = inputs[i];
            view[i] = a.getName() != null && !a.getName().isEmpty();
            in[i] = view[i] ? a.reshape(a.getShape()) : a;
        }
        try {
            PLAIN_EXECUTOR.get();
            if (grad) return IValueUtils.forward(m, new NDList(in), JniUtils.isGradMode()).singletonOrThrow();
            boolean mode = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                return IValueUtils.forward(m, new NDList(in), true).singletonOrThrow();
            } finally {
                JniUtils.setGradMode(mode);
            }
        } finally {
            for (int i = 0; i < in.length; i++) if (view[i]) in[i].close();
        }
    }

    /** Graph-executor optimisation off on this thread (TorchScript's profiling re-specialises per input shape). */
    private static final ThreadLocal<Boolean> PLAIN_EXECUTOR = ThreadLocal.withInitial(() -> {
        JniUtils.setGraphExecutorOptimize(false);
        return true;
    });
}
