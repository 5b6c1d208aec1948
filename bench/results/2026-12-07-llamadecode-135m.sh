#!/usr/bin/env bash
# The Llama layout's scripted path against its composite path on llama-135m (SmolLM-135M's shape: 30 layers, d 576,
# 9 heads, 3 KV heads, SwiGLU 1536, vocab 49152; 8 prompts of 32..128 tokens, 64 new), GenerateBench profile mode,
# processes alternated, 2 rounds of 3 timed calls; then `prefer bench generate --size llama-135m` against
# bench/generate_torch.py --arch llama. Build first (./prefer --help). Usage: bash this > log
set -u
cd "$(dirname "$0")/../.."
export OMP_WAIT_POLICY=passive
export GLIBC_TUNABLES="glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184:glibc.malloc.arena_max=1"
cp="prefer-cli/target/prefer-cli.jar:prefer-cli/target/lib/*"
echo "== $(git rev-parse --short HEAD) $(date -u +%H:%M) nproc $(nproc)"
for rep in 1 2; do
  for side in composite scripted; do
    opt=""; [ "$side" = composite ] && opt="-Dprefer.decodeScript=false"
    echo "== rep $rep $side load $(cut -d' ' -f1-3 /proc/loadavg)"
    java -Xss8m $opt -cp "$cp" dev.prefer.lm.bench.GenerateBench llama-135m 3 1 2>&1 | tail -2
  done
done
./prefer bench generate --size llama-135m --repeats 3 --runs 2 2>&1 | grep -v SLF4J
echo "== end $(date -u +%H:%M) load $(cut -d' ' -f1-3 /proc/loadavg)"
