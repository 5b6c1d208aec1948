#!/usr/bin/env python3
"""Plain-PyTorch peak memory of a DPO training step: the shapes `prefer bench memory` measures that
../shared/bench/dpo_step_torch.py does not cover (LoRA, the Qwen2.5-0.5B shape), measured its way.

Models (random weights, written out here, no transformers/PEFT):
  gpt2-small    ../shared/bench/dpo_step_torch.py's GPT (imported from it: pre-LN blocks, fused qkv `c_attn`,
                GELU(tanh) MLP, tied LM head), 12 layers, d 768, 12 heads, vocab 50257, ctx 1024.
  qwen2.5-0.5b  Qwen2 as transformers' modeling_qwen2.py writes it (RMSNorm eps 1e-6 -> attention with q/k/v biases,
                grouped-query heads 14/2 (head dim 64), rotary theta 1e6 on rotate_half -> o_proj; RMSNorm ->
                down(silu(gate(x)) * up(x))), 24 layers, d 896, F 4864, vocab 151936, LM head tied to the embedding.
LoRA (PEFT's LoraLayer, peft/tuners/lora/layer.py: y = base(x) + B(A(dropout(x))) * alpha / r, A kaiming-uniform,
B zero; dropout 0 here): r 8, alpha 16 on the family's default targets (GPT-2 c_attn, Qwen2 q_proj/v_proj), base
frozen. The reference with LoRA is the base model with the adapters off (PEFT's `disable_adapter()`), under no_grad.

One step is dpo_step_torch.py's: chosen and rejected as one batch of 2B sequences of P+R tokens, summed response
log-probs gathered from log_softmax over the full vocabulary at every position (as TRL does), the DPO sigmoid loss
(beta 0.1), backward, AdamW over the trainable parameters; the reference forward each step under no_grad, or with
--ref cached its log-probs precomputed once. --precision bf16 keeps the frozen base in bfloat16 (LoRA only; adapters,
log-softmax and AdamW state in float32).

Peak RSS = getrusage ru_maxrss (VmHWM) of this process after --warmup + --steps steps, as dpo_step_torch.py reports it.

  /usr/bin/python3 bench/dpo_memory_torch.py --shape gpt2-small --mode lora --ref cached
  /usr/bin/python3 bench/dpo_memory_torch.py --shape qwen2.5-0.5b --mode lora --ref cached --precision bf16
"""
import argparse
import math
import os
import platform
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench"))


class LoraLinear(nn.Module):
    """PEFT's lora.Linear: the frozen base plus B(A(x)) * alpha / r; `enabled` False is disable_adapter()."""

    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.scaling = alpha / r
        self.enabled = True

    def forward(self, x):
        y = self.base(x)
        if not self.enabled:
            return y
        return y + (self.lora_B(self.lora_A(x.to(self.lora_A.weight.dtype))) * self.scaling).to(y.dtype)


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):  # transformers' Qwen2RMSNorm: in float32, weight applied in the input dtype
        dt = x.dtype
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(dt)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class Qwen2Layer(nn.Module):
    def __init__(self, d, f, h, kv, eps):
        super().__init__()
        self.h, self.kv, self.hd = h, kv, d // h
        self.input_layernorm = RMSNorm(d, eps)
        self.q_proj = nn.Linear(d, h * self.hd, bias=True)
        self.k_proj = nn.Linear(d, kv * self.hd, bias=True)
        self.v_proj = nn.Linear(d, kv * self.hd, bias=True)
        self.o_proj = nn.Linear(h * self.hd, d, bias=False)
        self.post_attention_layernorm = RMSNorm(d, eps)
        self.gate_proj = nn.Linear(d, f, bias=False)
        self.up_proj = nn.Linear(d, f, bias=False)
        self.down_proj = nn.Linear(f, d, bias=False)

    def attn(self, x, cos, sin, mask):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(self.h // self.kv, dim=1)  # transformers' repeat_kv
        v = v.repeat_interleave(self.h // self.kv, dim=1)
        s = (q @ k.transpose(-2, -1)) / math.sqrt(self.hd)
        s = s.masked_fill(mask[:t, :t], float("-inf"))
        y = torch.softmax(s.float(), dim=-1).to(q.dtype) @ v  # eager attention's softmax in float32
        return self.o_proj(y.transpose(1, 2).reshape(b, t, self.h * self.hd))

    def forward(self, x, cos, sin, mask):
        x = x + self.attn(self.input_layernorm(x), cos, sin, mask)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class Qwen2(nn.Module):
    def __init__(self, layers=24, d=896, f=4864, h=14, kv=2, vocab=151936, ctx=2048, theta=1e6, eps=1e-6):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(Qwen2Layer(d, f, h, kv, eps) for _ in range(layers))
        self.norm = RMSNorm(d, eps)
        hd = d // h
        inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        fr = torch.outer(torch.arange(ctx, dtype=torch.float32), inv)
        emb = torch.cat((fr, fr), dim=-1)
        self.register_buffer("cos", emb.cos(), persistent=False)
        self.register_buffer("sin", emb.sin(), persistent=False)
        self.register_buffer("mask", torch.triu(torch.ones(ctx, ctx, dtype=torch.bool), 1), persistent=False)
        for name, p in self.named_parameters():
            if "norm" in name:
                continue
            if name.endswith("bias"):
                nn.init.zeros_(p)
            else:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.embed_tokens(idx)
        cos, sin = self.cos[:t].to(x.dtype), self.sin[:t].to(x.dtype)
        for layer in self.layers:
            x = layer(x, cos, sin, self.mask)
        return self.norm(x) @ self.embed_tokens.weight.t()  # tied LM head


def response_logps(model, seq, prompt_len):
    """dpo_step_torch.py's: log_softmax over the vocabulary at every position, gathered at the next token."""
    logits = model(seq)[:, :-1].float()               # log-softmax in float32 (.float() is a no-op on float32)
    logp = torch.log_softmax(logits, dim=-1)
    tok = torch.gather(logp, 2, seq[:, 1:].unsqueeze(-1)).squeeze(-1)
    return tok[:, prompt_len - 1:].sum(dim=1)


def add_lora(model, targets, r, alpha):
    for mod in list(model.modules()):
        for name, child in list(mod.named_children()):
            if name in targets and isinstance(child, nn.Linear):
                setattr(mod, name, LoraLinear(child, r, alpha))


def set_adapters(model, on):
    for m in model.modules():
        if isinstance(m, LoraLinear):
            m.enabled = on


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shape", choices=["gpt2-small", "qwen2.5-0.5b"], default="gpt2-small")
    ap.add_argument("--mode", choices=["full", "lora"], default="lora")
    ap.add_argument("--ref", choices=["forward", "cached"], default="cached")
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=16)
    ap.add_argument("--pairs", type=int, default=1)
    ap.add_argument("--prompt-len", type=int, default=128)
    ap.add_argument("--response-len", type=int, default=128)
    ap.add_argument("--steps", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--lr", type=float, default=1e-6)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.precision == "bf16" and a.mode != "lora":
        ap.error("--precision bf16 is the frozen base of a LoRA run (full fine-tuning keeps float32 masters)")
    B, P, R = a.pairs, a.prompt_len, a.response_len
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if a.shape == "gpt2-small":
        from dpo_step_torch import GPT
        policy, vocab, targets = GPT(12, 768, 12, 50257, 1024), 50257, {"qkv"}  # qkv is GPT-2's c_attn
    else:
        policy, vocab, targets = Qwen2(), 151936, {"q_proj", "v_proj"}
    ref = None
    if a.mode == "lora":
        for p in policy.parameters():
            p.requires_grad_(False)
        if a.precision == "bf16":
            policy.to(torch.bfloat16)
        add_lora(policy, targets, a.rank, a.alpha)  # adapters in float32
    elif a.ref == "forward":
        import copy
        ref = copy.deepcopy(policy).eval()
        for p in ref.parameters():
            p.requires_grad_(False)
    policy.train()
    trainable = [p for p in policy.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=a.lr, weight_decay=0.0)

    g = torch.Generator().manual_seed(a.seed + 1)
    prompt = torch.randint(0, vocab, (B, P), generator=g)
    chosen = torch.randint(0, vocab, (B, R), generator=g)
    rejected = torch.randint(0, vocab, (B, R), generator=g)
    seq = torch.cat([torch.cat([prompt, chosen], 1), torch.cat([prompt, rejected], 1)], 0)  # [2B, P+R]

    def ref_logps():
        with torch.no_grad():
            if a.mode == "lora":
                set_adapters(policy, False)
                try:
                    return response_logps(policy, seq, P)
                finally:
                    set_adapters(policy, True)
            return response_logps(ref, seq, P)

    pre_ref = ref_logps() if a.ref == "cached" else None

    def step():
        pi = response_logps(policy, seq, P)
        rf = pre_ref if pre_ref is not None else ref_logps()
        d = pi - rf
        loss = -F.logsigmoid(a.beta * (d[:B] - d[B:])).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    losses, times = [], []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        losses.append(step())
        times.append(time.perf_counter() - t0)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    nparams = sum(p.numel() for p in policy.parameters())
    ntrain = sum(p.numel() for p in trainable)
    print(f"torch {torch.__version__} threads={torch.get_num_threads()} python {platform.python_version()}")
    print(f"shape={a.shape} mode={a.mode} ref={a.ref} precision={a.precision} params={nparams} trainable={ntrain} "
          f"pairs={B} prompt={P} response={R} steps={a.warmup}+{a.steps} sec/step last={times[-1]:.2f} peak_rss_MiB={rss_mib:.1f}")
    print("losses " + " ".join(f"{x:.6f}" for x in losses))


if __name__ == "__main__":
    main()
