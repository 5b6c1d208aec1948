package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Phi-3 (transformers' {@code modeling_phi3.py}): the Llama block with fused projections, {@code qkv_proj}
 * ((H + 2K)·E, D: queries, then keys, then values) and {@code gate_up_proj} (2F, D: gate, then up); every layer
 * sliding when {@code sliding_window} is set. Partial rotary factors below 1 and longrope scaling are refused.
 */
final class Phi3Family extends LlamaFamily {
    Phi3Family() {
        super(Kind.LLAMA);
    }

    @Override
    ModelConfig parse(ModelConfig.Keys k, Architecture arch, ModelConfig.Head head, int numLabels, int bos, List<Integer> eos, int pad) {
        int d = k.i("hidden_size", -1);
        int h = k.i("num_attention_heads", -1);
        int layers = k.i("num_hidden_layers", -1);
        int kv = k.opt("num_key_value_heads", h);
        int hd = h > 0 ? d / h : -1;
        if (k.d("partial_rotary_factor", 1.0) != 1.0) throw k.bad("partial_rotary_factor", "only 1.0 is supported");
        var block = k.ropeBlock(null);
        List<String> types = new ArrayList<>(Collections.nCopies(Math.max(layers, 0), k.has("sliding_window") ? "sliding_attention" : "full_attention"));
        int window = k.has("sliding_window") ? k.i("sliding_window", -1) : 0;
        ModelConfig.Layout layout = new ModelConfig.Layout(types, window, 1.0 / Math.sqrt(hd), 0, 0, Double.NaN,
                Collections.nCopies(Math.max(layers, 0), true), 0, false);
        return new ModelConfig(arch, head, k.i("vocab_size", -1), d, layers, h, kv, hd, k.i("intermediate_size", -1),
                k.i("max_position_embeddings", 4096), k.d("rms_norm_eps", 1e-5), k.ropeTheta(block, 10000.0), k.s("hidden_act", "silu"),
                k.b("tie_word_embeddings", false), false, false, false, numLabels, bos, eos, pad, k.ropeScaling(block), layout,
                k.root().toString());
    }

    @Override
    void attentionShapes(ModelConfig c, String a, long q, long kv, long d, LinkedHashMap<String, long[]> m) {
        m.put(a + "o_proj.weight", new long[] {d, q});
        m.put(a + "qkv_proj.weight", new long[] {q + 2 * kv, d});
    }

    @Override
    void mlpShapes(ModelConfig c, String p, long d, long f, LinkedHashMap<String, long[]> m) {
        m.put(p + "gate_up_proj.weight", new long[] {2 * f, d});
        m.put(p + "down_proj.weight", new long[] {d, f});
    }

    @Override
    NDArray[] qkv(Transformer m, String a, NDArray hn, long b, long t) {
        ModelConfig c = m.config();
        int e = c.headDim();
        long q = (long) c.numHeads() * e, kv = (long) c.numKvHeads() * e;
        NDList parts = m.linear(hn, a + "qkv_proj", false).split(new long[] {q, q + kv}, 2); // (B, T, (H+2K)E)
        return new NDArray[] {Layers.heads(parts.get(0), b, t, c.numHeads(), e), Layers.heads(parts.get(1), b, t, c.numKvHeads(), e),
            Layers.heads(parts.get(2), b, t, c.numKvHeads(), e)};
    }

    @Override
    NDArray mlp(Transformer m, String l, NDArray x) {
        NDList gu = m.linear(x, l + "mlp.gate_up_proj", false).split(2, 2); // gate, up: (B, T, F) each
        NDArray g = Layers.activation(m.config().activation(), gu.get(0));
        return m.linear(gu.get(1).mul(g), l + "mlp.down_proj", false);
    }

    @Override
    List<String> loraTargets() {
        return List.of("qkv_proj");
    }
}
