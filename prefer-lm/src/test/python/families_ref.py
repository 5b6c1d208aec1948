#!/usr/bin/env python3
"""Plain-PyTorch reference numbers for the model families Prefer runs (issue 17).

transformers cannot be installed on the build machines, so this script re-implements each family's forward pass
in plain PyTorch (Debian's python3-torch 1.13), following transformers' modelling code (read at
huggingface/transformers, the snapshots cited per function below), and writes, per tiny random configuration:

    prefer-lm/src/test/resources/families/<case>/config.json        (a Hugging Face config.json)
    prefer-lm/src/test/resources/families/<case>/model.safetensors  (float32 weights, Hugging Face names)
    prefer-lm/src/test/resources/families/<case>/expected.json

expected.json follows ../shared/fixtures/README.md's conventions: response log-prob = sum over response tokens
(eos included) of float64 log_softmax of float32 logits; the sequences are the token ids of the hf-tiny fixture
pairs (../shared/fixtures/hf-tiny/llama/expected.json, same 420-token tokenizer). The loss whose gradients are
recorded is DPO (beta 0.1) against a reference whose log-probs are all zero, i.e.
mean_i softplus(-beta * (chosen_i - rejected_i)); greedy ids are 16 new tokens by full recomputation (no cache).

Run from the repository root:  /usr/bin/python3 prefer-lm/src/test/python/families_ref.py
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(ROOT, "..", "resources", "families"))
SHARED = os.environ.get("PREFER_SHARED", os.path.normpath(os.path.join(ROOT, "..", "..", "..", "..", "..", "shared")))
BETA = 0.1
torch.set_num_threads(1)


# ----------------------------------------------------------------------------------------------------------------
# shared pieces
# ----------------------------------------------------------------------------------------------------------------

def rms_norm(x, w, eps, plus_one=False):
    # LlamaRMSNorm (models/llama/modeling_llama.py, class LlamaRMSNorm.forward): w * x * rsqrt(mean(x^2) + eps)
    # Gemma2RMSNorm / Gemma3RMSNorm (models/gemma3/modeling_gemma3.py, Gemma3RMSNorm.forward): x_normed * (1 + w)
    var = x.pow(2).mean(-1, keepdim=True)
    n = x * torch.rsqrt(var + eps)
    return n * (1.0 + w) if plus_one else w * n


def act(name, x):
    if name in ("silu", "swish"):
        return F.silu(x)
    if name in ("gelu_pytorch_tanh", "gelu_new"):
        return F.gelu(x, approximate="tanh")
    if name == "gelu":
        return F.gelu(x)
    raise ValueError(name)


def inv_freq(dim, theta, scaling, max_pos):
    """modeling_rope_utils.py: _compute_default_rope_parameters, _compute_linear_scaling_rope_parameters,
    _compute_yarn_parameters, _compute_llama3_parameters (snapshot 0044e3b3, lines ~100-420)."""
    inv = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    t = (scaling or {}).get("rope_type", "default")
    if t == "default":
        return inv, 1.0
    factor = scaling["factor"]
    if t == "linear":
        return inv / factor, 1.0
    if t == "llama3":
        low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        low_wl, high_wl = old / low, old / high
        wavelen = 2 * math.pi / inv
        inv_l = torch.where(wavelen > low_wl, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
        medium = ~(wavelen < high_wl) * ~(wavelen > low_wl)
        return torch.where(medium, smoothed, inv_l), 1.0
    if t == "yarn":
        att = scaling.get("attention_factor") or 0.1 * math.log(factor) + 1.0
        beta_fast, beta_slow = scaling.get("beta_fast") or 32, scaling.get("beta_slow") or 1
        orig = scaling.get("original_max_position_embeddings", max_pos)

        def corr_dim(rot):
            return (dim * math.log(orig / (rot * 2 * math.pi))) / (2 * math.log(theta))

        lo, hi = max(math.floor(corr_dim(beta_fast)), 0), min(math.ceil(corr_dim(beta_slow)), dim - 1)
        if lo == hi:
            hi += 0.001
        ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - lo) / (hi - lo), 0, 1)
        pos_freqs = theta ** (torch.arange(0, dim, 2).float() / dim)
        extra, inter = 1.0 / pos_freqs, 1.0 / (factor * pos_freqs)
        ef = 1 - ramp
        return inter * (1 - ef) + extra * ef, att
    raise ValueError(t)


def rope_tables(dim, theta, scaling, max_pos, positions):
    # LlamaRotaryEmbedding.forward (models/llama/modeling_llama.py): freqs = inv_freq x positions in float32,
    # emb = cat(freqs, freqs), cos/sin times attention_scaling
    inv, att = inv_freq(dim, theta, scaling, max_pos)
    freqs = positions.float()[:, None] * inv.float()[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos() * att, emb.sin() * att


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def apply_rope(x, cos, sin):
    # apply_rotary_pos_emb (models/llama/modeling_llama.py): x * cos + rotate_half(x) * sin
    return x * cos + rotate_half(x) * sin


def attention(q, k, v, scale, window, softcap):
    """eager_attention_forward (models/gemma3/modeling_gemma3.py, snapshot 0018aa64): repeat_kv, q k^T * scaling,
    optional soft-capping c*tanh(s/c), additive causal (+ sliding: kv_idx > q_idx - window, masking_utils.py
    sliding_window_overlay) mask, float32 softmax. q: (H, T, E), k, v: (K, T, E)."""
    h, t, _ = q.shape
    g = h // k.shape[0]
    k = k.repeat_interleave(g, dim=0)
    v = v.repeat_interleave(g, dim=0)
    s = torch.matmul(q, k.transpose(1, 2)) * scale
    if softcap:
        s = torch.tanh(s / softcap) * softcap
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    allowed = j <= i
    if window:
        allowed = allowed & (j > i - window)
    s = s + torch.where(allowed, 0.0, torch.finfo(torch.float32).min)
    p = torch.softmax(s.float(), dim=-1)
    return torch.matmul(p, v)  # (H, T, E)


# ----------------------------------------------------------------------------------------------------------------
# families: forward(ids) -> logits (T, V) for one unpadded sequence
# ----------------------------------------------------------------------------------------------------------------

class Model:
    def __init__(self, cfg, w):
        self.c, self.w = cfg, w

    def lin(self, x, name, bias=False):
        y = x @ self.w[name + ".weight"].t()
        b = self.w.get(name + ".bias")
        return y + b if b is not None else y


def llama_like(m, ids):
    """LlamaDecoderLayer / LlamaModel.forward (models/llama/modeling_llama.py); Mistral (modeling_mistral.py: the
    same block, sliding window in the mask); Qwen2 (modeling_qwen2.py: q/k/v biases); Qwen3 (modeling_qwen3.py,
    Qwen3Attention: q_norm/k_norm RMSNorm over head_dim before rotary); SmolLM3 (modeling_smollm3.py,
    SmolLM3Attention: use_rope = no_rope_layers[layer_idx]); Phi-3 (modeling_phi3.py, Phi3Attention: qkv_proj split
    into query_pos = H*E, then K*E keys, then values; Phi3MLP: gate_up_proj chunked in two, up * act(gate));
    Gemma 2 (modeling_gemma2.py, Gemma2DecoderLayer: post_attention / pre_feedforward / post_feedforward norms,
    Gemma2Model: embeddings * hidden_size**0.5, Gemma2ForCausalLM: final_logit_softcapping); Gemma 3
    (modeling_gemma3.py: Gemma3Attention q_norm/k_norm, Gemma3TextScaledWordEmbedding, local rotary base)."""
    c, w = m.c, m.w
    fam = c["model_type"]
    gemma = fam in ("gemma2", "gemma3_text")
    d, h, kv = c["hidden_size"], c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
    e = c.get("head_dim") or d // h
    eps = c.get("rms_norm_eps", 1e-6)
    t = len(ids)
    pos = torch.arange(t)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    if gemma:
        x = x * torch.tensor(d ** 0.5, dtype=x.dtype)
    scale = c["query_pre_attn_scalar"] ** -0.5 if gemma else e ** -0.5
    types = c.get("layer_types") or ["full_attention"] * c["num_hidden_layers"]
    if fam == "mistral" and c.get("sliding_window"):
        types = ["sliding_attention"] * c["num_hidden_layers"]
    if fam == "phi3" and c.get("sliding_window"):
        types = ["sliding_attention"] * c["num_hidden_layers"]
    scaling = c.get("rope_scaling")
    theta = c.get("rope_theta", 10000.0)
    act_name = c.get("hidden_activation") or c.get("hidden_act", "silu")
    for i in range(c["num_hidden_layers"]):
        l = f"model.layers.{i}."
        a = l + "self_attn."
        sliding = types[i] == "sliding_attention"
        hn = rms_norm(x, w[l + "input_layernorm.weight"], eps, gemma)
        if fam == "phi3":
            qkv = m.lin(hn, a + "qkv_proj")
            q, k, v = qkv[:, : h * e], qkv[:, h * e: h * e + kv * e], qkv[:, h * e + kv * e:]
        else:
            q, k, v = m.lin(hn, a + "q_proj"), m.lin(hn, a + "k_proj"), m.lin(hn, a + "v_proj")
        q = q.view(t, h, e).transpose(0, 1)
        k = k.view(t, kv, e).transpose(0, 1)
        v = v.view(t, kv, e).transpose(0, 1)
        if fam == "qwen3":
            q = rms_norm(q, w[a + "q_norm.weight"], eps)
            k = rms_norm(k, w[a + "k_norm.weight"], eps)
        if fam == "gemma3_text":
            q = rms_norm(q, w[a + "q_norm.weight"], eps, True)
            k = rms_norm(k, w[a + "k_norm.weight"], eps, True)
        use_rope = True
        if fam == "smollm3":
            use_rope = bool(c["no_rope_layers"][i])
        if use_rope:
            if fam == "gemma3_text" and sliding:
                cos, sin = rope_tables(e, c["rope_local_base_freq"], None, c["max_position_embeddings"], pos)
            else:
                cos, sin = rope_tables(e, theta, scaling, c["max_position_embeddings"], pos)
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        o = attention(q, k, v, scale, c.get("sliding_window") if sliding else None, c.get("attn_logit_softcapping"))
        o = m.lin(o.transpose(0, 1).reshape(t, h * e), a + "o_proj")
        if gemma:
            x = x + rms_norm(o, w[l + "post_attention_layernorm.weight"], eps, True)
            hf = rms_norm(x, w[l + "pre_feedforward_layernorm.weight"], eps, True)
        else:
            x = x + o
            hf = rms_norm(x, w[l + "post_attention_layernorm.weight"], eps)
        if fam == "phi3":
            gu = m.lin(hf, l + "mlp.gate_up_proj")
            gate, up = gu.chunk(2, dim=-1)
            f = m.lin(up * act(act_name, gate), l + "mlp.down_proj")
        else:
            f = m.lin(act(act_name, m.lin(hf, l + "mlp.gate_proj")) * m.lin(hf, l + "mlp.up_proj"), l + "mlp.down_proj")
        x = x + (rms_norm(f, w[l + "post_feedforward_layernorm.weight"], eps, True) if gemma else f)
    x = rms_norm(x, w["model.norm.weight"], eps, gemma)
    head = w["model.embed_tokens.weight"] if c.get("tie_word_embeddings") else w["lm_head.weight"]
    logits = x @ head.t()
    if c.get("final_logit_softcapping"):
        cap = c["final_logit_softcapping"]
        logits = torch.tanh(logits / cap) * cap
    return logits


def lfm2(m, ids):
    """Lfm2Model / Lfm2DecoderLayer / Lfm2ShortConv.slow_forward / Lfm2Attention (models/lfm2/modeling_lfm2.py,
    snapshot 0096ba4f): operator_norm, then attention (q_layernorm/k_layernorm per head, rotary, out_proj) or the gated
    short convolution (B, C, x = in_proj(h).chunk(3); conv1d(B*x, padding L-1, groups D)[..., :T]; out_proj(C * conv)),
    residual; ffn_norm, SwiGLU w2(silu(w1 h) * w3 h), residual; final embedding_norm; tied head."""
    c, w = m.c, m.w
    d, h, kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    e = d // h
    eps = c["norm_eps"]
    t = len(ids)
    pos = torch.arange(t)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    cos, sin = rope_tables(e, c["rope_theta"], None, c["max_position_embeddings"], pos)
    L = c["conv_L_cache"]
    for i, typ in enumerate(c["layer_types"]):
        l = f"model.layers.{i}."
        hn = rms_norm(x, w[l + "operator_norm.weight"], eps)
        if typ == "full_attention":
            a = l + "self_attn."
            q = rms_norm(m.lin(hn, a + "q_proj").view(t, h, e), w[a + "q_layernorm.weight"], eps).transpose(0, 1)
            k = rms_norm(m.lin(hn, a + "k_proj").view(t, kv, e), w[a + "k_layernorm.weight"], eps).transpose(0, 1)
            v = m.lin(hn, a + "v_proj").view(t, kv, e).transpose(0, 1)
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            o = attention(q, k, v, e ** -0.5, None, None)
            o = m.lin(o.transpose(0, 1).reshape(t, h * e), a + "out_proj")
        else:
            cv = l + "conv."
            bcx = m.lin(hn, cv + "in_proj").transpose(0, 1)[None]  # (1, 3D, T)
            b_, c_, xx = bcx.chunk(3, dim=-2)
            bx = b_ * xx
            conv = F.conv1d(bx, w[cv + "conv.weight"], w.get(cv + "conv.bias"), padding=L - 1, groups=d)[..., :t]
            y = (c_ * conv)[0].transpose(0, 1)
            o = m.lin(y, cv + "out_proj")
        x = x + o
        hf = rms_norm(x, w[l + "ffn_norm.weight"], eps)
        f = m.lin(F.silu(m.lin(hf, l + "feed_forward.w1")) * m.lin(hf, l + "feed_forward.w3"), l + "feed_forward.w2")
        x = x + f
    x = rms_norm(x, w["model.embedding_norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if c.get("tie_word_embeddings", True) else w["lm_head.weight"]
    return x @ head.t()


def forward(m, ids):
    return lfm2(m, ids) if m.c["model_type"] == "lfm2" else llama_like(m, ids)


# ----------------------------------------------------------------------------------------------------------------
# weights
# ----------------------------------------------------------------------------------------------------------------

def shapes(c):
    fam = c["model_type"]
    d, h, v = c["hidden_size"], c["num_attention_heads"], c["vocab_size"]
    kv = c.get("num_key_value_heads", h)
    e = c.get("head_dim") or d // h
    f = c["intermediate_size"]
    out = {"model.embed_tokens.weight": (v, d)}
    if fam == "lfm2":
        f = c["block_ff_dim_effective"]
        for i, typ in enumerate(c["layer_types"]):
            l = f"model.layers.{i}."
            if typ == "conv":
                out[l + "conv.conv.weight"] = (d, 1, c["conv_L_cache"])
                if c["conv_bias"]:
                    out[l + "conv.conv.bias"] = (d,)
                out[l + "conv.in_proj.weight"] = (3 * d, d)
                if c["conv_bias"]:
                    out[l + "conv.in_proj.bias"] = (3 * d,)
                out[l + "conv.out_proj.weight"] = (d, d)
                if c["conv_bias"]:
                    out[l + "conv.out_proj.bias"] = (d,)
            else:
                a = l + "self_attn."
                out[a + "q_proj.weight"] = (h * e, d)
                out[a + "k_proj.weight"] = (kv * e, d)
                out[a + "v_proj.weight"] = (kv * e, d)
                out[a + "out_proj.weight"] = (d, h * e)
                out[a + "q_layernorm.weight"] = (e,)
                out[a + "k_layernorm.weight"] = (e,)
            out[l + "feed_forward.w1.weight"] = (f, d)
            out[l + "feed_forward.w3.weight"] = (f, d)
            out[l + "feed_forward.w2.weight"] = (d, f)
            out[l + "operator_norm.weight"] = (d,)
            out[l + "ffn_norm.weight"] = (d,)
        out["model.embedding_norm.weight"] = (d,)
    else:
        bias_qkv = fam == "qwen2" or c.get("attention_bias", False)
        bias_o = fam != "qwen2" and c.get("attention_bias", False)
        for i in range(c["num_hidden_layers"]):
            l = f"model.layers.{i}."
            a = l + "self_attn."
            out[l + "input_layernorm.weight"] = (d,)
            if fam == "phi3":
                out[a + "qkv_proj.weight"] = ((h + 2 * kv) * e, d)
            else:
                for n, rows in (("q_proj", h * e), ("k_proj", kv * e), ("v_proj", kv * e)):
                    out[a + n + ".weight"] = (rows, d)
                    if bias_qkv:
                        out[a + n + ".bias"] = (rows,)
            out[a + "o_proj.weight"] = (d, h * e)
            if bias_o:
                out[a + "o_proj.bias"] = (d,)
            if fam in ("qwen3", "gemma3_text"):
                out[a + "q_norm.weight"] = (e,)
                out[a + "k_norm.weight"] = (e,)
            out[l + "post_attention_layernorm.weight"] = (d,)
            if fam in ("gemma2", "gemma3_text"):
                out[l + "pre_feedforward_layernorm.weight"] = (d,)
                out[l + "post_feedforward_layernorm.weight"] = (d,)
            if fam == "phi3":
                out[l + "mlp.gate_up_proj.weight"] = (2 * f, d)
            else:
                out[l + "mlp.gate_proj.weight"] = (f, d)
                out[l + "mlp.up_proj.weight"] = (f, d)
            out[l + "mlp.down_proj.weight"] = (d, f)
        out["model.norm.weight"] = (d,)
    tied = c.get("tie_word_embeddings", fam == "lfm2")
    if not tied:
        out["lm_head.weight"] = (v, d)
    return out


def init_weights(c, seed):
    g = torch.Generator().manual_seed(seed)
    gemma = c["model_type"] in ("gemma2", "gemma3_text")
    w = {}
    for n, s in shapes(c).items():
        if "norm" in n:
            # non-trivial norm scales: 1 + N(0, 0.1) (Gemma stores w of (1 + w): N(0, 0.1))
            w[n] = (0.0 if gemma else 1.0) + 0.1 * torch.randn(s, generator=g)
        elif n.endswith(".bias"):
            w[n] = 0.1 * torch.randn(s, generator=g)
        else:
            w[n] = 0.2 * torch.randn(s, generator=g)
    return w


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for n, t in tensors.items():
        b = t.detach().contiguous().float().numpy().tobytes()
        header[n] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    header["__metadata__"] = {"format": "pt"}
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)


# ----------------------------------------------------------------------------------------------------------------
# the tiny configurations (two per family: one with GQA, one tied/multi-head)
# ----------------------------------------------------------------------------------------------------------------

BASE = {"vocab_size": 420, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4,
        "max_position_embeddings": 128, "bos_token_id": 0, "eos_token_id": 0, "pad_token_id": 0, "rms_norm_eps": 1e-5}


def case(name, arch, model_type, **kw):
    c = dict(BASE)
    c.update({"architectures": [arch], "model_type": model_type})
    c.update(kw)
    return name, c


CASES = [
    case("llama-llama3", "LlamaForCausalLM", "llama", num_key_value_heads=2, head_dim=8, tie_word_embeddings=False,
         rope_theta=10000.0, rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                           "high_freq_factor": 4.0, "original_max_position_embeddings": 16}),
    case("llama-yarn-tied", "LlamaForCausalLM", "llama", num_key_value_heads=4, tie_word_embeddings=True, rope_theta=10000.0,
         attention_bias=True, rope_scaling={"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32}),
    case("mistral-gqa", "MistralForCausalLM", "mistral", num_key_value_heads=2, tie_word_embeddings=False, rope_theta=1e6,
         sliding_window=6),
    case("mistral-tied", "MistralForCausalLM", "mistral", num_key_value_heads=4, tie_word_embeddings=True, rope_theta=1e4,
         sliding_window=None),
    case("qwen3-gqa", "Qwen3ForCausalLM", "qwen3", num_key_value_heads=2, head_dim=16, tie_word_embeddings=False,
         rope_theta=1e6, attention_bias=False),
    case("qwen3-tied", "Qwen3ForCausalLM", "qwen3", num_key_value_heads=4, head_dim=8, tie_word_embeddings=True,
         rope_theta=1e4, attention_bias=True, use_sliding_window=True, sliding_window=6, max_window_layers=1,
         layer_types=["full_attention", "sliding_attention"]),
    case("gemma2-gqa", "Gemma2ForCausalLM", "gemma2", num_key_value_heads=2, head_dim=16, tie_word_embeddings=True,
         rope_theta=1e4, query_pre_attn_scalar=16, sliding_window=6, attn_logit_softcapping=2.0,
         final_logit_softcapping=5.0, hidden_activation="gelu_pytorch_tanh",
         layer_types=["sliding_attention", "full_attention"]),
    case("gemma2-mha", "Gemma2ForCausalLM", "gemma2", num_key_value_heads=4, head_dim=8, tie_word_embeddings=False,
         rope_theta=1e4, query_pre_attn_scalar=12, sliding_window=5, attn_logit_softcapping=50.0,
         final_logit_softcapping=30.0, hidden_activation="gelu_pytorch_tanh",
         layer_types=["sliding_attention", "full_attention"]),
    case("gemma3-gqa", "Gemma3ForCausalLM", "gemma3_text", num_key_value_heads=2, head_dim=16, tie_word_embeddings=True,
         rope_theta=1e6, rope_local_base_freq=1e4, rope_scaling={"rope_type": "linear", "factor": 8.0},
         query_pre_attn_scalar=16, sliding_window=6, attn_logit_softcapping=None, final_logit_softcapping=None,
         hidden_activation="gelu_pytorch_tanh", layer_types=["sliding_attention", "full_attention"], num_hidden_layers=2),
    case("gemma3-mha", "Gemma3ForCausalLM", "gemma3_text", num_key_value_heads=4, head_dim=8, tie_word_embeddings=False,
         rope_theta=1e6, rope_local_base_freq=1e4, query_pre_attn_scalar=8, sliding_window=5,
         attn_logit_softcapping=None, final_logit_softcapping=None, hidden_activation="gelu_pytorch_tanh",
         layer_types=["sliding_attention", "sliding_attention", "full_attention"], num_hidden_layers=3),
    case("phi3-gqa", "Phi3ForCausalLM", "phi3", num_key_value_heads=2, tie_word_embeddings=False, rope_theta=1e4,
         sliding_window=7, hidden_act="silu"),
    case("phi3-tied", "Phi3ForCausalLM", "phi3", num_key_value_heads=4, tie_word_embeddings=True, rope_theta=1e4,
         sliding_window=None, hidden_act="silu"),
    case("smollm3-gqa", "SmolLM3ForCausalLM", "smollm3", num_key_value_heads=2, tie_word_embeddings=False, rope_theta=1e4,
         no_rope_layers=[1, 0], rope_scaling={"rope_type": "linear", "factor": 2.0}),
    case("smollm3-tied", "SmolLM3ForCausalLM", "smollm3", num_key_value_heads=4, tie_word_embeddings=True,
         rope_theta=5e5, no_rope_layers=[0, 1]),
    case("lfm2-gqa", "Lfm2ForCausalLM", "lfm2", num_key_value_heads=2, num_hidden_layers=3,
         layer_types=["conv", "full_attention", "conv"], conv_L_cache=3, conv_bias=False, norm_eps=1e-5,
         rope_theta=1e6, block_auto_adjust_ff_dim=True, block_ffn_dim_multiplier=1.0, block_multiple_of=16,
         intermediate_size=72, tie_word_embeddings=True),
    case("lfm2-bias-untied", "Lfm2ForCausalLM", "lfm2", num_key_value_heads=4, num_hidden_layers=2,
         layer_types=["full_attention", "conv"], conv_L_cache=4, conv_bias=True, norm_eps=1e-5, rope_theta=1e4,
         block_auto_adjust_ff_dim=False, intermediate_size=40, tie_word_embeddings=False),
]


def lfm2_ff(c):
    # Lfm2MLP.__init__ (modeling_lfm2.py): int(2 * ff / 3), int(multiplier * .), rounded up to block_multiple_of
    ff = c["intermediate_size"]
    if c.get("block_auto_adjust_ff_dim", True):
        ff = int(2 * ff / 3)
        if c.get("block_ffn_dim_multiplier", 1.0) is not None:
            ff = int(c.get("block_ffn_dim_multiplier", 1.0) * ff)
            mo = c.get("block_multiple_of", 256)
            ff = mo * ((ff + mo - 1) // mo)
    return ff


def seq_logps(logits, ids, p):
    lp = torch.log_softmax(logits.double(), dim=-1)
    return [lp[j - 1, ids[j]] for j in range(p, len(ids))]


def main():
    src = json.load(open(os.path.join(SHARED, "fixtures", "hf-tiny", "llama", "expected.json")))
    examples = src["examples"]
    greedy_src = src["greedy"]
    only = set(sys.argv[1:])
    for idx, (name, c) in enumerate(CASES):
        if only and name not in only:
            continue
        if c["model_type"] == "lfm2":
            c["block_ff_dim_effective"] = lfm2_ff(c)
        w = init_weights(c, 1000 + idx)
        for t in w.values():
            t.requires_grad_(True)
        m = Model(c, w)
        out = {"case": name, "beta": BETA, "torch": torch.__version__, "script": "prefer-lm/src/test/python/families_ref.py",
               "conventions": src["conventions"] + "; loss = mean softplus(-beta (chosen - rejected)) (reference log-probs 0)",
               "examples": []}
        chosen, rejected = [], []
        for ex in examples:
            p = ex["prompt_ids"]
            row = {"prompt_ids": p, "chosen_ids": ex["chosen_ids"], "rejected_ids": ex["rejected_ids"]}
            for key, resp, acc in (("chosen", ex["chosen_ids"], chosen), ("rejected", ex["rejected_ids"], rejected)):
                ids = p + resp
                toks = seq_logps(forward(m, ids), ids, len(p))
                s = torch.stack(toks).sum()
                acc.append(s)
                row[f"policy_{key}_logps"] = s.item()
                row[f"policy_{key}_token_logps"] = [x.item() for x in toks]
            out["examples"].append(row)
        ch, rj = torch.stack(chosen), torch.stack(rejected)
        loss = F.softplus(-BETA * (ch - rj)).mean()
        loss.backward()
        out["dpo_zero_reference_loss_mean"] = loss.item()
        out["grad_norms"] = {n: t.grad.double().norm().item() for n, t in w.items()}
        out["grad_total_norm"] = math.sqrt(sum(v * v for v in out["grad_norms"].values()))
        greedy = []
        with torch.no_grad():
            for g in greedy_src:
                ids = list(g["prompt_ids"])
                new = []
                for _ in range(16):
                    nxt = int(torch.argmax(forward(m, ids)[-1]).item())
                    new.append(nxt)
                    ids.append(nxt)
                greedy.append({"prompt": g["prompt"], "prompt_ids": g["prompt_ids"], "greedy_new_ids": new})
        out["greedy"] = greedy
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        cfg = {k: v for k, v in c.items() if k != "block_ff_dim_effective"}
        cfg["dtype"] = "float32"
        json.dump(cfg, open(os.path.join(d, "config.json"), "w"), indent=2)
        write_safetensors(os.path.join(d, "model.safetensors"), w)
        json.dump(out, open(os.path.join(d, "expected.json"), "w"), indent=1)
        print(name, "loss", round(loss.item(), 6), "greedy", greedy[0]["greedy_new_ids"][:6])


if __name__ == "__main__":
    main()
