package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The Llama layout and its close relatives (transformers' {@code modeling_llama.py}, {@code modeling_mistral.py},
 * {@code modeling_qwen2.py}, {@code modeling_qwen3.py}, {@code modeling_smollm3.py}): pre-norm RMSNorm blocks, rotary
 * positions, grouped-query attention, SwiGLU MLP. The variants differ only in projection biases (Qwen2: q/k/v),
 * per-head q/k RMSNorm (Qwen3), sliding-window layers (Mistral, Qwen2/3 with {@code use_sliding_window}) and layers
 * without rotary positions (SmolLM3).
 */
class LlamaFamily extends Family {
    enum Kind { LLAMA, QWEN2, MISTRAL, QWEN3, SMOLLM3 }

    static final String P = "model.";
    final Kind kind;

    LlamaFamily(Kind kind) {
        this.kind = kind;
    }

    @Override
    ModelConfig parse(ModelConfig.Keys k, Architecture arch, ModelConfig.Head head, int numLabels, int bos, List<Integer> eos, int pad) {
        int d = k.i("hidden_size", -1);
        int h = k.i("num_attention_heads", -1);
        int layers = k.i("num_hidden_layers", -1);
        int kv = k.opt("num_key_value_heads", h);
        int hd = k.opt("head_dim", kind == Kind.QWEN3 && !k.has("head_dim") ? 128 : (h > 0 ? d / h : -1));
        boolean ab = k.b("attention_bias", false);
        boolean attnBias = kind == Kind.QWEN2 || ab;
        boolean outBias = kind != Kind.QWEN2 && ab;
        boolean mlpBias = (kind == Kind.LLAMA || kind == Kind.SMOLLM3) && k.b("mlp_bias", false);
        var block = k.ropeBlock(null);
        double theta = k.ropeTheta(block, 10000.0);
        List<String> types = layerTypes(k, layers);
        int window = types.contains("sliding_attention") ? k.i("sliding_window", -1) : 0;
        List<Boolean> rope = new ArrayList<>(Collections.nCopies(Math.max(layers, 0), true));
        if (kind == Kind.SMOLLM3) {
            List<Integer> flags = k.ints("no_rope_layers");
            int interval = k.i("no_rope_layer_interval", 4);
            for (int i = 0; i < layers; i++) {
                if (flags != null) {
                    if (flags.size() < layers) throw k.bad("no_rope_layers", "needs one entry per layer (" + layers + "), got " + flags.size());
                    rope.set(i, flags.get(i) != 0);
                } else {
                    rope.set(i, (i + 1) % interval != 0);
                }
            }
        }
        ModelConfig.Layout layout = new ModelConfig.Layout(types, window, 1.0 / Math.sqrt(hd), 0, 0, Double.NaN, rope, 0, false);
        return new ModelConfig(arch, head, k.i("vocab_size", -1), d, layers, h, kv, hd, k.i("intermediate_size", -1),
                k.i("max_position_embeddings", 2048), k.d("rms_norm_eps", 1e-6), theta, k.s("hidden_act", "silu"),
                k.b("tie_word_embeddings", false), attnBias, outBias, mlpBias, numLabels, bos, eos, pad, k.ropeScaling(block), layout,
                k.root().toString());
    }

    /**
     * {@code layer_types} when given; else Mistral: every layer sliding when {@code sliding_window} is set; Qwen2/3 and
     * SmolLM3: sliding from layer {@code max_window_layers} on when {@code use_sliding_window}; Llama: all full.
     */
    private List<String> layerTypes(ModelConfig.Keys k, int layers) {
        List<String> given = k.strings("layer_types");
        if (given != null) {
            if (given.size() < layers) throw k.bad("layer_types", "needs one entry per layer (" + layers + "), got " + given.size());
            return given.subList(0, layers);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.max(layers, 0); i++) {
            boolean sliding = switch (kind) {
                case MISTRAL -> k.has("sliding_window");
                case QWEN2, QWEN3, SMOLLM3 -> k.b("use_sliding_window", false) && k.has("sliding_window") && i >= k.i("max_window_layers", 28);
                default -> false;
            };
            out.add(sliding ? "sliding_attention" : "full_attention");
        }
        return out;
    }

    @Override
    void backboneShapes(ModelConfig c, LinkedHashMap<String, long[]> m) {
        long d = c.hiddenSize(), f = c.intermediateSize(), v = c.vocabSize();
        long q = (long) c.numHeads() * c.headDim(), kv = (long) c.numKvHeads() * c.headDim();
        m.put(P + "embed_tokens.weight", new long[] {v, d});
        for (int i = 0; i < c.numLayers(); i++) {
            String l = P + "layers." + i + ".";
            m.put(l + "input_layernorm.weight", new long[] {d});
            attentionShapes(c, l + "self_attn.", q, kv, d, m);
            m.put(l + "post_attention_layernorm.weight", new long[] {d});
            mlpShapes(c, l + "mlp.", d, f, m);
        }
        m.put(P + "norm.weight", new long[] {d});
    }

    void attentionShapes(ModelConfig c, String a, long q, long kv, long d, LinkedHashMap<String, long[]> m) {
        m.put(a + "q_proj.weight", new long[] {q, d});
        if (c.attentionBias()) m.put(a + "q_proj.bias", new long[] {q});
        m.put(a + "k_proj.weight", new long[] {kv, d});
        if (c.attentionBias()) m.put(a + "k_proj.bias", new long[] {kv});
        m.put(a + "v_proj.weight", new long[] {kv, d});
        if (c.attentionBias()) m.put(a + "v_proj.bias", new long[] {kv});
        m.put(a + "o_proj.weight", new long[] {d, q});
        if (c.outputBias()) m.put(a + "o_proj.bias", new long[] {d});
        if (kind == Kind.QWEN3) {
            m.put(a + "q_norm.weight", new long[] {c.headDim()});
            m.put(a + "k_norm.weight", new long[] {c.headDim()});
        }
    }

    void mlpShapes(ModelConfig c, String p, long d, long f, LinkedHashMap<String, long[]> m) {
        m.put(p + "gate_proj.weight", new long[] {f, d});
        if (c.mlpBias()) m.put(p + "gate_proj.bias", new long[] {f});
        m.put(p + "up_proj.weight", new long[] {f, d});
        if (c.mlpBias()) m.put(p + "up_proj.bias", new long[] {f});
        m.put(p + "down_proj.weight", new long[] {d, f});
        if (c.mlpBias()) m.put(p + "down_proj.bias", new long[] {d});
    }

    @Override
    String embeddingName() {
        return P + "embed_tokens.weight";
    }

    @Override
    NDArray embed(Transformer m, Pass p) {
        return m.tokenEmbedding(p, embeddingName()); // (B, T, D)
    }

    /** Queries, keys and values (B, heads, T, E) of the normed input, before rotary positions. */
    NDArray[] qkv(Transformer m, String a, NDArray hn, long b, long t) {
        ModelConfig c = m.config();
        int e = c.headDim();
        NDArray q = m.linear(hn, a + "q_proj", c.attentionBias());
        NDArray k = m.linear(hn, a + "k_proj", c.attentionBias());
        NDArray v = m.linear(hn, a + "v_proj", c.attentionBias());
        if (kind == Kind.QWEN3) {
            // Qwen3Attention: q_norm / k_norm (RMSNorm over the head width) before the transpose and rotary
            q = Layers.rmsNorm(m, Layers.split(q, b, t, c.numHeads(), e), a + "q_norm.weight", false).transpose(0, 2, 1, 3);
            k = Layers.rmsNorm(m, Layers.split(k, b, t, c.numKvHeads(), e), a + "k_norm.weight", false).transpose(0, 2, 1, 3);
        } else {
            q = Layers.heads(q, b, t, c.numHeads(), e);
            k = Layers.heads(k, b, t, c.numKvHeads(), e);
        }
        return new NDArray[] {q, k, Layers.heads(v, b, t, c.numKvHeads(), e)};
    }

    /** Self-attention of block i on the normed input hn; output (B, T − from, D) after the output projection. */
    NDArray selfAttention(Transformer m, int i, String a, NDArray hn, Pass p, int from, NDArray[] residual) {
        ModelConfig c = m.config();
        long b = hn.getShape().get(0), t = hn.getShape().get(1);
        NDArray[] qkv = qkv(m, a, hn, b, t);
        NDArray q = qkv[0], k = qkv[1];
        if (c.layout().ropeLayers().get(i)) {
            NDArray[] rope = rope(p, i);
            q = Rotary.apply(q, rope);
            k = Rotary.apply(k, rope);
        }
        NDArray[] sel = Layers.fromPosition(from, q, p.bias(i), residual[0]);
        residual[0] = sel[2];
        NDArray attn = Layers.attention(p, i, sel[0], k, qkv[2], sel[1], c.layout().attentionScale(), c.layout().attnSoftcap()); // (B, T - from, H*E)
        return m.linear(attn, a + outputProjection(), c.outputBias());
    }

    String outputProjection() {
        return "o_proj";
    }

    /** Rotary tables of layer i (local layers may have their own base). */
    NDArray[] rope(Pass p, int i) {
        ModelConfig c = p.config;
        if (c.layout().sliding(i) && !Double.isNaN(c.layout().localRopeTheta())) return p.rope(c.layout().localRopeTheta(), false);
        return p.rope(c.ropeTheta(), true);
    }

    NDArray mlp(Transformer m, String l, NDArray x) {
        return Layers.gatedMlp(m, x, l + "mlp.gate_proj", l + "mlp.up_proj", l + "mlp.down_proj", m.config().mlpBias());
    }

    @Override
    NDArray block(Transformer m, int i, NDArray x, Pass p, int from) {
        String l = P + "layers." + i + ".";
        NDArray hn = Layers.rmsNorm(m, x, l + "input_layernorm.weight", false); // (B, T, D)
        NDArray[] residual = {x};
        NDArray attn = selfAttention(m, i, l + "self_attn.", hn, p, from, residual);
        x = residual[0].add(attn);
        return x.add(mlp(m, l, Layers.rmsNorm(m, x, l + "post_attention_layernorm.weight", false)));
    }

    @Override
    NDArray finalNorm(Transformer m, NDArray x) {
        return Layers.rmsNorm(m, x, P + "norm.weight", false);
    }
}
