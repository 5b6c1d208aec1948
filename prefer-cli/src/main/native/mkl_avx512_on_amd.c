/*
 * Lets Intel oneMKL (linked statically into DJL's libtorch_cpu.so, which exports these two functions) take its
 * AVX-512 code path on non-Intel CPUs that have AVX-512. MKL asks mkl_serv_intel_cpu_true() whether the CPU is an
 * Intel one and otherwise stays on its AVX2 path; it still picks the instruction tier from the CPU's own feature
 * flags (cpuid), so it never uses instructions the CPU lacks. ./prefer compiles this with the system C compiler and
 * LD_PRELOADs it only on AMD CPUs whose /proc/cpuinfo lists avx512f, avx512bw, avx512dq and avx512vl; set
 * PREFER_MKL_SHIM=0 to turn it off. Checked with MKL_VERBOSE=1: the header then reads "Intel(R) Advanced Vector
 * Extensions 512 (Intel(R) AVX-512) ..." instead of "Intel(R) Architecture processors" (docs/train.md, speed).
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
int mkl_serv_intel_cpu(void) { return 1; }
