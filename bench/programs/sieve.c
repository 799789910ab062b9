/*
 * Sieve of Eratosthenes over the input memory (one flag byte per number below len):
 * returns how many primes are below len. The program initialises the flags itself, so
 * every run does the same work whatever the memory held before.
 */
#include "common.h"

ENTRY u64 entry(u8 *mem, u64 len) {
  for (u64 i = 0; i < len; i++) mem[i] = i >= 2;
  for (u64 i = 2; i * i < len; i++) {
    if (!mem[i]) continue;
    for (u64 j = i * i; j < len; j += i) mem[j] = 0;
  }
  u64 count = 0;
  for (u64 i = 0; i < len; i++) count += mem[i];
  return count;
}
