#!/usr/bin/env bash
# GRPO step A/B in one session: PyTorch (bench/grpo_step_torch.py), the trainer at its defaults, and the trainer with
# the sampling pack and the kept LM head turned off (-Dprefer.online.packDecodeMinTokens=0
# -Dprefer.lm.headKeepElements=0: the step as it was before), runs alternated; each line is one run of `prefer bench grpo`.
# Usage: bench/grpo_ab.sh [tiny|gpt2] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SHAPE=${1:-gpt2}
ROUNDS=${2:-3}
case "$SHAPE" in
  tiny) ARGS="--layers 2 --d-model 128 --heads 4 --vocab 512 --prompts 4 --generations 8 --prompt-len 32 --completion-len 32 --steps 5 --warmup 1" ;;
  gpt2) ARGS="--layers 12 --d-model 768 --heads 12 --vocab 50257 --prompts 2 --generations 4 --prompt-len 64 --completion-len 32 --steps 2 --warmup 1" ;;
  *) echo "usage: bench/grpo_ab.sh [tiny|gpt2] [ROUNDS]" >&2; exit 2 ;;
esac
echo "== shape $SHAPE: $ARGS"
for i in $(seq 1 "$ROUNDS"); do
  ./prefer bench grpo $ARGS --repeats 1 | grep -E "^  run" | sed "s/^  run 1/  round $i/"
  PREFER_JAVA_OPTS="-Xss8m -Dprefer.online.packDecodeMinTokens=0 -Dprefer.lm.headKeepElements=0" ./prefer bench grpo $ARGS --repeats 1 --no-python \
    | grep -E "^  run" | sed "s/^  run 1  prefer        /  round $i  prefer (before)/"
done
