/*
 * Copy the first half of the input onto the second half one byte at a time, then hash
 * the copy (h = h * 31 + byte) so the result depends on every copied byte. build.sh
 * passes -fno-builtin so clang keeps the loop instead of emitting a memcpy call, which
 * the BPF backend cannot lower for a variable length.
 */
#include "common.h"

ENTRY u64 entry(u8 *mem, u64 len) {
  u64 half = len / 2;
  u8 *dst = mem + half;
  for (u64 i = 0; i < half; i++) dst[i] = mem[i];
  u64 h = 0;
  for (u64 i = 0; i < half; i++) h = h * 31 + dst[i];
  return h;
}
