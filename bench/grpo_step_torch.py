#!/usr/bin/env python3
"""Plain-PyTorch GRPO step on a GPT-2-shaped causal LM (random weights): the reference of `prefer bench grpo`.

Model: ../shared/bench/dpo_step_torch.py's GPT-2 (token + position embeddings, pre-LN blocks, tanh GELU, tied head,
GPT-2 init), plus a KV cache for sampling. fp32, no dropout. Token 0 is eos.

One timed step, the work of one generation batch of TRL's GRPOTrainer with num_iterations = 1 and beta = 0
(trl/trainer/grpo_trainer.py: _generate_and_score_completions, then _compute_loss with loss_type "dapo"):
  1. sample G completions of each of B prompts (P random tokens) from the current policy: temperature 1, at most R new
     tokens, KV-cached decoding of the B*G rows together; a row stops after it emits eos (later positions padded);
  2. a random reward per completion (seeded), group advantages A = (r - mean_group r) / (std_group r + 1e-4);
  3. policy forward over the B*G sequences with the LM head only at completion positions (TRL's logits_to_keep),
     per-token log-probs from log_softmax gathered at the sampled tokens, ratio exp(l - sg(l)) (= 1 on the first
     iteration), the clipped loss -min(w A, clip(w, 0.8, 1.2) A) summed over completion tokens / their count (dapo);
  4. backward, clip_grad_norm_(1.0), AdamW (lr 1e-5).
Prints the median seconds per step, the median share of it spent sampling, and the mean completion length.

Example (tiny):  python3 grpo_step_torch.py --layers 2 --d-model 128 --heads 4 --vocab 512 --prompts 4 --generations 8 \
                     --prompt-len 32 --completion-len 32 --steps 10 --warmup 2
"""
import argparse
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.out = nn.Linear(4 * d, d)

    def attn(self, x, cache, causal):
        b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=2)
        q, k, v = (z.view(b, t, self.h, d // self.h).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], 2)
                v = torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
        s = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // self.h))
        if causal:
            s = s.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf"))
        y = torch.softmax(s, dim=-1) @ v
        return self.proj(y.transpose(1, 2).reshape(b, t, d))

    def forward(self, x, cache=None, causal=True):
        x = x + self.attn(self.ln1(x), cache, causal)
        return x + self.out(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, layers, d, heads, vocab, ctx):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.lnf = nn.LayerNorm(d)
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif ".ln" in name or name.startswith("lnf"):
                nn.init.ones_(p)
            elif name.endswith("proj.weight") or name.endswith("out.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * layers))
            else:
                nn.init.normal_(p, 0.0, 0.02)

    def hidden(self, idx, start=0, caches=None):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(start, start + t))
        for i, blk in enumerate(self.blocks):
            x = blk(x, None if caches is None else caches[i], causal=(t > 1))
        return self.lnf(x)

    def head(self, h):
        return h @ self.wte.weight.t()


@torch.no_grad()
def sample(model, prompts, max_new, gen):
    """(N, P) prompts -> (N, L) completions (eos kept, then padded with 0), lengths (N)."""
    n, p = prompts.shape
    caches = [dict() for _ in model.blocks]
    h = model.hidden(prompts, 0, caches)[:, -1]
    out = torch.zeros(n, max_new, dtype=torch.long)
    done = torch.zeros(n, dtype=torch.bool)
    lengths = torch.full((n,), max_new, dtype=torch.long)
    for t in range(max_new):
        probs = torch.softmax(model.head(h), -1)
        tok = torch.multinomial(probs, 1, generator=gen).squeeze(1)
        tok = torch.where(done, torch.zeros_like(tok), tok)
        out[:, t] = tok
        ended = (~done) & (tok == 0)
        lengths = torch.where(ended, torch.full_like(lengths, t + 1), lengths)
        done = done | ended
        if bool(done.all()):
            return out[:, : t + 1], lengths
        h = model.hidden(tok.unsqueeze(1), p + t, caches)[:, -1]
    return out, lengths


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--vocab", type=int, default=512)
    ap.add_argument("--ctx", type=int, default=1024)
    ap.add_argument("--prompts", type=int, default=4, help="B")
    ap.add_argument("--generations", type=int, default=8, help="G")
    ap.add_argument("--prompt-len", type=int, default=32, help="P")
    ap.add_argument("--completion-len", type=int, default=32, help="R (max new tokens)")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    B, G, P, R = a.prompts, a.generations, a.prompt_len, a.completion_len
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    policy = GPT(a.layers, a.d_model, a.heads, a.vocab, a.ctx).train()
    opt = torch.optim.AdamW(policy.parameters(), lr=1e-5, weight_decay=0.0)
    g = torch.Generator().manual_seed(a.seed + 1)
    prompts = torch.randint(1, a.vocab, (B, P), generator=g).repeat_interleave(G, 0)  # (B*G, P), group-major
    rg = torch.Generator().manual_seed(a.seed + 2)

    def step():
        t0 = time.perf_counter()
        comp, lengths = sample(policy, prompts, R, g)                        # (N, L)
        t_sample = time.perf_counter() - t0
        n, L = comp.shape
        r = torch.rand(n, generator=rg).view(B, G)
        adv = ((r - r.mean(1, keepdim=True)) / (r.std(1, keepdim=True) + 1e-4)).view(n, 1)
        mask = (torch.arange(L).unsqueeze(0) < lengths.unsqueeze(1)).float()  # (N, L)
        seq = torch.cat([prompts, comp], 1)                                  # (N, P + L)
        h = policy.hidden(seq)[:, P - 1:-1]                                  # positions predicting completion tokens
        logp = torch.log_softmax(policy.head(h), -1).gather(2, comp.unsqueeze(-1)).squeeze(-1)  # (N, L)
        w = torch.exp(logp - logp.detach())
        per_token = -torch.min(w * adv, torch.clamp(w, 0.8, 1.2) * adv)
        loss = (per_token * mask).sum() / mask.sum().clamp(min=1.0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
        opt.step()
        return t_sample, float(lengths.float().mean())

    times, shares, lens = [], [], []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        ts, ml = step()
        dt = time.perf_counter() - t0
        if i >= a.warmup:
            times.append(dt)
            shares.append(ts / dt)
            lens.append(ml)
    print(f"torch {torch.__version__} threads={torch.get_num_threads()} shape layers={a.layers} d_model={a.d_model} heads={a.heads} "
          f"vocab={a.vocab} prompts={B} generations={G} prompt={P} completion<={R}")
    print(f"steps={a.steps} warmup={a.warmup} sec/step median={statistics.median(times):.4f} min={min(times):.4f} "
          f"max={max(times):.4f} sampling_share={statistics.median(shares):.3f} mean_completion={statistics.mean(lens):.1f}")


if __name__ == "__main__":
    main()
