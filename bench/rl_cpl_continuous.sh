#!/usr/bin/env bash
# Continuous-action CPL vs PEBBLE-SAC on the point-mass reacher (docs/results/rl.md, "CPL for continuous actions").
# Usage: bench/rl_cpl_continuous.sh CLASSES OUT_DIR [VARIANTS] [LABELS] [PEBBLE_METHODS]
#   CLASSES: copies of prefer-rl/target/classes and prefer-data/target/classes joined by ':' (copy them so that
#   rebuilding during a long run does not change the code under measurement).
# Runs each CPL variant at each label budget on seeds 0-4 (one JVM per variant and budget, sequentially), the PEBBLE
# methods (e.g. "pebble-surf") at each budget, then SAC on the true reward (the reference agent), and merges
# everything with bench/rl_control.py. Finished outputs are kept, so a rerun continues. DECOY=0.5 runs the CPL
# variants on the decoy dataset. docs/results/rl.md ran: VARIANTS="cpl cpl-bc" on all four budgets, "cpl-nobc" and
# PEBBLE_METHODS="pebble-surf" at 50 labels, and DECOY=0.5 VARIANTS="cpl cpl-bc" LABELS="50 500".
set -euo pipefail
CP=$1
OUT=$2
VARIANTS=${3:-cpl cpl-bc cpl-nobc}
LABELS=${4:-50 100 200 500}
PEBBLE=${5:-}
DECOY=${DECOY:-0}
mkdir -p "$OUT"
run() {   # name, then the ContinuousStudy arguments
  local name=$1
  shift
  if [ ! -s "$OUT/$name.txt" ]; then
    java -Xmx256m -cp "$CP" dev.prefer.rl.experiments.ContinuousStudy "$@" > "$OUT/$name.tmp"
    mv "$OUT/$name.tmp" "$OUT/$name.txt"
  fi
}
for v in $VARIANTS; do
  for l in $LABELS; do
    run "$v-$l" "$v" "$l" 5 0 mistake:0.1 "$DECOY"
  done
done
for m in $PEBBLE; do
  for l in $LABELS; do
    run "$m-$l" "$l" 4000 5 0 "$m"
  done
done
run sac 50 4000 5 0 sac
sed 's/^curve sac /curve true-reward /' "$OUT/sac.txt" > "$OUT/true-reward.txt"
for l in $LABELS; do
  echo "== $l labels"
  python3 bench/rl_control.py "$OUT/true-reward.txt" $(for v in $VARIANTS; do echo "$OUT/$v-$l.txt"; done) \
    $(for m in $PEBBLE; do echo "$OUT/$m-$l.txt"; done)
done
