/*
 * Call a helper N times (N = the little-endian u32 at the start of the input):
 * acc = bench_add(acc, i). In eBPF it is helper id 1; natively an ordinary function in a
 * separate translation unit (bench/native/helpers.c), so neither side can inline it.
 */
#include "common.h"

#ifdef __bpf__
static long (*bench_add)(long a, long b) = (void *)1;
#else
long bench_add(long a, long b);
#endif

ENTRY u64 entry(u8 *mem, u64 len) {
  if (len < 4) return 0;
  u32 n = load_u32(mem);
  long acc = 0;
  for (u32 i = 0; i < n; i++) acc = bench_add(acc, i);
  return (u64)acc;
}
