#!/usr/bin/env python3
"""Plain-PyTorch reference log-probs of Prefer's bfloat16 mode (Precision.BF16, dev.prefer.lm.Bf16) for the 16
family cases of families_ref.py, on their committed float32 weights (prefer-lm/src/test/resources/families/<case>/).

What Prefer's bfloat16 mode computes, written out here in plain PyTorch over families_ref.py's forward passes:
  - every 2-D weight rounded to bfloat16 (round to nearest even: torch's .to(torch.bfloat16));
  - each linear layer: F.linear(x.bfloat16(), W.bfloat16(), b.bfloat16()).float()  (Bf16.linear);
  - the token embedding: rows of the bfloat16 table, as float32 (Bf16.embedding);
  - the gated MLP of Llama-style blocks and LFM2 (not Phi-3's fused gate_up): whole in bfloat16,
    down(act(gate(h)) * up(h)) with h = x.bfloat16() (Bf16.gatedMlp); the activation of the bfloat16 gate is taken
    in float32 and rounded once, which is what libtorch 2.7.1's bfloat16 silu/gelu give (with torch 1.13's own
    bfloat16 activation the summed log-probs differed from Prefer's by up to 0.098; this way 11 of 16 cases agree
    bit for bit);
  - the LM head: F.linear(x.bfloat16(), W.bfloat16()).float();
  - everything else (norms and their float32 weights, rotary, attention, residual stream, log-softmax in float64 of
    the float32 logits) as families_ref.py does it in float32.
families_ref.py's two forward functions are reused through a textual substitution of exactly those four places (each
substitution is checked to apply), so the rest of each family stays single-sourced.

Writes prefer-lm/src/test/resources/bf16/<case>.json: per fixture example the chosen and rejected summed log-probs.
Run from the repository root:  /usr/bin/python3 prefer-lm/src/test/python/bf16_ref.py
"""
import inspect
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import families_ref as fr  # noqa: E402

B = torch.bfloat16
OUT = os.path.normpath(os.path.join(fr.ROOT, "..", "resources", "bf16"))


class Bf16Model(fr.Model):
    def lin(self, x, name, bias=False):
        b = self.w.get(name + ".bias")
        return F.linear(x.to(B), self.w[name + ".weight"].to(B), None if b is None else b.to(B)).float()


def mlp_bf16(m, x, gate, up, down, act_name):
    h = x.to(B)
    g = F.linear(h, m.w[gate + ".weight"].to(B))
    u = F.linear(h, m.w[up + ".weight"].to(B))
    a = fr.act(act_name, g.float()).to(B)  # the activation computed in float32 and rounded once (see the docstring)
    return F.linear(a * u, m.w[down + ".weight"].to(B)).float()


def head_bf16(x, head):
    return F.linear(x.to(B), head.to(B)).float()


def patched(fn, subs):
    src = inspect.getsource(fn)
    for old, new in subs:
        if src.count(old) != 1:
            raise SystemExit(f"{fn.__name__}: expected one occurrence of {old!r}, found {src.count(old)}")
        src = src.replace(old, new)
    env = dict(fr.__dict__)
    env.update(mlp_bf16=mlp_bf16, head_bf16=head_bf16, B=B)
    exec(compile(src, f"<bf16 {fn.__name__}>", "exec"), env)
    return env[fn.__name__]


EMBED = ('x = w["model.embed_tokens.weight"][torch.tensor(ids)]',
         'x = w["model.embed_tokens.weight"].to(B)[torch.tensor(ids)].float()')
llama_like = patched(fr.llama_like, [
    EMBED,
    ('f = m.lin(act(act_name, m.lin(hf, l + "mlp.gate_proj")) * m.lin(hf, l + "mlp.up_proj"), l + "mlp.down_proj")',
     'f = mlp_bf16(m, hf, l + "mlp.gate_proj", l + "mlp.up_proj", l + "mlp.down_proj", act_name)'),
    ("logits = x @ head.t()", "logits = head_bf16(x, head)"),
])
lfm2 = patched(fr.lfm2, [
    EMBED,
    ('f = m.lin(F.silu(m.lin(hf, l + "feed_forward.w1")) * m.lin(hf, l + "feed_forward.w3"), l + "feed_forward.w2")',
     'f = mlp_bf16(m, hf, l + "feed_forward.w1", l + "feed_forward.w3", l + "feed_forward.w2", "silu")'),
    ("return x @ head.t()", "return head_bf16(x, head)"),
])


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", (path, name, e["dtype"])
        a, b = e["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(e["shape"])
    return out


def main():
    src = json.load(open(os.path.join(fr.SHARED, "fixtures", "hf-tiny", "llama", "expected.json")))
    os.makedirs(OUT, exist_ok=True)
    only = set(sys.argv[1:])
    with torch.no_grad():
        for name, c in fr.CASES:
            if only and name not in only:
                continue
            d = os.path.join(fr.OUT, name)
            cfg = json.load(open(os.path.join(d, "config.json")))
            if cfg["model_type"] == "lfm2":
                cfg["block_ff_dim_effective"] = fr.lfm2_ff(cfg)
            m = Bf16Model(cfg, read_safetensors(os.path.join(d, "model.safetensors")))
            fwd = lfm2 if cfg["model_type"] == "lfm2" else llama_like
            rows = []
            for ex in src["examples"]:
                p = ex["prompt_ids"]
                row = {"prompt_ids": p}
                for key, resp in (("chosen", ex["chosen_ids"]), ("rejected", ex["rejected_ids"])):
                    ids = p + resp
                    row[f"{key}_ids"] = resp
                    row[f"bf16_{key}_logps"] = torch.stack(fr.seq_logps(fwd(m, ids), ids, len(p))).sum().item()
                rows.append(row)
            out = {"case": name, "torch": torch.__version__, "script": "prefer-lm/src/test/python/bf16_ref.py", "examples": rows}
            with open(os.path.join(OUT, name + ".json"), "w") as f:  # one example per line
                head = {k: v for k, v in out.items() if k != "examples"}
                f.write(json.dumps(head)[:-1] + ', "examples": [\n')
                f.write(",\n".join(json.dumps(r) for r in rows) + "\n]}\n")
            print(name, rows[0]["bf16_chosen_logps"])


if __name__ == "__main__":
    main()
