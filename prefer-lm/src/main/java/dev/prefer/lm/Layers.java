package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;

/**
 * The shared pieces every family's block is written with: norms, activations, gated MLPs, head reshapes and
 * grouped-query attention with soft-capping. Results belong to the first operand's (step) manager.
 */
final class Layers {
    private Layers() {}

    static NDArray layerNorm(Transformer m, NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(x.getShape().getShape()[x.getShape().dimension() - 1]), m.p(name + ".weight"), m.p(name + ".bias"), (float) m.config().normEps())
                .singletonOrThrow();
    }

    /**
     * RMSNorm (Zhang and Sennrich 2019): w * x / sqrt(mean(x^2) + eps) over the last axis, as transformers'
     * LlamaRMSNorm; with {@code plusOne} the scale is (1 + w), as GemmaRMSNorm.
     */
    static NDArray rmsNorm(Transformer m, NDArray x, String weight, boolean plusOne) {
        DataType in = x.getDataType();
        boolean half = in == DataType.BFLOAT16 || in == DataType.FLOAT16;
        if (half) x = FusedOps.cast(x, DataType.FLOAT32); // transformers normalises in float32
        NDArray variance = x.square().mean(new int[] {-1}, true); // (…, 1)
        NDArray n = x.mul(variance.add(Transformer.constant(x, m.config().normEps())).pow(Transformer.constant(x, -0.5)));
        NDArray w = m.p(weight);
        if (!half) return plusOne ? n.mul(w.add(Transformer.constant(n, 1.0))) : n.mul(w);
        if (plusOne) { // Gemma: (x_normed * (1 + w.float())).type_as(x)
            NDArray wf = FusedOps.cast(w, DataType.FLOAT32);
            return FusedOps.cast(n.mul(wf.add(Transformer.constant(wf, 1.0))), in);
        }
        return FusedOps.cast(n, in).mul(w); // Llama: w * x_normed.to(input_dtype)
    }

    static NDArray activation(String name, NDArray x) {
        switch (name) {
            case "gelu_new":
            case "gelu_pytorch_tanh": {
                if (FusedOps.applies(x)) return FusedOps.geluTanh(x);
                // 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3) (Hendrycks and Gimpel 2016, tanh form),
                // written as x * sigmoid(2u) (identical: 0.5 (1 + tanh u) = sigmoid(2u)) to save two passes.
                NDArray twoU = x.square().mul(Transformer.constant(x, 0.044715)).add(Transformer.constant(x, 1.0)).mul(x)
                        .mul(Transformer.constant(x, 2.0 * Math.sqrt(2.0 / Math.PI)));
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
                throw new IllegalStateException("unsupported activation " + name);
        }
    }

    /** down(act(gate(x)) * up(x)): the SwiGLU/GeGLU MLP of Llama-style blocks (Shazeer 2020). */
    static NDArray gatedMlp(Transformer m, NDArray x, String gate, String up, String down, boolean bias) {
        if (!bias && m.bf16Products() && Bf16.fusesActivation(m.config().activation()) && !m.hasLinearDelta(gate, up, down)) {
            return Bf16.gatedMlp(x, m.p(gate + ".weight"), m.p(up + ".weight"), m.p(down + ".weight"), m.config().activation());
        }
        NDArray g = activation(m.config().activation(), m.linear(x, gate, bias)); // (B, T, F)
        return m.linear(g.mul(m.linear(x, up, bias)), down, bias);
    }

    /** (B, T, heads*E) -> (B, heads, T, E) */
    static NDArray heads(NDArray x, long b, long t, int heads, int e) {
        return x.reshape(b, t, heads, e).transpose(0, 2, 1, 3);
    }

    /** (B, T, heads*E) -> (B, T, heads, E): for per-head norms before the transpose. */
    static NDArray split(NDArray x, long b, long t, int heads, int e) {
        return x.reshape(b, t, heads, e);
    }

    /**
     * The queries, bias rows and residual stream of positions {@code from..T-1} only (views; {@code from} 0: all).
     * q: (B, H, T, E), bias (B or 1, 1, T, S), x (B, T, D).
     */
    static NDArray[] fromPosition(int from, NDArray q, NDArray bias, NDArray x) {
        if (from == 0) return new NDArray[] {q, bias, x};
        return new NDArray[] {q.get(new NDIndex(":, :, {}:", from)), bias.get(new NDIndex(":, :, {}:", from)), x.get(new NDIndex(":, {}:", from))};
    }

    /**
     * softmax(scale · q k^T [soft-capped] + bias) v with grouped-query sharing: query head h reads key/value head
     * h / (H/K), done by folding the group into the query length so keys and values are never copied. With a cache,
     * this step's keys and values are appended first.
     *
     * @param q       (B, H, T, E); k, v: (B, K, T, E)
     * @param softcap 0, or c: scores -> c tanh(scores / c) before the bias (Gemma 2)
     * @return (B, T, H*E)
     */
    static NDArray attention(Pass p, int layer, NDArray q, NDArray k, NDArray v, NDArray bias, double scale, double softcap) {
        if (p.cache != null) {
            NDArray[] kv = p.cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        long b = q.getShape().get(0), h = q.getShape().get(1), t = q.getShape().get(2), e = q.getShape().get(3);
        long kh = k.getShape().get(1), s = k.getShape().get(2);
        long g = h / kh;
        if (softcap == 0 && FusedOps.appliesToAttention(q, t, s)) {
            return FusedOps.attention(q, k, v, bias, scale).transpose(0, 2, 1, 3).reshape(b, t, h * e);
        }
        // Scaling q instead of the scores is bit-identical when the scale is a power of two (E = 4^k: 16, 64, 256)
        // and otherwise differs by one rounding; it touches T*E numbers instead of T*S.
        boolean onQ = isPowerOfTwo(scale);
        NDArray qs = onQ ? q.mul(Transformer.constant(q, scale)) : q;
        NDArray qg = g == 1 ? qs : qs.reshape(b, kh, g * t, e); // (B, K, G*T, E)
        NDArray scores = qg.matMul(k.transpose(0, 1, 3, 2)); // (B, K, G*T, S)
        if (g != 1) scores = scores.reshape(b, h, t, s); // (B, H, T, S)
        if (!onQ) scores = scores.mul(Transformer.constant(scores, scale));
        if (softcap > 0) scores = scores.div(Transformer.constant(scores, softcap)).tanh().mul(Transformer.constant(scores, softcap));
        NDArray probs;
        if (scores.getDataType() == DataType.FLOAT16) { // mask and softmax in float32, as transformers' softmax(dtype=float32)
            probs = FusedOps.cast(FusedOps.cast(scores, DataType.FLOAT32).add(bias).softmax(-1), DataType.FLOAT16);
        } else {
            probs = scores.add(bias).softmax(-1);
        }
        if (g != 1) probs = probs.reshape(b, kh, g * t, s);
        NDArray out = probs.matMul(v); // (B, K, G*T, E)
        return out.reshape(b, h, t, e).transpose(0, 2, 1, 3).reshape(b, t, h * e);
    }

    /** Zeroes the positions that are not real tokens (x: (B, T, D)), as transformers' apply_mask_to_padding_states. */
    static NDArray maskPadding(Pass p, NDArray x) {
        if (p.newValid == null) return x;
        boolean any = false;
        float[] keep = new float[p.newValid.length];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = p.newValid[i] ? 1f : 0f;
            any |= !p.newValid[i];
        }
        if (!any) return x;
        NDArray k = Transformer.engineOwned(p.step.create(keep, new Shape(p.b, p.t, 1)));
        if (x.getDataType() != DataType.FLOAT32) k = k.toType(x.getDataType(), false);
        return x.mul(k);
    }

    static boolean isPowerOfTwo(double x) {
        return x > 0 && Math.getExponent(x) > Double.MIN_EXPONENT && x == Math.scalb(1.0, Math.getExponent(x));
    }
}
