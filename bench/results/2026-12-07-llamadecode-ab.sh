#!/usr/bin/env bash
# The Llama layout's scripted step and prefill against its composite path (-Dprefer.decodeScript=false) on the
# tiny-llama shape (2 layers, d 128, 4 heads, 2 KV heads, SwiGLU 352, vocab 512; 16 prompts of 16..64 tokens, 64 new),
# GenerateBench profile mode, processes alternated, 3 rounds: whole calls and prefill + first token (-DnewTokens=1);
# GPT-2 tiny (scripted) once per round for comparison. Then `prefer bench generate` against bench/generate_torch.py
# --arch llama. Build first (./prefer --help). Usage: bash bench/results/2026-12-07-llamadecode-ab.sh > log
set -u
cd "$(dirname "$0")/../.."
export OMP_WAIT_POLICY=passive
export GLIBC_TUNABLES="glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184:glibc.malloc.arena_max=1"
cp="prefer-cli/target/prefer-cli.jar:prefer-cli/target/lib/*"
echo "== $(git rev-parse --short HEAD) $(date -u +%H:%M) nproc $(nproc)"
for rep in 1 2 3; do
  for side in composite scripted; do
    opt=""; [ "$side" = composite ] && opt="-Dprefer.decodeScript=false"
    echo "== rep $rep $side load $(cut -d' ' -f1-3 /proc/loadavg)"
    java -Xss8m $opt -cp "$cp" dev.prefer.lm.bench.GenerateBench tiny-llama 20 3 2>&1 | tail -2
    java -Xss8m $opt -DnewTokens=1 -cp "$cp" dev.prefer.lm.bench.GenerateBench tiny-llama 20 3 2>&1 | tail -2
  done
  echo "== rep $rep gpt2 tiny scripted load $(cut -d' ' -f1-3 /proc/loadavg)"
  java -Xss8m -cp "$cp" dev.prefer.lm.bench.GenerateBench tiny 20 3 2>&1 | tail -2
done
./prefer bench generate --size tiny-llama --size tiny --repeats 5 --runs 3 2>&1 | grep -v SLF4J
echo "== end $(date -u +%H:%M) load $(cut -d' ' -f1-3 /proc/loadavg)"
