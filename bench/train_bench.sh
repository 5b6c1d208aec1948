#!/usr/bin/env bash
# DPO training tokens/s: prefer (Java, DJL) vs plain PyTorch (../shared/bench/dpo_step_torch.py), same shapes, same
# machine, run one after the other. Both with the tuned environment of ../shared/bench/README.md; PyTorch also as is.
# Usage: bench/train_bench.sh [tiny|gpt2]   (threads: all cores for both)
set -euo pipefail
cd "$(dirname "$0")/.."
SHAPE=${1:-tiny}
if [ "$SHAPE" = gpt2 ]; then
  ARGS="--layers 12 --d-model 768 --heads 12 --vocab 50257 --pairs 1 --prompt-len 128 --response-len 128 --steps 5 --warmup 1"
  PYEXTRA="--ctx 1024"
else
  ARGS="--layers 2 --d-model 128 --heads 4 --vocab 512 --pairs 8 --prompt-len 64 --response-len 64 --steps 20 --warmup 3"
  PYEXTRA=""
fi
TUNED=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184 OMP_WAIT_POLICY=passive)
PY=../shared/bench/dpo_step_torch.py
[ -f "$PY" ] || PY=/work/shared/bench/dpo_step_torch.py
echo "== shape $SHAPE: $ARGS"
echo "-- PyTorch, tuned, reference forward each step"; "${TUNED[@]}" /usr/bin/python3 "$PY" $ARGS $PYEXTRA | grep -E "tokens/s|s/step" || true
echo "-- PyTorch, tuned, --no-ref (precomputed reference)"; "${TUNED[@]}" /usr/bin/python3 "$PY" $ARGS $PYEXTRA --no-ref | grep -E "tokens/s|s/step" || true
echo "-- prefer, tuned environment"; "${TUNED[@]}" ./prefer bench train $ARGS
