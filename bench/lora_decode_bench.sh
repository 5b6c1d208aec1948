#!/usr/bin/env bash
# LoRA policies: scripted decoding on merged weights (-Dprefer.decodeScriptLora=true, the default) vs the composite path, alternated.
set -u
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=passive GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184:glibc.malloc.arena_max=1
CP="prefer-cli/target/prefer-cli.jar:prefer-cli/target/lib/*"
git log --oneline -1
T="--layers 2 --d-model 128 --heads 4 --vocab 512 --prompts 4 --generations 8 --prompt-len 32 --completion-len 32 --steps 5 --warmup 1 --lora --repeats 1"
G="--layers 12 --d-model 768 --heads 12 --vocab 50257 --prompts 2 --generations 4 --prompt-len 64 --completion-len 32 --steps 3 --warmup 1 --lora --repeats 1"
for i in 1 2 3; do for side in true false; do echo "== grpo tiny --lora decodeScriptLora=$side $(date -u +%T)"; PREFER_JAVA_OPTS="-Dprefer.decodeScriptLora=$side" ./prefer bench grpo $T 2>&1 | grep "run 1"; done; done
# GPT-2 small: merged copies packed per generation batch (default), unpacked (-Dprefer.online.packDecodeMinTokens=0), composite
for i in 1 2 3; do
  echo "== grpo gpt2 --lora merged+packed $(date -u +%T)"; ./prefer bench grpo $G 2>&1 | grep "run 1"
  echo "== grpo gpt2 --lora merged, unpacked $(date -u +%T)"; PREFER_JAVA_OPTS="-Dprefer.online.packDecodeMinTokens=0" ./prefer bench grpo $G 2>&1 | grep "run 1"
  echo "== grpo gpt2 --lora composite (decodeScriptLora=false) $(date -u +%T)"; PREFER_JAVA_OPTS="-Dprefer.decodeScriptLora=false" ./prefer bench grpo $G 2>&1 | grep "run 1"
done
for size in tiny tiny-llama; do for i in 1 2; do for side in true false; do echo "== GenerateBench $size -Dlora=8 decodeScriptLora=$side"; java -Xss8m -Xmx1g -Dlora=8 -Dprefer.decodeScriptLora=$side -cp "$CP" dev.prefer.lm.bench.GenerateBench $size 10 3 2>&1 | grep -E "caller thread cpu median|median wall|rss now"; done; done; done
for i in 1 2; do for side in true false; do echo "== GenerateBench gpt2-small -Dlora=8 decodeScriptLora=$side"; java -Xss8m -Xmx1g -Dlora=8 -Dprefer.decodeScriptLora=$side -cp "$CP" dev.prefer.lm.bench.GenerateBench gpt2-small 3 1 2>&1 | grep -E "caller thread cpu median|median wall|rss now"; done; done
CPT="prefer-lm/target/test-classes:prefer-lm/target/classes:$CP"
for t in default all; do echo "== LoraMergeBench gpt2-small $t"; java -Xmx1g -Dlora=8 -DloraTargets=$t -cp "$CPT" dev.prefer.lm.LoraMergeBench gpt2-small 20 2>&1 | grep -v SLF4J; done
echo "== LoraMergeBench gpt2-small default, packNow/dropPack around each call"; java -Xmx1g -Dlora=8 -Dpack=true -cp "$CPT" dev.prefer.lm.LoraMergeBench gpt2-small 20 2>&1 | grep -v SLF4J
echo "== LoraMergeBench gpt2-small without adapters, packNow/dropPack around each call (baseline)"; java -Xmx1g -Dpack=true -cp "$CPT" dev.prefer.lm.LoraMergeBench gpt2-small 20 2>&1 | grep -v SLF4J
echo "== LoraMergeBench llama-135m all"; java -Xmx1g -Dlora=8 -DloraTargets=all -cp "$CPT" dev.prefer.lm.LoraMergeBench llama-135m 20 2>&1 | grep -v SLF4J
echo "done $(date -u +%T), load $(cat /proc/loadavg)"
