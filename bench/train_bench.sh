#!/usr/bin/env bash
# DPO training tokens/s: the trainer (Java, DJL) vs plain PyTorch (../shared/bench/dpo_step_torch.py, the tuned
# environment of ../shared/bench/README.md), same shapes, same machine, runs alternated, medians of repeats, in one
# invocation of `prefer bench train` (PyTorch with a reference forward and --no-ref; the trainer with a reference
# forward and with cached reference log-probs, each without and with prefix sharing; ratios to the matching PyTorch
# figure; CPU seconds per step and load averages, since the machine is shared).
# Usage: bench/train_bench.sh [tiny|long-prompt|gpt2] [REPEATS]   (threads: all cores for both)
set -euo pipefail
cd "$(dirname "$0")/.."
SHAPE=${1:-tiny}
REPEATS=${2:-}
case "$SHAPE" in
  gpt2) ARGS="--layers 12 --d-model 768 --heads 12 --vocab 50257 --pairs 1 --prompt-len 128 --response-len 128 --steps 3 --warmup 1 --repeats ${REPEATS:-2}" ;;
  long-prompt) ARGS="--layers 2 --d-model 128 --heads 4 --vocab 512 --pairs 8 --prompt-len 192 --response-len 64 --steps 20 --warmup 3 --repeats ${REPEATS:-5}" ;;
  tiny) ARGS="--layers 2 --d-model 128 --heads 4 --vocab 512 --pairs 8 --prompt-len 64 --response-len 64 --steps 20 --warmup 3 --repeats ${REPEATS:-5}" ;;
  *) echo "usage: bench/train_bench.sh [tiny|long-prompt|gpt2] [REPEATS]" >&2; exit 2 ;;
esac
TORCH=../shared/bench/dpo_step_torch.py
[ -f "$TORCH" ] || TORCH=/work/shared/bench/dpo_step_torch.py
echo "== shape $SHAPE: $ARGS"
./prefer bench train $ARGS --torch-script "$TORCH"
