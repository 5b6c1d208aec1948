#!/usr/bin/env python3
"""Checks bench/generate_torch.py's Llama block against transformers: loads ../shared/fixtures/hf-tiny/llama/policy
(made by transformers; no biases, so not Qwen2's fixture) into generate_torch.Llama and compares its greedy ids, full
pass and KV-cache steps, with the fixture's expected.json (transformers' greedy_new_ids). Prints one line per prompt
and exits 1 on a mismatch. Usage (repository root): /usr/bin/python3 bench/generate_torch_llama_check.py [FIXTURE_DIR]"""
import json
import os
import struct
import sys
import types

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_torch as g  # noqa: E402


def safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    out = {}
    for k, v in json.loads(raw[8:8 + n]).items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        assert v["dtype"] == "F32", k
        out[k] = torch.frombuffer(bytearray(raw[8 + n + a:8 + n + b]), dtype=torch.float32).reshape(v["shape"])
    return out


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "../shared/fixtures/hf-tiny/llama"
    cfg = json.load(open(os.path.join(d, "policy", "config.json")))
    w = safetensors(os.path.join(d, "policy", "model.safetensors"))
    theta = cfg.get("rope_parameters", {}).get("rope_theta", cfg.get("rope_theta", 10000.0))
    a = types.SimpleNamespace(d_model=cfg["hidden_size"], vocab=cfg["vocab_size"], heads=cfg["num_attention_heads"],
                              kv_heads=cfg["num_key_value_heads"], ffn=cfg["intermediate_size"], layers=cfg["num_hidden_layers"],
                              rope_theta=theta)
    m = g.Llama(a, torch.Generator().manual_seed(0))
    m.e = cfg.get("head_dim", a.d_model // a.heads)
    m.inv_freq = 1.0 / (theta ** (torch.arange(0, m.e, 2, dtype=torch.int64).float() / m.e))
    m.eps = cfg["rms_norm_eps"]
    m.embed, m.norm = w["model.embed_tokens.weight"], w["model.norm.weight"]
    m.lm_head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
    names = dict(in_norm="input_layernorm", q="self_attn.q_proj", k="self_attn.k_proj", v="self_attn.v_proj", o="self_attn.o_proj",
                 post_norm="post_attention_layernorm", gate="mlp.gate_proj", up="mlp.up_proj", down="mlp.down_proj")
    for i, blk in enumerate(m.blocks):
        for key, name in names.items():
            blk[key] = w[f"model.layers.{i}.{name}.weight"]
    bad = 0
    with torch.inference_mode():
        for case in json.load(open(os.path.join(d, "expected.json")))["greedy"]:
            want = case["greedy_new_ids"]
            seq, full, cached = list(case["prompt_ids"]), [], []
            for _ in want:  # whole sequence each time
                t = len(seq)
                logits = m.forward(torch.tensor([seq]), torch.arange(t)[None], torch.full((t, t), -1e9).triu(1)[None, None], [None] * len(m.blocks))
                full.append(int(logits.argmax(-1)))
                seq.append(full[-1])
            seq, cache = list(case["prompt_ids"]), [None] * len(m.blocks)  # KV cache: the prompt, then one token per step
            t = len(seq)
            logits = m.forward(torch.tensor([seq]), torch.arange(t)[None], torch.full((t, t), -1e9).triu(1)[None, None], cache)
            for n in range(len(want)):
                cached.append(int(logits.argmax(-1)))
                s = t + n + 1
                logits = m.forward(torch.tensor([[cached[-1]]]), torch.tensor([[t + n]]), torch.zeros(1, 1, 1, s), cache)
            ok = full == want and cached == want
            bad += not ok
            print(f"{'ok ' if ok else 'BAD'} prompt {case['prompt']!r}: full {full == want}, cached {cached == want}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
