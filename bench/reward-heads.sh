#!/usr/bin/env bash
# Held-out accuracy of every reward head on hh-rlhf harmless (MiniLM backbone, the data's own seeded 10% validation
# split, seed 42). Prints one line per head; models land in ${OUT:-runs/reward-heads}/<head>.
#   bench/reward-heads.sh            # all heads
#   HEADS="bt gpm" bench/reward-heads.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${DATA:-$here/../shared/data/hh-rlhf-harmless/dev.jsonl.gz}"
out="${OUT:-$here/runs/reward-heads}"
cache="${CACHE:-$out/embedding-cache}"
heads="${HEADS:-bt mlp bt-context pal micro gpm classifier multi linear}"
mkdir -p "$out"
for h in $heads; do
  extra=()
  head="$h"
  case "$h" in
    bt-context) head=bt; extra=(--contextual) ;;
    linear) extra=(--backbone minilm) ;;
  esac
  "$here/prefer" train reward --head "$head" "${extra[@]}" --data "$data" --out "$out/$h" --cache "$cache" "$@" \
      2> "$out/$h.log" | grep 'validation:' | sed "s/^head=[a-z]*/head=$h/"
done
