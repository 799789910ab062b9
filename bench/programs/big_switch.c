/*
 * A 40-case switch over the input bytes: each byte selects one of 40 different updates
 * of a 64-bit accumulator (bytes 40..63 of the low six bits take the default). The BPF
 * backend has no indirect jumps, so clang lowers the switch to a tree of compares; a
 * native build gets a jump table. Every case has its own operation, so the compiler
 * cannot fold the switch into a table lookup of constants.
 */
#include "common.h"

ENTRY u64 entry(u8 *mem, u64 len) {
  u64 acc = 0x0123456789abcdefULL;
  for (u64 i = 0; i < len; i++) {
    u64 b = mem[i];
    switch (b & 63) {
      case 0: acc += b; break;
      case 1: acc ^= b << 8; break;
      case 2: acc *= 3; break;
      case 3: acc -= 0x1234; break;
      case 4: acc = (acc << 1) | (acc >> 63); break;
      case 5: acc >>= 3; break;
      case 6: acc += acc >> 7; break;
      case 7: acc ^= 0x9e3779b97f4a7c15ULL; break;
      case 8: acc += b * b; break;
      case 9: acc = ~acc; break;
      case 10: acc += 10; break;
      case 11: acc ^= acc << 13; break;
      case 12: acc ^= acc >> 17; break;
      case 13: acc *= 0x100000001b3ULL; break;
      case 14: acc -= b; break;
      case 15: acc = (acc >> 1) | (acc << 63); break;
      case 16: acc &= 0xffffffffffffULL; break;
      case 17: acc |= 0x11; break;
      case 18: acc += 0xabcdef; break;
      case 19: acc ^= b << 32; break;
      case 20: acc *= 5; break;
      case 21: acc -= acc >> 11; break;
      case 22: acc += b << 16; break;
      case 23: acc ^= 0xff00ff00; break;
      case 24: acc += acc << 4; break;
      case 25: acc >>= 1; break;
      case 26: acc += 26; break;
      case 27: acc ^= acc >> 29; break;
      case 28: acc *= 7; break;
      case 29: acc -= b << 4; break;
      case 30: acc = (acc << 8) | (acc >> 56); break;
      case 31: acc |= b << 24; break;
      case 32: acc += 0x5555; break;
      case 33: acc ^= b * 0x01010101ULL; break;
      case 34: acc *= 9; break;
      case 35: acc -= 35; break;
      case 36: acc &= ~b; break;
      case 37: acc += acc >> 33; break;
      case 38: acc ^= 0x2545f4914f6cdd1dULL; break;
      case 39: acc = (acc >> 16) | (acc << 48); break;
      default: acc += 1; break;
    }
  }
  return acc;
}
