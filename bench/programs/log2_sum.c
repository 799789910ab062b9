/*
 * Sum of floor(log2(x)) over the input read as an array of little-endian u64 (x = 0
 * counts 0). eBPF has no count-leading-zeros instruction, so this is the classic
 * branchy binary search: six compare-and-shift steps per element.
 */
#include "common.h"

INLINE u64 floor_log2(u64 x) {
  u64 r = 0;
  if (x >> 32) { x >>= 32; r += 32; }
  if (x >> 16) { x >>= 16; r += 16; }
  if (x >> 8) { x >>= 8; r += 8; }
  if (x >> 4) { x >>= 4; r += 4; }
  if (x >> 2) { x >>= 2; r += 2; }
  if (x >> 1) { r += 1; }
  return r;
}

ENTRY u64 entry(u8 *mem, u64 len) {
  u64 *words = (u64 *)mem;
  u64 n = len / 8;
  u64 sum = 0;
  for (u64 i = 0; i < n; i++) sum += floor_log2(words[i]);
  return sum;
}
