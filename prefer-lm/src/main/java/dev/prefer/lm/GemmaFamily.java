package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Gemma 2 and Gemma 3 text models (transformers' {@code modeling_gemma2.py}, {@code modeling_gemma3.py}): RMSNorm with
 * a (1 + w) scale around both sub-blocks ("sandwich" norms: input, post-attention, pre- and post-feed-forward),
 * embeddings multiplied by sqrt(D), attention scale {@code query_pre_attn_scalar^-1/2}, GeGLU MLP
 * ({@code hidden_activation}), sliding-window and global layers ({@code layer_types}); Gemma 2 soft-caps attention
 * and final logits, Gemma 3 adds per-head q/k norms and a separate rotary base for the sliding layers.
 */
final class GemmaFamily extends LlamaFamily {
    private final int version;

    GemmaFamily(int version) {
        super(Kind.LLAMA);
        this.version = version;
    }

    @Override
    ModelConfig parse(ModelConfig.Keys k, Architecture arch, ModelConfig.Head head, int numLabels, int bos, List<Integer> eos, int pad) {
        int d = k.i("hidden_size", -1);
        int h = k.i("num_attention_heads", -1);
        int layers = k.i("num_hidden_layers", -1);
        int kv = k.opt("num_key_value_heads", h);
        int hd = k.i("head_dim", 256);
        List<String> types = k.strings("layer_types");
        if (types == null) {
            // Gemma2Config: sliding on even layers; Gemma3TextConfig: every sliding_window_pattern-th layer is global
            int pattern = version == 2 ? 2 : k.i("sliding_window_pattern", 6);
            types = new ArrayList<>();
            for (int i = 0; i < Math.max(layers, 0); i++) types.add((i + 1) % pattern != 0 ? "sliding_attention" : "full_attention");
        } else if (types.size() < layers) {
            throw k.bad("layer_types", "needs one entry per layer (" + layers + "), got " + types.size());
        } else {
            types = types.subList(0, layers);
        }
        int window = types.contains("sliding_attention") ? k.i("sliding_window", 4096) : 0;
        double scale = 1.0 / Math.sqrt(k.d("query_pre_attn_scalar", 256));
        double attnCap = k.has("attn_logit_softcapping") ? k.d("attn_logit_softcapping", 0) : version == 2 && !k.root().has("attn_logit_softcapping") ? 50.0 : 0;
        double finalCap = k.has("final_logit_softcapping") ? k.d("final_logit_softcapping", 0) : version == 2 && !k.root().has("final_logit_softcapping") ? 30.0 : 0;
        var global = k.ropeBlock("full_attention");
        double theta = k.ropeTheta(global, version == 2 ? 10000.0 : 1_000_000.0);
        double local = Double.NaN;
        if (version == 3) {
            var lb = k.ropeBlock("sliding_attention");
            local = lb != global && lb.has("rope_theta") ? ModelConfig.numKey(k.file(), lb, "rope_theta", 10000.0) : k.d("rope_local_base_freq", 10000.0);
        }
        String act = k.has("hidden_activation") ? k.s("hidden_activation", "gelu_pytorch_tanh") : k.s("hidden_act", "gelu_pytorch_tanh");
        ModelConfig.Layout layout = new ModelConfig.Layout(types, window, scale, attnCap, finalCap, local,
                Collections.nCopies(Math.max(layers, 0), true), 0, false);
        boolean bias = k.b("attention_bias", false);
        return new ModelConfig(arch, head, k.i("vocab_size", -1), d, layers, h, kv, hd, k.i("intermediate_size", -1),
                k.i("max_position_embeddings", 8192), k.d("rms_norm_eps", 1e-6), theta, act, k.b("tie_word_embeddings", true),
                bias, bias, false, numLabels, bos, eos, pad, k.ropeScaling(global), layout, k.root().toString());
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
            if (version == 3) {
                m.put(l + "self_attn.q_norm.weight", new long[] {c.headDim()});
                m.put(l + "self_attn.k_norm.weight", new long[] {c.headDim()});
            }
            m.put(l + "post_attention_layernorm.weight", new long[] {d});
            m.put(l + "pre_feedforward_layernorm.weight", new long[] {d});
            m.put(l + "post_feedforward_layernorm.weight", new long[] {d});
            mlpShapes(c, l + "mlp.", d, f, m);
        }
        m.put(P + "norm.weight", new long[] {d});
    }

    @Override
    NDArray embed(Transformer m, Pass p) {
        NDArray x = m.tokenEmbedding(p, embeddingName()); // (B, T, D)
        // Gemma2Model: hidden * tensor(hidden_size ** 0.5, dtype=hidden.dtype); Gemma3TextScaledWordEmbedding the same
        return x.mul(Transformer.constant(x, Math.sqrt(m.config().hiddenSize())));
    }

    @Override
    NDArray[] qkv(Transformer m, String a, NDArray hn, long b, long t) {
        ModelConfig c = m.config();
        int e = c.headDim();
        NDArray q = m.linear(hn, a + "q_proj", c.attentionBias());
        NDArray k = m.linear(hn, a + "k_proj", c.attentionBias());
        NDArray v = m.linear(hn, a + "v_proj", c.attentionBias());
        if (version == 3) {
            q = Layers.rmsNorm(m, Layers.split(q, b, t, c.numHeads(), e), a + "q_norm.weight", true).transpose(0, 2, 1, 3);
            k = Layers.rmsNorm(m, Layers.split(k, b, t, c.numKvHeads(), e), a + "k_norm.weight", true).transpose(0, 2, 1, 3);
        } else {
            q = Layers.heads(q, b, t, c.numHeads(), e);
            k = Layers.heads(k, b, t, c.numKvHeads(), e);
        }
        return new NDArray[] {q, k, Layers.heads(v, b, t, c.numKvHeads(), e)};
    }

    @Override
    NDArray block(Transformer m, int i, NDArray x, Pass p, int from) {
        String l = P + "layers." + i + ".";
        NDArray hn = Layers.rmsNorm(m, x, l + "input_layernorm.weight", true);
        NDArray[] residual = {x};
        NDArray attn = selfAttention(m, i, l + "self_attn.", hn, p, from, residual);
        x = residual[0].add(Layers.rmsNorm(m, attn, l + "post_attention_layernorm.weight", true));
        NDArray f = mlp(m, l, Layers.rmsNorm(m, x, l + "pre_feedforward_layernorm.weight", true));
        return x.add(Layers.rmsNorm(m, f, l + "post_feedforward_layernorm.weight", true));
    }

    @Override
    NDArray finalNorm(Transformer m, NDArray x) {
        return Layers.rmsNorm(m, x, P + "norm.weight", true);
    }
}
