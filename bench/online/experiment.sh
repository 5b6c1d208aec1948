#!/usr/bin/env bash
# The online-methods experiment of docs/results/online.md: quickstart SFT models for 3 seeds (with its RPO run and the
# compute-matched control), then GRPO (dapo), RLOO and online DPO from each SFT model with the arithmetic verifier as
# the reward, and held-out greedy accuracy against SFT with 95% paired bootstrap intervals.
# Usage: bench/online/experiment.sh [OUT] [SEEDS] [STEPS]     e.g. bench/online/experiment.sh runs/online-exp 0,1,2 200
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-runs/online-exp}
SEEDS=${2:-0,1,2}
STEPS=${3:-200}   # the experiment of docs/results/online.md used 200
[ -d "$OUT/qs" ] || ./prefer quickstart --seeds "$SEEDS" --out "$OUT/qs"
./prefer --version >/dev/null   # builds the jar when the sources changed
export OMP_WAIT_POLICY=passive
java ${JAVA_OPTS:-} -cp prefer-cli/target/prefer-cli.jar bench/online/OnlineExperiment.java "$OUT/qs" "$OUT/online" "$SEEDS" "$STEPS" \
  "${METHODS:-grpo,rloo,online-dpo,sft-matched}"
