/*
 * Count the primes below N by trial division with odd divisors: pure arithmetic
 * (a division per step), no memory. N is the little-endian u32 at the start of the
 * input so the compiler cannot fold the answer; 0 if the input is shorter than 4 bytes.
 */
#include "common.h"

INLINE int is_prime(u32 n) {
  if (n < 2) return 0;
  if (n % 2 == 0) return n == 2;
  for (u32 d = 3; d * d <= n; d += 2)
    if (n % d == 0) return 0;
  return 1;
}

ENTRY u64 entry(u8 *mem, u64 len) {
  if (len < 4) return 0;
  u32 n = load_u32(mem);
  u64 count = 0;
  for (u32 k = 0; k < n; k++) count += is_prime(k);
  return count;
}
