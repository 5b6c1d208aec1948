#!/usr/bin/env bash
# Session 10 A/B of the scripted prefill: prefill + first token (-DnewTokens=1) and whole calls, old main (fc1d1bf,
# composite prefill, built in a worktree at $OLD) against new main, processes alternated, GenerateBench profile mode.
# Usage: OLD=/work/wt-old bash bench/results/2026-12-07-s10-prefill-ab.sh > log
set -u
OLD=${OLD:-/work/wt-old}
NEW=${NEW:-$(cd "$(dirname "$0")/../.." && pwd)}
export OMP_WAIT_POLICY=passive
export GLIBC_TUNABLES="glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184:glibc.malloc.arena_max=1"
for rep in 1 2 3; do
  for side in old new; do
    dir=$OLD; [ "$side" = new ] && dir=$NEW
    echo "== rep $rep $side ($(git -C "$dir" rev-parse --short HEAD)) load $(cut -d' ' -f1-3 /proc/loadavg)"
    java -Xss8m -DnewTokens=1 -cp "$dir/prefer-cli/target/prefer-cli.jar:$dir/prefer-cli/target/lib/*" dev.prefer.lm.bench.GenerateBench tiny 20 3 2>&1 | tail -1
    java -Xss8m -cp "$dir/prefer-cli/target/prefer-cli.jar:$dir/prefer-cli/target/lib/*" dev.prefer.lm.bench.GenerateBench tiny 20 3 2>&1 | tail -1
    java -Xss8m -DnewTokens=1 -cp "$dir/prefer-cli/target/prefer-cli.jar:$dir/prefer-cli/target/lib/*" dev.prefer.lm.bench.GenerateBench gpt2-small 5 1 2>&1 | tail -1
  done
done
