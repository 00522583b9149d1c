/* The machine's peak single-precision FMA throughput on one core with 128-bit vectors (what
 * WebAssembly SIMD has) and with 256-bit vectors (what native AVX2/AVX-512 BLAS uses): twelve
 * independent vfmadd231ps chains in a loop, enough to cover the FMA latency at two per cycle.
 * Build and run: cc -O2 fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak (run.sh does this). x86-64 only. */
#include <stdio.h>
#include <time.h>

#define FMA12(R)                                                                                   \
  "vfmadd231ps %%" R "14,%%" R "15,%%" R "0\n vfmadd231ps %%" R "14,%%" R "15,%%" R "1\n"           \
  "vfmadd231ps %%" R "14,%%" R "15,%%" R "2\n vfmadd231ps %%" R "14,%%" R "15,%%" R "3\n"           \
  "vfmadd231ps %%" R "14,%%" R "15,%%" R "4\n vfmadd231ps %%" R "14,%%" R "15,%%" R "5\n"           \
  "vfmadd231ps %%" R "14,%%" R "15,%%" R "6\n vfmadd231ps %%" R "14,%%" R "15,%%" R "7\n"           \
  "vfmadd231ps %%" R "14,%%" R "15,%%" R "8\n vfmadd231ps %%" R "14,%%" R "15,%%" R "9\n"           \
  "vfmadd231ps %%" R "14,%%" R "15,%%" R "10\n vfmadd231ps %%" R "14,%%" R "15,%%" R "11\n"

#define CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm14", "xmm15", "cc"

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  const long iterations = 300000000;
  double best128 = 0, best256 = 0;
  for (int round = 0; round < 3; round++) {
    long n = iterations;
    double t = seconds();
    __asm__ volatile("vxorps %%xmm14,%%xmm14,%%xmm14\n vxorps %%xmm15,%%xmm15,%%xmm15\n 1:\n" FMA12("xmm") "dec %0\n jnz 1b\n" : "+r"(n) : : CLOBBERS);
    double g = iterations * 12.0 * 8 / (seconds() - t) / 1e9;  /* 4 lanes × 2 flops per FMA */
    if (g > best128) best128 = g;
    n = iterations;
    t = seconds();
    __asm__ volatile("vxorps %%ymm14,%%ymm14,%%ymm14\n vxorps %%ymm15,%%ymm15,%%ymm15\n 1:\n" FMA12("ymm") "dec %0\n jnz 1b\n" : "+r"(n) : : CLOBBERS);
    g = iterations * 12.0 * 16 / (seconds() - t) / 1e9;  /* 8 lanes × 2 flops per FMA */
    if (g > best256) best256 = g;
  }
  printf("FMA peak, one core, best of 3: 128-bit vectors %.1f GFLOP/s, 256-bit vectors %.1f GFLOP/s\n", best128, best256);
  return 0;
}
