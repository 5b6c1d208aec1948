#!/bin/bash
# usage: s3prof.sh SIZE RUNS WARMUP [trace]  (extra java opts via JOPTS)
cd /work/wt-speed3
export OMP_WAIT_POLICY=passive THP_MEM_ALLOC_ENABLE=1
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184:glibc.malloc.arena_max=1
exec java -Xss8m -Xmx2g $JOPTS -Doffline=true -cp "prefer-cli/target/prefer-cli.jar:prefer-cli/target/lib/*" dev.prefer.lm.bench.GenerateBench "$@"
