#!/usr/bin/env python3
"""Batched KV-cache sampling in plain PyTorch: the reference for `prefer bench generate`.

A GPT-2-shaped decoder with random weights (N(0, 0.02), norms 1, biases 0), B prompts of different lengths
(row i has min_len + i*(max_len-min_len)//(B-1) tokens, ids from a seeded generator), left-padded into one batch
with an attention mask, each row with its own positions; then `--new-tokens` decoding steps with a KV cache
(keys/values concatenated per layer, as transformers' DynamicCache does), the LM head on the last position only,
temperature softmax and torch.multinomial for the draw, and the raw log-prob of each chosen token
(log_softmax(logits).gather, what vLLM returns and TRL's GRPO keeps as old_per_token_logps). Rows run the whole
budget (no eos stop: random weights), as in the Java run it is compared with.

Optional filters mirror transformers' logits warpers (src/transformers/generation/logits_process.py:
TopKLogitsWarper `scores < topk(scores, k)[0][..., -1, None]` -> -inf; TopPLogitsWarper: sort ascending,
cumsum of softmax, remove `cumulative_probs <= 1 - top_p`, keep at least one; MinPLogitsWarper: remove
`probs < min_p * max(probs)`), applied in that order after the temperature.

Prints one line per timed run and a summary:
  tokens/s median=... min=... max=... sec/run median=... new_tokens/run=...
`--arch llama` swaps the GPT-2 block for transformers' Llama block (RMSNorm, rotary positions, grouped-query
attention with --kv-heads key/value heads, SwiGLU MLP of width --ffn, untied LM head; see class Llama).

Uses Debian's python3-torch (1.13); run it in the tuned environment of ../shared/bench/README.md
(`prefer bench generate` does).
"""
import argparse
import math
import platform
import resource
import statistics
import time

import torch
import torch.nn.functional as F


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=["gpt2", "llama"], default="gpt2")
    p.add_argument("--kv-heads", type=int, default=0, help="llama: key/value heads; 0 = --heads")
    p.add_argument("--ffn", type=int, default=0, help="llama: SwiGLU width; 0 = 8/3 d")
    p.add_argument("--rope-theta", type=float, default=10000.0)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--vocab", type=int, default=512)
    p.add_argument("--ctx", type=int, default=1024)
    p.add_argument("--batch", type=int, default=16, help="prompts decoded together")
    p.add_argument("--min-len", type=int, default=16, help="shortest prompt")
    p.add_argument("--max-len", type=int, default=64, help="longest prompt")
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--top-k", type=int, default=0)
    p.add_argument("--top-p", type=float, default=1.0)
    p.add_argument("--min-p", type=float, default=0.0)
    p.add_argument("--runs", type=int, default=3, help="timed generate calls")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=0, help="intra-op threads; 0 = torch's default")
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


class Gpt2:
    def __init__(self, a, gen):
        d, v = a.d_model, a.vocab
        self.h, self.e, self.d = a.heads, d // a.heads, d

        def w(*shape):
            return torch.randn(*shape, generator=gen) * 0.02

        self.wte, self.wpe = w(v, d), w(a.ctx, d)
        self.blocks = []
        for _ in range(a.layers):
            self.blocks.append(dict(
                ln1w=torch.ones(d), ln1b=torch.zeros(d), attn_w=w(3 * d, d), attn_b=torch.zeros(3 * d),
                proj_w=w(d, d), proj_b=torch.zeros(d), ln2w=torch.ones(d), ln2b=torch.zeros(d),
                fc_w=w(4 * d, d), fc_b=torch.zeros(4 * d), fc2_w=w(d, 4 * d), fc2_b=torch.zeros(d)))
        self.lnfw, self.lnfb = torch.ones(d), torch.zeros(d)

    def forward(self, ids, pos, bias, cache):
        """ids, pos (B, T); bias (B, 1, T, S) additive; cache: list of [k, v] per layer or None. -> (B, D) last."""
        b, t = ids.shape
        x = self.wte[ids] + self.wpe[pos]  # (B, T, D)
        for i, blk in enumerate(self.blocks):
            hn = F.layer_norm(x, (self.d,), blk["ln1w"], blk["ln1b"], 1e-5)
            q, k, v = F.linear(hn, blk["attn_w"], blk["attn_b"]).split(self.d, dim=2)
            q = q.view(b, t, self.h, self.e).transpose(1, 2)  # (B, H, T, E)
            k = k.view(b, t, self.h, self.e).transpose(1, 2)
            v = v.view(b, t, self.h, self.e).transpose(1, 2)
            if cache[i] is not None:
                k = torch.cat([cache[i][0], k], dim=2)
                v = torch.cat([cache[i][1], v], dim=2)
            cache[i] = [k, v]
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.e)) + bias  # (B, H, T, S)
            y = att.softmax(-1) @ v  # (B, H, T, E)
            y = y.transpose(1, 2).reshape(b, t, self.d)
            x = x + F.linear(y, blk["proj_w"], blk["proj_b"])
            hn = F.layer_norm(x, (self.d,), blk["ln2w"], blk["ln2b"], 1e-5)
            x = x + F.linear(F.gelu(F.linear(hn, blk["fc_w"], blk["fc_b"]), approximate="tanh"), blk["fc2_w"], blk["fc2_b"])
        x = F.layer_norm(x[:, -1], (self.d,), self.lnfw, self.lnfb, 1e-5)  # (B, D)
        return F.linear(x, self.wte)  # (B, V)


class Llama:
    """transformers' LlamaForCausalLM, eager attention, as in src/transformers/models/llama/modeling_llama.py of
    huggingface/transformers at commit 5dd4a63548857797727ae73eeb6a6e886ea02a3e (read with the search tool; line
    numbers of that file): LlamaRMSNorm.forward (lines 69-74: x * rsqrt(mean(x^2) + eps), then weight *),
    LlamaRotaryEmbedding.forward (121-141: freqs = inv_freq x positions in float32, emb = cat(freqs, freqs), cos,
    sin), rotate_half (144-148), apply_rotary_pos_emb (151-175: q * cos + rotate_half(q) * sin), LlamaMLP.forward
    (189-191: down(act(gate(x)) * up(x)), act silu), repeat_kv (194-203), eager_attention_forward (206-229: scores
    = q k^T * head_dim^-0.5 + mask, softmax, @ v), LlamaAttention (232-305), LlamaDecoderLayer.forward (319-353:
    pre-norm residual blocks). Random weights N(0, 0.02), norms 1; no biases (Llama's defaults)."""

    def __init__(self, a, gen):
        d, v = a.d_model, a.vocab
        self.h, self.e, self.d = a.heads, d // a.heads, d
        self.kh = a.kv_heads or a.heads
        f = a.ffn or (8 * d) // 3
        self.eps = 1e-5

        def w(*shape):
            return torch.randn(*shape, generator=gen) * 0.02

        self.embed, self.lm_head = w(v, d), w(v, d)
        self.blocks = []
        for _ in range(a.layers):
            self.blocks.append(dict(
                in_norm=torch.ones(d), q=w(self.h * self.e, d), k=w(self.kh * self.e, d), v=w(self.kh * self.e, d),
                o=w(d, self.h * self.e), post_norm=torch.ones(d), gate=w(f, d), up=w(f, d), down=w(d, f)))
        self.norm = torch.ones(d)
        # rope_init_fn "default" (modeling_rope_utils._compute_default_rope_parameters): 1 / theta^(arange(0, E, 2) / E)
        self.inv_freq = 1.0 / (a.rope_theta ** (torch.arange(0, self.e, 2, dtype=torch.int64).float() / self.e))

    def rms(self, x, weight):
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))

    @staticmethod
    def rotate_half(x):
        x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
        return torch.cat((-x2, x1), dim=-1)

    @staticmethod
    def repeat_kv(x, n_rep):
        b, kh, s, e = x.shape
        if n_rep == 1:
            return x
        return x[:, :, None, :, :].expand(b, kh, n_rep, s, e).reshape(b, kh * n_rep, s, e)

    def forward(self, ids, pos, bias, cache):
        """ids, pos (B, T); bias (B, 1, T, S) additive; cache: list of [k, v] per layer or None. -> (B, V) last."""
        b, t = ids.shape
        x = self.embed[ids]  # (B, T, D)
        freqs = (self.inv_freq[None, :, None].expand(b, -1, 1) @ pos[:, None, :].float()).transpose(1, 2)  # (B, T, E/2)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]  # (B, 1, T, E)
        for i, blk in enumerate(self.blocks):
            hn = self.rms(x, blk["in_norm"])
            q = F.linear(hn, blk["q"]).view(b, t, -1, self.e).transpose(1, 2)  # (B, H, T, E)
            k = F.linear(hn, blk["k"]).view(b, t, -1, self.e).transpose(1, 2)  # (B, KV, T, E)
            v = F.linear(hn, blk["v"]).view(b, t, -1, self.e).transpose(1, 2)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            if cache[i] is not None:  # DynamicCache.update: concatenated along the sequence
                k = torch.cat([cache[i][0], k], dim=2)
                v = torch.cat([cache[i][1], v], dim=2)
            cache[i] = [k, v]
            ks, vs = self.repeat_kv(k, self.h // self.kh), self.repeat_kv(v, self.h // self.kh)
            att = torch.matmul(q, ks.transpose(2, 3)) * self.e ** -0.5 + bias  # (B, H, T, S)
            y = torch.matmul(att.softmax(-1), vs).transpose(1, 2).reshape(b, t, self.h * self.e)
            x = x + F.linear(y, blk["o"])
            hn = self.rms(x, blk["post_norm"])
            x = x + F.linear(F.silu(F.linear(hn, blk["gate"])) * F.linear(hn, blk["up"]), blk["down"])
        x = self.rms(x[:, -1], self.norm)  # (B, D)
        return F.linear(x, self.lm_head)  # (B, V)


def warp(logits, a):
    scores = logits / a.temperature if a.temperature != 1.0 else logits
    if a.top_k > 0:
        kth = torch.topk(scores, min(a.top_k, scores.size(-1)))[0][..., -1, None]
        scores = scores.masked_fill(scores < kth, -float("inf"))
    if a.top_p < 1.0:
        sorted_logits, sorted_idx = torch.sort(scores, descending=False)
        cum = sorted_logits.softmax(-1).cumsum(-1)
        remove = cum <= (1 - a.top_p)
        remove[..., -1:] = False
        scores = scores.masked_fill(remove.scatter(1, sorted_idx, remove), -float("inf"))
    if a.min_p > 0:
        probs = scores.softmax(-1)
        remove = probs < a.min_p * probs.amax(-1, keepdim=True)
        scores = scores.masked_fill(remove, -float("inf"))
    return scores


def generate(model, prompts, a, gen):
    b = len(prompts)
    lmax = max(len(p) for p in prompts)
    ids = torch.zeros(b, lmax, dtype=torch.long)
    pos = torch.zeros(b, lmax, dtype=torch.long)
    valid = torch.zeros(b, lmax + a.new_tokens, dtype=torch.bool)
    lens = torch.tensor([len(p) for p in prompts])
    for i, p in enumerate(prompts):
        off = lmax - len(p)
        ids[i, off:] = torch.tensor(p)
        pos[i, off:] = torch.arange(len(p))
        valid[i, off:lmax] = True
    causal = torch.full((lmax, lmax), -1e9).triu(1)
    bias = causal[None, None] + torch.where(valid[:, None, None, :lmax], 0.0, -1e9)  # (B, 1, T, S)
    cache = [None] * len(model.blocks)
    out = torch.zeros(b, a.new_tokens, dtype=torch.long)
    logps = torch.zeros(b, a.new_tokens)
    logits = model.forward(ids, pos, bias, cache)
    for n in range(a.new_tokens):
        probs = warp(logits, a).softmax(-1)
        tok = torch.multinomial(probs, 1, generator=gen)  # (B, 1)
        out[:, n] = tok[:, 0]
        logps[:, n] = logits.log_softmax(-1).gather(1, tok)[:, 0]
        if n == a.new_tokens - 1:
            break
        valid[:, lmax + n] = True
        s = lmax + n + 1
        bias = torch.where(valid[:, None, None, :s], 0.0, -1e9)  # (B, 1, 1, S)
        logits = model.forward(tok, (lens + n)[:, None], bias, cache)
    return out, logps


def main():
    a = parse()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__} threads={torch.get_num_threads()} python {platform.python_version()}")
    import re
    blas = re.findall(r"(BLAS_INFO=[^,]*|LAPACK_INFO=[^,]*|USE_MKLDNN=[^,]*)", torch.__config__.show())
    print("blas: " + (" ".join(blas) if blas else "?"))
    gen = torch.Generator().manual_seed(a.seed)
    model = Llama(a, gen) if a.arch == "llama" else Gpt2(a, gen)
    prompts = []
    for i in range(a.batch):
        n = a.min_len + (i * (a.max_len - a.min_len)) // max(1, a.batch - 1)
        prompts.append(torch.randint(0, a.vocab, (n,), generator=gen).tolist())
    toks = a.batch * a.new_tokens
    secs, cpus = [], []
    with torch.inference_mode():
        for r in range(a.warmup + a.runs):
            c0, t0 = time.process_time(), time.perf_counter()
            out, logps = generate(model, prompts, a, gen)
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
            if r >= a.warmup:
                secs.append(dt)
                cpus.append(cpu)
                print(f"run {r - a.warmup}: {dt:.4f} s, {toks / dt:.1f} tokens/s, cpu {1e6 * cpu / toks:.1f} us/token, "
                      f"mean logp {logps.mean().item():.4f}")
    tps = [toks / s for s in secs]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # tokens / median seconds (the Java side's definition; with an even count the median of per-run rates differs)
    print(f"tokens/s median={toks / statistics.median(secs):.1f} min={min(tps):.1f} max={max(tps):.1f} "
          f"sec/run median={statistics.median(secs):.4f} new_tokens/run={toks} peak_rss_MiB={peak:.1f} "
          f"cpu_us/token median={1e6 * statistics.median(cpus) / toks:.1f}")


if __name__ == "__main__":
    main()
