/**
 * Tristate numbers (the kernel's tnum, kernel/bpf/tnum.c): what is known of each bit of
 * a 64-bit value. A bit set in `mask` is unknown; the others are `value`'s. Every
 * operation gives a tnum that holds every result the operands' values can produce.
 * Values are unsigned 64-bit bigints.
 */
export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

const U64 = (1n << 64n) - 1n;
const u64 = (v: bigint) => v & U64;

export const tnumUnknown: Tnum = { value: 0n, mask: U64 };

export function tnumConst(value: bigint): Tnum {
  return { value: u64(value), mask: 0n };
}

export function tnumIsConst(a: Tnum): boolean {
  return a.mask === 0n;
}

/** The bits that may differ between min and max are unknown. */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = u64(min ^ max);
  if (chi === 0n) return tnumConst(min);
  const bits = bitLength(chi);
  if (bits > 63) return tnumUnknown;
  const delta = LOW_ONES[bits];
  return { value: u64(min & ~delta), mask: delta };
}

/** LOW_ONES[n]: the low n bits set (n <= 64). */
const LOW_ONES: readonly bigint[] = Array.from({ length: 65 }, (_, n) => (1n << BigInt(n)) - 1n);

/** The number of bits of a value below 2^64 (0 for 0), without a string (this is hot). */
function bitLength(x: bigint): number {
  const high = Number(x >> 32n);
  return high !== 0 ? 64 - Math.clz32(high) : 32 - Math.clz32(Number(x));
}

export function tnumLshift(a: Tnum, shift: number): Tnum {
  return { value: u64(a.value << BigInt(shift)), mask: u64(a.mask << BigInt(shift)) };
}

export function tnumRshift(a: Tnum, shift: number): Tnum {
  return { value: a.value >> BigInt(shift), mask: a.mask >> BigInt(shift) };
}

export function tnumArshift(a: Tnum, shift: number, bits: 32 | 64 = 64): Tnum {
  const s = (v: bigint) => BigInt.asUintN(bits, BigInt.asIntN(bits, v) >> BigInt(shift));
  return { value: s(a.value), mask: s(a.mask) };
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = u64(a.mask + b.mask);
  const sv = u64(a.value + b.value);
  const sigma = u64(sm + sv);
  const chi = sigma ^ sv;
  const mu = chi | a.mask | b.mask;
  return { value: sv & ~mu & U64, mask: mu };
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return { value: dv & ~mu & U64, mask: mu };
}

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return { value: v, mask: alpha & beta & ~v & U64 };
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return { value: v, mask: mu & ~v & U64 };
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return { value: v & ~mu & U64, mask: mu };
}

/** Half-multiply-add: acc + (unknown * mask * value), a step of tnumMul. */
function hma(acc: Tnum, value: bigint, mask: bigint): Tnum {
  let result = acc;
  for (let v = value, m = mask; m !== 0n; m >>= 1n, v = u64(v << 1n)) {
    if (m & 1n) result = tnumAdd(result, { value: 0n, mask: v });
  }
  return result;
}

export function tnumMul(a: Tnum, b: Tnum): Tnum {
  const pi = u64(a.value * b.value);
  const acc = hma({ value: pi, mask: 0n }, a.mask, b.mask | b.value);
  return hma(acc, b.mask, a.value);
}

/** What both know: a bit known in either is known (conflicting knowledge gives 1, as the kernel does). */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return { value: v & ~mu & U64, mask: mu };
}

/** The low `size` bytes. */
export function tnumCast(a: Tnum, size: number): Tnum {
  const keep = size >= 8 ? U64 : LOW_ONES[size * 8];
  return { value: a.value & keep, mask: a.mask & keep };
}

export function tnumIsAligned(a: Tnum, size: number): boolean {
  if (size === 0) return true;
  return ((a.value | a.mask) & BigInt(size - 1)) === 0n;
}

/** Whether every value of b is one of a's. */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if (b.mask & ~a.mask) return false;
  return a.value === (b.value & ~a.mask & U64);
}

/** The low 32 bits, and the high 32 bits cleared. */
export function tnumSubreg(a: Tnum): Tnum {
  return tnumCast(a, 4);
}

/** a with its low 32 bits replaced by b's. */
export function tnumWithSubreg(a: Tnum, b: Tnum): Tnum {
  // tnumOr of a's high half and b's low half, in one step.
  const value = (a.value & HIGH_HALF) | (b.value & LOW_HALF);
  return { value, mask: ((a.mask & HIGH_HALF) | (b.mask & LOW_HALF)) & ~value & U64 };
}

const LOW_HALF = 0xffff_ffffn;
const HIGH_HALF = U64 ^ LOW_HALF;

export function tnumEqual(a: Tnum, b: Tnum): boolean {
  return a.value === b.value && a.mask === b.mask;
}

/** The kernel's log form: (0x0; 0xff). */
export function tnumString(a: Tnum): string {
  return `(0x${a.value.toString(16)}; 0x${a.mask.toString(16)})`;
}
