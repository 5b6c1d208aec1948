#!/usr/bin/env bash
# Separate-JVM kill/resume check of `prefer rl train` (docs/results/rl.md): one uninterrupted run, one run killed with
# SIGKILL once the KILL_AT-th version of its mid-seed checkpoint (seed-N.ckpt) is on disk (default 1: the first), then
# `--resume`; the two seed-N.json must be identical. Usage: [KILL_AT=N] bench/rl_resume_check.sh [WORK_DIR [ENV METHOD
# LABELS STEPS [EXTRA...]]] (default: a fresh temporary folder, offload mo-reward 100 6000; EXTRA goes to every run,
# e.g. --seed 1). Versions are told apart by inode and modification time, polled every 50 ms, so a checkpoint
# replaced faster than that is missed and the kill lands later. Every checkpointed method works: offload
# mo-reward|true-reward; reacher pebble|pebble-surf|true-reward|cpl|cpl-bc|cpl-nobc; reacher-discrete and delivery
# pebble|true-reward; reacher-discrete cpl|cpl-bc|oppo|sirl|style; dst|dst-concave mo-reward|mo-active|mo-policy|mo-dqn|mo-cpl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=${1:-$(mktemp -d)}
args=(rl train --env "${2:-offload}" --method "${3:-mo-reward}" --labels "${4:-100}" --steps "${5:-6000}" --seeds 1 "${@:6}")
kill_at=${KILL_AT:-1}
"$here/prefer" "${args[@]}" --out "$work/whole" > /dev/null
"$here/prefer" "${args[@]}" --out "$work/killed" > "$work/killed.log" 2>&1 &
pid=$!
seen=0
last=""
while [ "$seen" -lt "$kill_at" ]; do
  kill -0 $pid 2>/dev/null || { echo "run ended before checkpoint version $kill_at (saw $seen)" >&2; exit 1; }
  v=$(stat -c '%i %y' "$work"/killed/seed-*.ckpt 2>/dev/null || true)
  if [ -n "$v" ] && [ "$v" != "$last" ]; then
    seen=$((seen + 1))
    last=$v
  fi
  [ "$seen" -ge "$kill_at" ] || sleep 0.05
done
kill -9 $pid
wait $pid 2>/dev/null || true
ls "$work/killed"
seed=$(basename "$(ls "$work"/whole/seed-*.json)")
[ ! -f "$work/killed/$seed" ] || { echo "seed finished before the kill" >&2; exit 1; }
"$here/prefer" "${args[@]}" --out "$work/killed" --resume
cmp "$work/whole/$seed" "$work/killed/$seed" \
  && echo "identical $seed after kill -9 at checkpoint version $seen and --resume (${args[*]})"
