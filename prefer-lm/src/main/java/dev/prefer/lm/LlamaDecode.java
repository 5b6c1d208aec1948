package dev.prefer.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * The Llama layout's scripted decoding step and prefill for {@link DecodeScript} (which keeps the Java side: buffers,
 * key bias, state list, row selection, the call and the choice of the next tokens): which configurations it serves,
 * its weight list and its TorchScript source. The maths is {@link LlamaFamily}'s block, transformers'
 * {@code LlamaDecoderLayer} ({@code modeling_llama.py}; Qwen2 adds q/k/v biases): RMSNorm before attention and MLP,
 * rotary positions from {@link Rotary#tables} (the config's theta and scaling, computed on the host once per wave),
 * grouped-query attention over (R, KV heads, S_max, E) buffers, SwiGLU MLP, every product a {@code torch.linear} with
 * the (out, in) weights, as the composite path's {@code Linear.linear}.
 */
final class LlamaDecode {
    private LlamaDecode() {}

    /**
     * Whether the script serves a wave of {@code capacity} key slots of this model: a float32 {@link LlamaFamily} of
     * kind Llama, Qwen2 or Mistral (not Qwen3's q/k norms nor SmolLM3's layers without rotary positions) computing in
     * float32, with a SiLU MLP, every layer rotary, no soft-capping, an even head width, and nothing that changes with
     * the position beyond what the wave's rotary table holds: sliding-window layers only when the window is at least
     * the capacity (no key ever leaves it), dynamic rotary scaling only when the capacity is within the original
     * positions (the frequencies are then the unscaled ones for every pass). The caller checks dtype and LoRA deltas.
     */
    static boolean serves(Transformer model, int capacity) {
        ModelConfig c = model.config();
        Architecture a = c.architecture();
        if (a != Architecture.LLAMA && a != Architecture.QWEN2 && a != Architecture.MISTRAL) return false;
        if (model.computeType() != DataType.FLOAT32) return false;
        if (!c.activation().equals("silu") && !c.activation().equals("swish")) return false;
        ModelConfig.Layout l = c.layout();
        if (l.attnSoftcap() != 0 || l.finalSoftcap() != 0 || c.headDim() % 2 != 0 || !Double.isNaN(l.localRopeTheta())) return false;
        for (int i = 0; i < c.numLayers(); i++) {
            if (!l.ropeLayers().get(i) || l.conv(i)) return false;
            if (l.sliding(i) && l.slidingWindow() < capacity) return false;
        }
        ModelConfig.RopeScaling s = c.ropeScaling();
        if (s.type().equals("dynamic")) {
            long l0 = s.originalMaxPositions() > 0 ? s.originalMaxPositions() : c.maxPositions();
            if (capacity > l0) return false;
        }
        return c.numHeads() % c.numKvHeads() == 0;
    }

    /** The script's bias flags: 1 q/k/v biases, 2 the output projection's, 4 the MLP's. */
    static int biasFlags(ModelConfig c) {
        return (c.attentionBias() ? 1 : 0) | (c.outputBias() ? 2 : 0) | (c.mlpBias() ? 4 : 0);
    }

    /**
     * The wave's constants, owned by {@code manager}: cos and sin (capacity, E) at positions 0..capacity − 1, float32,
     * as {@link Rotary#tables} makes them for the composite path (the config's theta, scaling and attention factor),
     * the sin's first half negated (rotate_half(x)·sin = [x2, x1]·[−sin1, sin2]: the same products without negating x);
     * the norm's eps and the attention scale as float32 scalars (the composite path's constants; a float argument
     * would be converted on every use).
     */
    static NDArray[] constants(Transformer model, int capacity, NDManager manager) {
        ModelConfig c = model.config();
        int e = c.headDim();
        long[] positions = new long[capacity];
        for (int i = 0; i < capacity; i++) positions[i] = i;
        try (NDManager s = manager.newSubManager()) {
            NDArray[] t = Rotary.tables(s, DataType.FLOAT32, c, c.ropeTheta(), c.ropeScaling(), positions, 1, capacity);
            float[] sin = t[1].toFloatArray();
            for (int p = 0; p < capacity; p++) for (int j = 0; j < e / 2; j++) sin[p * e + j] = -sin[p * e + j];
            NDArray[] out = {t[0].reshape(capacity, e).duplicate(), s.create(sin, new Shape(capacity, e)).duplicate(),
                s.create((float) c.normEps()).duplicate(), s.create((float) c.layout().attentionScale()).duplicate()};
            for (NDArray a : out) a.attach(manager);
            return out;
        }
    }

    /**
     * The script's weight list: embedding; per layer input norm, q, k, v, o (each followed by its bias when it has
     * one), post-attention norm, gate, up, down (each with its bias when the MLP has them); then the {@link #constants}
     * (cos, signed sin, eps, scale), the final norm and the LM head (tied: the embedding).
     */
    static PtNDArray[] weights(Transformer model, java.util.function.Function<String, NDArray> weight, NDArray[] constants) {
        ModelConfig c = model.config();
        String p = LlamaFamily.P;
        List<PtNDArray> w = new ArrayList<>();
        w.add((PtNDArray) model.p(p + "embed_tokens.weight"));
        for (int i = 0; i < c.numLayers(); i++) {
            String l = p + "layers." + i + ".", a = l + "self_attn.";
            w.add((PtNDArray) model.p(l + "input_layernorm.weight"));
            for (String q : new String[] {"q_proj", "k_proj", "v_proj"}) add(model, weight, w, a + q, c.attentionBias());
            add(model, weight, w, a + "o_proj", c.outputBias());
            w.add((PtNDArray) model.p(l + "post_attention_layernorm.weight"));
            for (String m : new String[] {"gate_proj", "up_proj", "down_proj"}) add(model, weight, w, l + "mlp." + m, c.mlpBias());
        }
        for (NDArray a : constants) w.add((PtNDArray) a);
        w.add((PtNDArray) model.p(p + "norm.weight"));
        w.add((PtNDArray) model.outputEmbedding());
        return w.toArray(PtNDArray[]::new);
    }

    private static void add(Transformer model, java.util.function.Function<String, NDArray> weight, List<PtNDArray> w, String name, boolean bias) {
        w.add((PtNDArray) weight.apply(name + ".weight"));
        if (bias) w.add((PtNDArray) model.p(name + ".bias"));
    }

    /**
     * The step's function up to the final hidden states (the signature, arguments and groups as GPT-2's, {@link
     * DecodeScript}); {@link DecodeScript#CHOICE} follows. RMSNorm as {@link Layers#rmsNorm} (x·(mean(x²) + eps)^−½·w),
     * rotary as {@link Rotary#apply}, scores scaled after the product and grouped-query attention folded as {@link
     * Layers#attention} does (query head h reads key/value head h / (H/K): the group's queries are rows of one product
     * with the shared keys, which gives transformers' {@code repeat_kv} products without copying keys and values).
     */
    static final String SOURCE = ""
            + "ints: List[int], f: List[float], w: List[Tensor], st: List[Tensor], pw: List[Tensor]) -> List[Tensor]:\n"
            + "    # ints: ids (N), positions (N), row map (M), group ends (G), group lengths (G), then N, S, heads, mode,\n"
            + "    # biases (1: q/k/v, 2: o_proj, 4: MLP), M, G; f: temperature, -, attention scale, head rows, u (one per output row);\n"
            + "    # w: LlamaDecode.weights (..., cos, signed sin, eps, attention scale, final norm, LM head);\n"
            + "    # st: bias, k0, v0, k1, v1, ... with (R, KV heads, S_max, E) buffers; pw: empty.\n"
            + "    # Group j: rows ends[j-1]..ends[j], each lg = lengths[j] tokens written at slots S-lg..S\n"
            + "    n = len(ints)\n"
            + "    g = ints[n - 1]\n"
            + "    nm = ints[n - 2]\n"
            + "    fl = ints[n - 3]\n"
            + "    mode = ints[n - 4]\n"
            + "    nh = ints[n - 5]\n"
            + "    s = ints[n - 6]\n"
            + "    nt = ints[n - 7]\n"
            + "    gb = 2 * nt + nm\n"
            + "    packed = len(pw) > 0\n"
            + "    m = len(w)\n"
            + "    eps = w[m - 4]\n"
            + "    sc = w[m - 3]\n"
            + "    qb = fl % 2 == 1\n"
            + "    ob = (fl // 2) % 2 == 1\n"
            + "    mb = (fl // 4) % 2 == 1\n"
            + "    nl = (len(st) - 1) // 2\n"
            + "    rows = st[0].size(0)\n"
            + "    kh = st[1].size(1)\n"
            + "    e = st[1].size(3)\n"
            + "    gq = nh // kh\n"
            + "    he = e // 2\n"
            + "    idp = torch.tensor(ints, device=w[0].device)\n"
            + "    pos = idp.narrow(0, nt, nt)\n"
            + "    xs = torch.embedding(w[0], idp.narrow(0, 0, nt))\n"
            + "    # cos, signed sin (N, 1, E) of each token's position\n"
            + "    cs = torch.embedding(w[m - 6], pos).unsqueeze(1)\n"
            + "    sn = torch.embedding(w[m - 5], pos).unsqueeze(1)\n"
            + "    d = xs.size(1)\n"
            + "    lasts: List[Tensor] = []\n"
            + "    tok = 0\n"
            + "    r0 = 0\n"
            + "    for j in range(g):\n"
            + "        r1 = ints[gb + j]\n"
            + "        lg = ints[gb + g + j]\n"
            + "        b = r1 - r0\n"
            + "        whole = b == rows\n"
            + "        x = xs if g == 1 else xs.narrow(0, tok, b * lg)\n"
            + "        cj = cs if g == 1 else cs.narrow(0, tok, b * lg)\n"
            + "        sj = sn if g == 1 else sn.narrow(0, tok, b * lg)\n"
            + "        bz = st[0] if whole else st[0].narrow(0, r0, b)\n"
            + "        if lg == 1:\n"
            + "            bias = bz.narrow(3, 0, s)\n"
            + "        else:\n"
            + "            # causal within the group's slots, and the key padding of each row (Transformer.attentionBias)\n"
            + "            bias = torch.minimum(bz.narrow(3, s - lg, lg), torch.triu(torch.full([lg, lg], -1e9, device=xs.device), 1))\n"
            + "        wi = 1\n"
            + "        for i in range(nl):\n"
            + "            kc = st[1 + 2 * i] if whole else st[1 + 2 * i].narrow(0, r0, b)\n"
            + "            vc = st[2 + 2 * i] if whole else st[2 + 2 * i].narrow(0, r0, b)\n"
            + "            hn = x * torch.pow(x.pow(2).mean([-1], True) + eps, -0.5) * w[wi]\n"
            + "            if qb:\n"
            + "                q = torch.linear(hn, w[wi + 1], w[wi + 2])\n"
            + "                kk = torch.linear(hn, w[wi + 3], w[wi + 4])\n"
            + "                vv = torch.linear(hn, w[wi + 5], w[wi + 6])\n"
            + "                wi += 7\n"
            + "            else:\n"
            + "                q = torch.linear(hn, w[wi + 1])\n"
            + "                kk = torch.linear(hn, w[wi + 2])\n"
            + "                vv = torch.linear(hn, w[wi + 3])\n"
            + "                wi += 4\n"
            + "            # rotary positions: x cos + rotate_half(x) sin = x cos + [x2, x1] [-sin1, sin2]\n"
            + "            q = q.view(b * lg, nh, e)\n"
            + "            q = q * cj + torch.cat([q.narrow(2, he, he), q.narrow(2, 0, he)], 2) * sj\n"
            + "            kk = kk.view(b * lg, kh, e)\n"
            + "            kk = kk * cj + torch.cat([kk.narrow(2, he, he), kk.narrow(2, 0, he)], 2) * sj\n"
            + "            if lg == 1:\n"
            + "                kc.narrow(2, s - 1, 1).copy_(kk.view(b, kh, 1, e))\n"
            + "                vc.narrow(2, s - 1, 1).copy_(vv.view(b, kh, 1, e))\n"
            + "                # the gq query heads of a key/value head are the rows of one product with its keys\n"
            + "                att = torch.matmul(q.view(b, kh, gq, e), kc.narrow(2, 0, s).transpose(2, 3)) * sc + bias\n"
            + "                y = torch.matmul(torch.softmax(att, -1), vc.narrow(2, 0, s)).reshape(b, nh * e)\n"
            + "            else:\n"
            + "                qh = q.view(b, lg, nh, e).transpose(1, 2)\n"
            + "                kt = kk.view(b, lg, kh, e).transpose(1, 2)\n"
            + "                vt = vv.view(b, lg, kh, e).transpose(1, 2)\n"
            + "                kc.narrow(2, s - lg, lg).copy_(kt)\n"
            + "                vc.narrow(2, s - lg, lg).copy_(vt)\n"
            + "                if i == nl - 1:\n"
            + "                    # the last block's query, attention, MLP and norm at the last position only\n"
            + "                    ql = qh.narrow(2, lg - 1, 1).reshape(b, kh, gq, e)\n"
            + "                    att = torch.matmul(ql, kt.transpose(2, 3)) * sc + bias.narrow(2, lg - 1, 1)\n"
            + "                    y = torch.matmul(torch.softmax(att, -1), vt).reshape(b, nh * e)\n"
            + "                    x = x.view(b, lg, d).select(1, lg - 1)\n"
            + "                elif lg >= 128:\n"
            + "                    # long prompts: libtorch's tiled kernel, as the composite path (FusedOps.appliesToAttention), never\n"
            + "                    # the (B, H, T, T) scores at once\n"
            + "                    y = torch.scaled_dot_product_attention(qh, kt, vt, bias, 0.0, False, scale=f[2], enable_gqa=True)\n"
            + "                    y = y.transpose(1, 2).reshape(b * lg, nh * e)\n"
            + "                else:\n"
            + "                    att = torch.matmul(qh.reshape(b, kh, gq * lg, e), kt.transpose(2, 3)).view(b, nh, lg, lg) * sc + bias\n"
            + "                    pr = torch.softmax(att, -1).view(b, kh, gq * lg, lg)\n"
            + "                    y = torch.matmul(pr, vt).view(b, nh, lg, e).transpose(1, 2).reshape(b * lg, nh * e)\n"
            + "            if ob:\n"
            + "                x = x + torch.linear(y, w[wi], w[wi + 1])\n"
            + "                wi += 2\n"
            + "            else:\n"
            + "                x = x + torch.linear(y, w[wi])\n"
            + "                wi += 1\n"
            + "            hn = x * torch.pow(x.pow(2).mean([-1], True) + eps, -0.5) * w[wi]\n"
            + "            # SwiGLU: down(silu(gate(x)) * up(x))\n"
            + "            if mb:\n"
            + "                a = torch.silu(torch.linear(hn, w[wi + 1], w[wi + 2])) * torch.linear(hn, w[wi + 3], w[wi + 4])\n"
            + "                x = x + torch.linear(a, w[wi + 5], w[wi + 6])\n"
            + "                wi += 7\n"
            + "            else:\n"
            + "                a = torch.silu(torch.linear(hn, w[wi + 1])) * torch.linear(hn, w[wi + 2])\n"
            + "                x = x + torch.linear(a, w[wi + 3])\n"
            + "                wi += 4\n"
            + "        lasts.append(x)\n"
            + "        tok += b * lg\n"
            + "        r0 = r1\n"
            + "    x = lasts[0] if g == 1 else torch.cat(lasts, 0)\n"
            + "    if nm > 0:\n"
            + "        # the prompts' rows to the output rows (the K samples of a prompt)\n"
            + "        x = x.index_select(0, idp.narrow(0, 2 * nt, nm))\n"
            + "    x = x * torch.pow(x.pow(2).mean([-1], True) + eps, -0.5) * w[m - 2]\n";
}
