#!/bin/bash
# s3run.sh CLASS args... (JOPTS for java opts); compiles /tmp/s3h against the worktree's classes
cd /work/wt-speed3
CP="${CPFIRST:-prefer-lm/target/classes}:prefer-lm/target/test-classes:prefer-cli/target/prefer-cli.jar:prefer-cli/target/lib/*"
mkdir -p /tmp/s3h/out
javac -nowarn -d /tmp/s3h/out -cp "$CP" /tmp/s3h/dev/prefer/lm/*.java 2>&1 | grep -v warning
export OMP_WAIT_POLICY=passive THP_MEM_ALLOC_ENABLE=1
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184:glibc.malloc.arena_max=1
exec java -Xss8m -Xmx2g $JOPTS -Doffline=true -cp "/tmp/s3h/out:$CP" "$@"
