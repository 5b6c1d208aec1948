#!/usr/bin/env bash
# The pairwise-judge rows of docs/results/online.md: per seed, a judge learned from verifier-labelled pairs of the
# quickstart SFT model's samples (LearnedJudge, SimPO by default), then Pref-GRPO from the SFT model with that judge
# as the only reward, and held-out greedy accuracy against SFT with 95% paired bootstrap intervals.
# Usage: bench/online/pref_grpo.sh [OUT] [SEEDS] [STEPS]     e.g. bench/online/pref_grpo.sh runs/online-exp 0,1,2 200
# (OUT/qs: the quickstart runs of bench/online/experiment.sh, made here when absent. With no -D flags it runs the judge
# configuration of docs/results/online.md; JAVA_OPTS="-Drm.kind=SCORE_HEAD" etc. for the other judges, see
# PrefGrpoExperiment.java)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-runs/online-exp}
SEEDS=${2:-0,1,2}
STEPS=${3:-200}
[ -d "$OUT/qs" ] || ./prefer quickstart --seeds "$SEEDS" --out "$OUT/qs"
./prefer --version >/dev/null   # builds the jar when the sources changed
# the launcher's native-memory settings (see ./prefer)
export OMP_WAIT_POLICY=passive THP_MEM_ALLOC_ENABLE=1
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184:glibc.malloc.arena_max=1
java ${JAVA_OPTS:--Xmx2g} -cp prefer-cli/target/prefer-cli.jar bench/online/PrefGrpoExperiment.java "$OUT/qs" "$OUT/pref-grpo" "$SEEDS" "$STEPS"
