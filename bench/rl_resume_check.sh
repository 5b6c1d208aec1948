#!/usr/bin/env bash
# Separate-JVM kill/resume check of `prefer rl train` (docs/results/rl.md): one uninterrupted run, one run killed with
# SIGKILL once its first mid-seed checkpoint (seed-0.ckpt) is on disk, then `--resume`; the two seed-0.json must be
# identical. Usage: bench/rl_resume_check.sh [WORK_DIR [ENV METHOD LABELS STEPS]] (default: a fresh temporary folder,
# offload mo-reward 100 6000). Every checkpointed method works: offload mo-reward|true-reward, reacher
# pebble|pebble-surf|true-reward|cpl|cpl-bc|cpl-nobc, dst|dst-concave mo-reward|mo-active|mo-policy.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=${1:-$(mktemp -d)}
args=(rl train --env "${2:-offload}" --method "${3:-mo-reward}" --labels "${4:-100}" --steps "${5:-6000}" --seeds 1)
"$here/prefer" "${args[@]}" --out "$work/whole" > /dev/null
"$here/prefer" "${args[@]}" --out "$work/killed" > "$work/killed.log" 2>&1 &
pid=$!
while [ ! -f "$work/killed/seed-0.ckpt" ]; do
  kill -0 $pid 2>/dev/null || { echo "run ended before its first checkpoint" >&2; exit 1; }
  sleep 0.1
done
kill -9 $pid
wait $pid 2>/dev/null || true
ls "$work/killed"
[ ! -f "$work/killed/seed-0.json" ] || { echo "seed finished before the kill" >&2; exit 1; }
"$here/prefer" "${args[@]}" --out "$work/killed" --resume
cmp "$work/whole/seed-0.json" "$work/killed/seed-0.json" && echo "identical seed-0.json after kill -9 and --resume (${args[*]})"
