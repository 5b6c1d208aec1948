#!/usr/bin/env python3
"""TorchScript modules for Bf16Probe.java (Debian python3-torch): a bfloat16 matrix product done inside TorchScript,
and a cast back to float32, so that no bfloat16 dtype crosses DJL's JNI dtype mapping.
    /usr/bin/python3 bench/bf16/make_modules.py /tmp/bf16   # writes bf16mm.pt and tofloat.pt there
"""
import os
import sys

import torch


class Bf16Mm(torch.nn.Module):
    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return x.to(torch.bfloat16) @ w.to(torch.bfloat16).t()


class ToFloat(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.float()


out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)
torch.jit.save(torch.jit.script(Bf16Mm()), os.path.join(out, "bf16mm.pt"))
torch.jit.save(torch.jit.script(ToFloat()), os.path.join(out, "tofloat.pt"))
