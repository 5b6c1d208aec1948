package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.prefer.data.DataException;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * GPT-2 (Radford et al. 2019; transformers' {@code modeling_gpt2.py}): LayerNorm, learned absolute positions, fused
 * {@code c_attn} Conv1D weights stored (in, out), gelu_new MLP, tied head.
 */
final class Gpt2Family extends Family {
    private static final String P = "transformer.";

    @Override
    ModelConfig parse(ModelConfig.Keys k, Architecture arch, ModelConfig.Head head, int numLabels, int bos, List<Integer> eos, int pad) {
        int d = k.i("n_embd", 768);
        int h = k.i("n_head", 12);
        if (h <= 0 || d % h != 0) throw new DataException(k.file(), 0, "n_head", "n_embd " + d + " is not a multiple of n_head " + h);
        int ff = k.has("n_inner") ? k.i("n_inner", 4 * d) : 4 * d;
        if (k.root().path("scale_attn_by_inverse_layer_idx").asBoolean(false) || k.root().path("reorder_and_upcast_attn").asBoolean(false)) {
            throw k.bad("scale_attn_by_inverse_layer_idx", "GPT-2 attention variants are not supported");
        }
        int layers = k.i("n_layer", 12);
        return new ModelConfig(arch, head, k.i("vocab_size", 50257), d, layers, h, h, d / h, ff, k.i("n_positions", 1024),
                k.d("layer_norm_epsilon", 1e-5), Double.NaN, k.s("activation_function", "gelu_new"),
                k.root().path("tie_word_embeddings").asBoolean(true), true, true, true, numLabels, bos, eos, pad,
                ModelConfig.RopeScaling.NONE, null, k.root().toString());
    }

    @Override
    void backboneShapes(ModelConfig c, LinkedHashMap<String, long[]> m) {
        long d = c.hiddenSize(), f = c.intermediateSize(), v = c.vocabSize();
        m.put(P + "wte.weight", new long[] {v, d});
        m.put(P + "wpe.weight", new long[] {c.maxPositions(), d});
        for (int i = 0; i < c.numLayers(); i++) {
            String l = P + "h." + i + ".";
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
        m.put(P + "ln_f.weight", new long[] {d});
        m.put(P + "ln_f.bias", new long[] {d});
    }

    @Override
    String canonicalName(ModelConfig c, String name) {
        if (name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias")) return null;
        if (name.equals("lm_head.weight") || name.equals("score.weight") || name.startsWith(P)) return name;
        return P + name;
    }

    @Override
    String embeddingName() {
        return P + "wte.weight";
    }

    @Override
    NDArray embed(Transformer m, Pass p) {
        NDArray idArr = Transformer.engineOwned(p.step.create(p.ids, new Shape(p.b, p.t)));
        NDArray posArr = Transformer.engineOwned(p.step.create(p.positions, new Shape(p.b, p.t)));
        return m.embed(idArr, m.p(P + "wte.weight")).add(m.embed(posArr, m.p(P + "wpe.weight"))); // (B, T, D)
    }

    @Override
    NDArray block(Transformer m, int i, NDArray x, Pass p, int from) {
        String l = P + "h." + i + ".";
        ModelConfig c = m.config();
        long b = x.getShape().get(0), t = x.getShape().get(1);
        int h = c.numHeads(), e = c.headDim();
        NDArray qkv = m.conv1d(Layers.layerNorm(m, x, l + "ln_1"), l + "attn.c_attn"); // (B, T, 3D)
        NDList parts = qkv.split(3, 2);
        NDArray q = Layers.heads(parts.get(0), b, t, h, e); // (B, H, T, E)
        NDArray k = Layers.heads(parts.get(1), b, t, h, e);
        NDArray v = Layers.heads(parts.get(2), b, t, h, e);
        NDArray[] sel = Layers.fromPosition(from, q, p.bias(i), x);
        NDArray attn = Layers.attention(p, i, sel[0], k, v, sel[1], c.layout().attentionScale(), 0); // (B, T - from, D)
        x = sel[2].add(m.conv1d(attn, l + "attn.c_proj"));
        NDArray mlp = m.conv1d(Layers.activation(c.activation(), m.conv1d(Layers.layerNorm(m, x, l + "ln_2"), l + "mlp.c_fc")), l + "mlp.c_proj");
        return x.add(mlp);
    }

    @Override
    NDArray finalNorm(Transformer m, NDArray x) {
        return Layers.layerNorm(m, x, P + "ln_f");
    }

    @Override
    List<String> loraTargets() {
        return List.of("c_attn");
    }

    @Override
    boolean fanInFanOut() {
        return true;
    }
}
