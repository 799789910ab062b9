/*
 * strcmp over two NUL-terminated strings, the first at the start of the input and the
 * second at len / 2, each bounded by its half. Repeated REPS times, comparing the
 * suffixes that start 4 * rep bytes in, and the signed results are folded into a hash,
 * so every repetition is distinct work the compiler cannot hoist.
 */
#include "common.h"

#define REPS 16

INLINE s64 compare(const u8 *a, const u8 *b, u64 max) {
  for (u64 i = 0; i < max; i++) {
    if (a[i] != b[i] || a[i] == 0) return (s64)a[i] - (s64)b[i];
  }
  return 0;
}

ENTRY u64 entry(u8 *mem, u64 len) {
  u64 half = len / 2;
  u64 h = 0;
  for (u64 rep = 0; rep < REPS; rep++) {
    u64 start = rep * 4;
    if (start >= half) break;
    h = h * 33 + (u64)compare(mem + start, mem + half + start, half - start);
  }
  return h;
}
