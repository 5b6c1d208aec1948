#!/usr/bin/env bash
# The chosen pairwise-judge run of docs/results/online.md ("Nash-MD with a learned pairwise judge"): per seed, the
# SimPO judge learned from verifier-labelled pairs of the quickstart SFT model's samples (LearnedJudge defaults), then
# Nash-MD from the SFT model with that judge as the only preference oracle (beta 0.1, mixture coefficient 0.5,
# 200 steps x 16 prompts x G = 8, lr 5e-5: the configuration picked by the seed-0 pilots), and held-out greedy
# accuracy against SFT with 95% paired bootstrap intervals. The verifier is not called during RL.
# Usage: bench/online/nash_md_judge.sh [OUT] [SEEDS] [STEPS]   e.g. bench/online/nash_md_judge.sh runs/online-exp 0,1,2 200
# (OUT/qs: the quickstart runs, made when absent; results in OUT/nash-md-judge/results-seed-S.json)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-runs/online-exp}
SEEDS=${2:-0,1,2}
STEPS=${3:-200}
[ -d "$OUT/qs" ] || ./prefer quickstart --seeds "$SEEDS" --out "$OUT/qs"
./prefer --version >/dev/null   # builds the jar when the sources changed
export OMP_WAIT_POLICY=passive THP_MEM_ALLOC_ENABLE=1
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184:glibc.malloc.arena_max=1
java -Xmx2g -Dmethod=nash-md -Dbeta=0.1 -Dmixture=0.5 -Dlr=5e-5 -cp prefer-cli/target/prefer-cli.jar bench/online/PrefGrpoExperiment.java \
    "$OUT/qs" "$OUT/nash-md-judge" "$SEEDS" "$STEPS" rm,rl
