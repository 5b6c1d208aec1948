package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * LFM2 (Liquid AI 2025; transformers' {@code modeling_lfm2.py}): a hybrid of gated short-convolution blocks and
 * grouped-query attention blocks with per-head q/k RMSNorm, each followed by a SwiGLU feed-forward ({@code w1}, {@code w3},
 * {@code w2}); {@code operator_norm} / {@code ffn_norm} pre-norms and a final {@code embedding_norm}.
 *
 * <p>The convolution block ({@code Lfm2ShortConv.slow_forward}): B, C, x = in_proj(h) split in three; y = C · conv(B · x)
 * with a depthwise causal convolution of length L ({@code conv_L_cache}) over time; out_proj(y). Generation keeps the
 * last L − 1 inputs of each conv layer in the cache ({@link Transformer.KvCache}).
 */
final class Lfm2Family extends LlamaFamily {
    Lfm2Family() {
        super(Kind.LLAMA);
    }

    @Override
    ModelConfig parse(ModelConfig.Keys k, Architecture arch, ModelConfig.Head head, int numLabels, int bos, List<Integer> eos, int pad) {
        int d = k.i("hidden_size", -1);
        int h = k.i("num_attention_heads", -1);
        int layers = k.i("num_hidden_layers", -1);
        int kv = k.opt("num_key_value_heads", h);
        int hd = h > 0 ? d / h : -1;
        // Lfm2MLP: intermediate = int(2 * ff / 3), then int(multiplier * .) rounded up to a multiple of block_multiple_of
        int ff = k.has("block_ff_dim") ? k.i("block_ff_dim", -1) : k.i("intermediate_size", -1);
        if (k.b("block_auto_adjust_ff_dim", true)) {
            ff = (int) (2 * ff / 3.0);
            if (!k.root().has("block_ffn_dim_multiplier") || k.has("block_ffn_dim_multiplier")) {
                double mult = k.d("block_ffn_dim_multiplier", 1.0);
                int multipleOf = k.i("block_multiple_of", 256);
                ff = (int) (mult * ff);
                ff = multipleOf * ((ff + multipleOf - 1) / multipleOf);
            }
        }
        List<String> types = k.strings("layer_types");
        if (types == null) {
            List<Integer> full = k.ints("full_attn_idxs");
            types = new ArrayList<>();
            for (int i = 0; i < Math.max(layers, 0); i++) types.add(full == null || full.contains(i) ? "full_attention" : "conv");
        } else if (types.size() != layers) {
            throw k.bad("layer_types", "needs one entry per layer (" + layers + "), got " + types.size());
        }
        var block = k.ropeBlock("full_attention");
        double theta = block.has("rope_theta") ? k.ropeTheta(block, 1_000_000.0) : k.has("theta") ? k.d("theta", 1_000_000.0) : k.d("rope_theta", 1_000_000.0);
        ModelConfig.Layout layout = new ModelConfig.Layout(types, 0, 1.0 / Math.sqrt(hd), 0, 0, Double.NaN,
                Collections.nCopies(Math.max(layers, 0), true), k.i("conv_L_cache", 3), k.b("conv_bias", false));
        boolean tie = k.has("tie_embedding") ? k.b("tie_embedding", true) : k.b("tie_word_embeddings", true);
        return new ModelConfig(arch, head, k.i("vocab_size", -1), d, layers, h, kv, hd, ff, k.i("max_position_embeddings", 128_000),
                k.d("norm_eps", 1e-5), theta, "silu", tie, false, false, false, numLabels, bos, eos, pad, k.ropeScaling(block), layout,
                k.root().toString());
    }

    @Override
    void backboneShapes(ModelConfig c, LinkedHashMap<String, long[]> m) {
        long d = c.hiddenSize(), f = c.intermediateSize(), v = c.vocabSize();
        long q = (long) c.numHeads() * c.headDim(), kv = (long) c.numKvHeads() * c.headDim();
        boolean cb = c.layout().convBias();
        m.put(P + "embed_tokens.weight", new long[] {v, d});
        for (int i = 0; i < c.numLayers(); i++) {
            String l = P + "layers." + i + ".";
            if (c.layout().conv(i)) {
                m.put(l + "conv.conv.weight", new long[] {d, 1, c.layout().convKernel()});
                if (cb) m.put(l + "conv.conv.bias", new long[] {d});
                m.put(l + "conv.in_proj.weight", new long[] {3 * d, d});
                if (cb) m.put(l + "conv.in_proj.bias", new long[] {3 * d});
                m.put(l + "conv.out_proj.weight", new long[] {d, d});
                if (cb) m.put(l + "conv.out_proj.bias", new long[] {d});
            } else {
                String a = l + "self_attn.";
                m.put(a + "q_proj.weight", new long[] {q, d});
                m.put(a + "k_proj.weight", new long[] {kv, d});
                m.put(a + "v_proj.weight", new long[] {kv, d});
                m.put(a + "out_proj.weight", new long[] {d, q});
                m.put(a + "q_layernorm.weight", new long[] {c.headDim()});
                m.put(a + "k_layernorm.weight", new long[] {c.headDim()});
            }
            m.put(l + "feed_forward.w1.weight", new long[] {f, d});
            m.put(l + "feed_forward.w3.weight", new long[] {f, d});
            m.put(l + "feed_forward.w2.weight", new long[] {d, f});
            m.put(l + "operator_norm.weight", new long[] {d});
            m.put(l + "ffn_norm.weight", new long[] {d});
        }
        m.put(P + "embedding_norm.weight", new long[] {d});
    }

    @Override
    NDArray[] qkv(Transformer m, String a, NDArray hn, long b, long t) {
        ModelConfig c = m.config();
        int e = c.headDim();
        NDArray q = Layers.rmsNorm(m, Layers.split(m.linear(hn, a + "q_proj", false), b, t, c.numHeads(), e), a + "q_layernorm.weight", false);
        NDArray k = Layers.rmsNorm(m, Layers.split(m.linear(hn, a + "k_proj", false), b, t, c.numKvHeads(), e), a + "k_layernorm.weight", false);
        return new NDArray[] {q.transpose(0, 2, 1, 3), k.transpose(0, 2, 1, 3), Layers.heads(m.linear(hn, a + "v_proj", false), b, t, c.numKvHeads(), e)};
    }

    @Override
    String outputProjection() {
        return "out_proj";
    }

    @Override
    NDArray block(Transformer m, int i, NDArray x, Pass p, int from) {
        String l = P + "layers." + i + ".";
        NDArray hn = Layers.rmsNorm(m, x, l + "operator_norm.weight", false); // (B, T, D)
        NDArray out;
        if (m.config().layout().conv(i)) {
            out = shortConv(m, i, l + "conv.", hn, p);
            if (from > 0) {
                out = out.get(new NDIndex(":, {}:", from));
                x = x.get(new NDIndex(":, {}:", from));
            }
        } else {
            NDArray[] residual = {x};
            out = selfAttention(m, i, l + "self_attn.", hn, p, from, residual);
            x = residual[0];
        }
        x = x.add(out);
        NDArray hf = Layers.rmsNorm(m, x, l + "ffn_norm.weight", false);
        return x.add(Layers.gatedMlp(m, hf, l + "feed_forward.w1", l + "feed_forward.w3", l + "feed_forward.w2", false));
    }

    /** Gated short convolution: out_proj(C · conv(B · x)); (B, T, D) in and out. */
    private NDArray shortConv(Transformer m, int i, String c, NDArray h, Pass p) {
        ModelConfig cfg = m.config();
        boolean bias = cfg.layout().convBias();
        int len = cfg.layout().convKernel();
        long d = cfg.hiddenSize();
        h = Layers.maskPadding(p, h);
        NDList bcx = m.linear(h, c + "in_proj", bias).split(3, 2); // B, C, x: (B, T, D) each
        NDArray bx = bcx.get(0).mul(bcx.get(2)); // (B, T, D)
        NDArray prev = p.cache == null ? null : p.cache.convState(i);
        if (prev == null) prev = p.step.zeros(new Shape(p.b, len - 1, d), bx.getDataType());
        NDArray padded = len > 1 ? prev.concat(bx, 1) : bx; // (B, L - 1 + T, D)
        NDArray w = m.p(c + "conv.weight"); // (D, 1, L)
        NDArray conv = null;
        for (int j = 0; j < len; j++) {
            // PyTorch's Conv1d is a cross-correlation: out[t] = sum_j w[:, 0, j] * in[t + j] over the left-padded input
            NDArray wj = w.get(new NDIndex(":, 0, {}", j)); // (D) view, attached to the step so the parameter manager never grows
            wj.attach(p.step);
            NDArray term = padded.get(new NDIndex(":, {}:{}", j, j + p.t)).mul(wj);
            conv = conv == null ? term : conv.add(term);
        }
        if (bias) conv = conv.add(m.p(c + "conv.bias"));
        if (p.cache != null && len > 1) p.cache.setConvState(i, padded.get(new NDIndex(":, {}:", p.t)));
        return m.linear(bcx.get(1).mul(conv), c + "out_proj", bias);
    }

    @Override
    NDArray finalNorm(Transformer m, NDArray x) {
        return Layers.rmsNorm(m, x, P + "embedding_norm.weight", false);
    }

    @Override
    List<String> loraTargets() {
        return List.of("q_proj", "v_proj", "in_proj", "out_proj");
    }

    @Override
    boolean packable() {
        return false;
    }
}
