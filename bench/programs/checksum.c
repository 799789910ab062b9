/*
 * RFC 1071 Internet checksum of the whole input (1500 bytes in the benchmark, one MTU):
 * sum big-endian 16-bit words in a wide accumulator, pad an odd last byte with zero,
 * fold the carries back in, return the one's complement.
 */
#include "common.h"

ENTRY u64 entry(u8 *mem, u64 len) {
  u64 sum = 0;
  u64 i = 0;
  for (; i + 1 < len; i += 2) sum += ((u64)mem[i] << 8) | mem[i + 1];
  if (i < len) sum += (u64)mem[i] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}
