#!/usr/bin/env bash
# Continuous-action CPL vs PEBBLE-SAC on the point-mass reacher (docs/results/rl.md, "CPL for continuous actions").
# Usage: bench/rl_cpl_continuous.sh CLASSES_DIR OUT_DIR [VARIANTS] [LABELS]
#   CLASSES_DIR: a copy of prefer-rl/target/classes and prefer-data/target/classes joined by ':' (copy them so that
#   rebuilding during a long run does not change the code under measurement).
# Runs each CPL variant at each label budget on seeds 0-4 (one JVM each, sequentially), then SAC on the true reward
# (the reference agent), and merges everything with bench/rl_control.py.
set -euo pipefail
CP=$1
OUT=$2
VARIANTS=${3:-cpl cpl-bc cpl-nobc}
LABELS=${4:-50 100 200 500}
mkdir -p "$OUT"
for v in $VARIANTS; do
  for l in $LABELS; do
    [ -s "$OUT/$v-$l.txt" ] || java -Xmx256m -cp "$CP" dev.prefer.rl.experiments.ContinuousStudy "$v" "$l" 5 0 > "$OUT/$v-$l.tmp" && mv "$OUT/$v-$l.tmp" "$OUT/$v-$l.txt"
  done
done
[ -s "$OUT/sac.txt" ] || { java -Xmx256m -cp "$CP" dev.prefer.rl.experiments.ContinuousStudy 50 4000 5 0 sac > "$OUT/sac.tmp" && mv "$OUT/sac.tmp" "$OUT/sac.txt"; }
sed 's/^curve sac /curve true-reward /' "$OUT/sac.txt" > "$OUT/true-reward.txt"
for l in $LABELS; do
  echo "== $l labels"
  python3 bench/rl_control.py "$OUT/true-reward.txt" $(for v in $VARIANTS; do echo "$OUT/$v-$l.txt"; done)
done
