#!/usr/bin/env bash
# One GRPO step (sample G completions for B prompts, score, dapo loss, update): the online trainer vs plain PyTorch
# (bench/grpo_step_torch.py in ../shared/bench/README.md's tuned environment), same shape, runs alternated, medians.
# Usage: bench/grpo_bench.sh [tiny|gpt2] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
SHAPE=${1:-tiny}
REPEATS=${2:-3}
case "$SHAPE" in
  tiny) ARGS="--layers 2 --d-model 128 --heads 4 --vocab 512 --prompts 4 --generations 8 --prompt-len 32 --completion-len 32 --steps 5 --warmup 1" ;;
  gpt2) ARGS="--layers 12 --d-model 768 --heads 12 --vocab 50257 --prompts 2 --generations 4 --prompt-len 64 --completion-len 32 --steps 2 --warmup 1" ;;
  *) echo "usage: bench/grpo_bench.sh [tiny|gpt2] [REPEATS]" >&2; exit 2 ;;
esac
echo "== shape $SHAPE: $ARGS"
./prefer bench grpo $ARGS --repeats "$REPEATS"
