#!/usr/bin/env bash
export OMP_WAIT_POLICY=passive THP_MEM_ALLOC_ENABLE=1 GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184:glibc.malloc.arena_max=1
CP="/tmp/g3/classes:$1/prefer-cli.jar:$1/lib/*"
for i in $(seq 1 $2); do
  for arm in base pack keep both; do
    case $arm in
      base) opt="-Dprefer.online.packDecodeMinTokens=0 -Dprefer.lm.headKeepElements=0";;
      pack) opt="-Dprefer.lm.headKeepElements=0";;
      keep) opt="-Dprefer.online.packDecodeMinTokens=0";;
      both) opt="-Dx=1";;
    esac
    echo "$i $arm | $(java -Xss8m $opt -cp "$CP" g3.GrpoCpu 3 2>&1 | grep wall) | load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
