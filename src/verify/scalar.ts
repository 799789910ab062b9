import {
  tnumCast, tnumConst, tnumIntersect, tnumIsConst, tnumRange, tnumSubreg, tnumUnknown, tnumWithSubreg, type Tnum,
} from './tnum.js';

/**
 * What the verifier knows of a scalar: its unsigned and signed 64-bit bounds, the same
 * for its low 32 bits, and its known bits (the kernel's bpf_reg_state bounds). Every
 * value the register can hold lies in all of them at once; `sync` tightens each from
 * the others (the kernel's reg_bounds_sync). Bounds are bigints: umin/umax in [0, 2^64),
 * smin/smax in [-2^63, 2^63), and the 32-bit ones likewise.
 */
export interface Scalar {
  readonly umin: bigint;
  readonly umax: bigint;
  readonly smin: bigint;
  readonly smax: bigint;
  readonly u32min: bigint;
  readonly u32max: bigint;
  readonly s32min: bigint;
  readonly s32max: bigint;
  readonly tnum: Tnum;
}

export const U64_MAX = (1n << 64n) - 1n;
export const S64_MIN = -(1n << 63n);
export const S64_MAX = (1n << 63n) - 1n;
export const U32_MAX = (1n << 32n) - 1n;
export const S32_MIN = -(1n << 31n);
export const S32_MAX = (1n << 31n) - 1n;

export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
export const u32 = (v: bigint): bigint => BigInt.asUintN(32, v);
export const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);
const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

export const UNKNOWN: Scalar = {
  umin: 0n, umax: U64_MAX, smin: S64_MIN, smax: S64_MAX, u32min: 0n, u32max: U32_MAX, s32min: S32_MIN, s32max: S32_MAX, tnum: tnumUnknown,
};

/** A known value (any bigint, taken modulo 2^64). */
export function constant(value: bigint): Scalar {
  const v = u64(value);
  return {
    umin: v, umax: v, smin: s64(v), smax: s64(v), u32min: u32(v), u32max: u32(v), s32min: s32(v), s32max: s32(v), tnum: tnumConst(v),
  };
}

/** The unsigned range [lo, hi] (both in [0, 2^64)). */
export function unsignedRange(lo: bigint, hi: bigint): Scalar {
  return sync({ ...UNKNOWN, umin: lo, umax: hi });
}

export function isConstant(s: Scalar): boolean {
  return tnumIsConst(s.tnum);
}

/** The value of a known scalar (unsigned 64-bit), else undefined. */
export function constantOf(s: Scalar): bigint | undefined {
  return isConstant(s) ? s.tnum.value : undefined;
}

/** Whether no value fits every bound (an impossible path). */
export function isEmpty(s: Scalar): boolean {
  return s.umin > s.umax || s.smin > s.smax || s.u32min > s.u32max || s.s32min > s.s32max;
}

/** A value known to fit in 32 bits, zero-extended: the result of every 32-bit operation. */
export function fromSubreg(lo: Scalar): Scalar {
  return sync({
    umin: lo.u32min, umax: lo.u32max, smin: lo.u32min, smax: lo.u32max,
    u32min: lo.u32min, u32max: lo.u32max, s32min: lo.s32min, s32max: lo.s32max,
    tnum: tnumSubreg(lo.tnum),
  });
}

/** Bounds from the known bits (the kernel's __update_reg_bounds). */
function fromTnum(s: Scalar): Scalar {
  const t = s.tnum;
  // Nothing known of a half: no bound to take from it (the common case, and BigInt work is what the verifier spends its time on).
  const low = (t.mask & U32_MAX) !== U32_MAX;
  if (t.mask === U64_MAX) return s;
  const umin = max(s.umin, t.value);
  const umax = min(s.umax, t.value | t.mask);
  const smin = max(s.smin, s64(t.value | (t.mask & SIGN_BIT)));
  const smax = min(s.smax, s64(t.value | (t.mask & S64_MAX)));
  if (!low) return { umin, umax, smin, smax, u32min: s.u32min, u32max: s.u32max, s32min: s.s32min, s32max: s.s32max, tnum: t };
  const value = t.value & U32_MAX;
  const mask = t.mask & U32_MAX;
  return {
    umin, umax, smin, smax,
    u32min: max(s.u32min, value),
    u32max: min(s.u32max, value | mask),
    s32min: max(s.s32min, s32(value | (mask & SIGN_BIT_32))),
    s32max: min(s.s32max, s32(value | (mask & S32_MAX))),
    tnum: t,
  };
}

const SIGN_BIT = 1n << 63n;
const SIGN_BIT_32 = 1n << 31n;

/** Each pair of bounds from the others (the kernel's __reg_deduce_bounds). */
function deduce(s: Scalar): Scalar {
  let { umin, umax, smin, smax, u32min, u32max, s32min, s32max } = s;
  // 32-bit bounds from the 64-bit ones, when the high halves agree.
  if (umin >> 32n === umax >> 32n) {
    u32min = max(u32min, u32(umin));
    u32max = min(u32max, u32(umax));
    if (s32(umin) <= s32(umax)) {
      s32min = max(s32min, s32(umin));
      s32max = min(s32max, s32(umax));
    }
  }
  if (u64(smin) >> 32n === u64(smax) >> 32n) {
    u32min = max(u32min, u32(smin));
    u32max = min(u32max, u32(smax));
    if (s32(smin) <= s32(smax)) {
      s32min = max(s32min, s32(smin));
      s32max = min(s32max, s32(smax));
    }
  }
  // Signed and unsigned 32-bit bounds from each other when the range does not cross the sign.
  if (s32(u32min) <= s32(u32max)) {
    s32min = max(s32min, s32(u32min));
    s32max = min(s32max, s32(u32max));
  }
  if (u32(s32min) <= u32(s32max)) {
    u32min = max(u32min, u32(s32min));
    u32max = min(u32max, u32(s32max));
  }
  // The same for 64 bits.
  if (s64(umin) <= s64(umax)) {
    smin = max(smin, s64(umin));
    smax = min(smax, s64(umax));
  }
  if (u64(smin) <= u64(smax)) {
    umin = max(umin, u64(smin));
    umax = min(umax, u64(smax));
  }
  // A 64-bit range within one 2^32 block takes its low bounds from the 32-bit ones.
  if (umin >> 32n === umax >> 32n) {
    const high = umin & ~U32_MAX;
    umin = max(umin, high | u32min);
    umax = min(umax, high | u32max);
  }
  return { umin, umax, smin, smax, u32min, u32max, s32min, s32max, tnum: s.tnum };
}

/** Known bits from the bounds (the kernel's __reg_bound_offset). */
function boundBits(s: Scalar): Scalar {
  if (isEmpty(s)) return s;
  const t64 = tnumIntersect(s.tnum, tnumRange(s.umin, s.umax));
  const t32 = tnumIntersect(tnumSubreg(s.tnum), tnumRange(s.u32min, s.u32max));
  return { ...s, tnum: tnumWithSubreg(t64, t32) };
}

/** Tighten every bound from the others (the kernel's reg_bounds_sync). */
export function sync(s: Scalar): Scalar {
  // Fast paths (BigInt arithmetic is what the verifier spends its time on): a known value, and nothing known.
  if (s.tnum.mask === 0n && s.umin <= s.tnum.value && s.tnum.value <= s.umax) {
    const k = constant(s.tnum.value);
    if (s.smin <= k.smin && k.smax <= s.smax && s.u32min <= k.u32min && k.u32max <= s.u32max && s.s32min <= k.s32min && k.s32max <= s.s32max) return k;
  }
  if (s.tnum.mask === U64_MAX && s.umin === 0n && s.umax === U64_MAX && s.smin === S64_MIN && s.smax === S64_MAX
    && s.u32min === 0n && s.u32max === U32_MAX && s.s32min === S32_MIN && s.s32max === S32_MAX) return UNKNOWN;
  if (s.umax < SMALL) {
    const small = syncSmall(s);
    if (small !== undefined) return small;
  }
  let r = fromTnum(s);
  r = deduce(r);
  r = deduce(r);
  const bits = boundBits(r);
  // Known bits the bounds did not add leave nothing new for fromTnum, which ran on them already.
  return bits.tnum.value === r.tnum.value && bits.tnum.mask === r.tnum.mask ? bits : fromTnum(bits);
}

/** Below this, a value reads the same in all four views (u64, s64, u32, s32). */
const SMALL = 1n << 31n;

/**
 * sync for a scalar below 2^31 (counters, bytes, lengths: most of them): every view is the
 * same number, so each bound of each view bounds it; the known bits and the range then
 * tighten each other once, which is where the general path ends up. Undefined if empty.
 */
function syncSmall(s: Scalar): Scalar | undefined {
  let lo = max(max(s.umin, s.smin), max(s.u32min, s.s32min));
  let hi = min(min(s.umax, s.smax), min(s.u32max, s.s32max));
  lo = max(lo, s.tnum.value);
  hi = min(hi, s.tnum.value | s.tnum.mask);
  if (lo > hi) return undefined;
  const tnum = tnumIntersect(s.tnum, tnumRange(lo, hi));
  lo = max(lo, tnum.value);
  hi = min(hi, tnum.value | tnum.mask);
  if (lo > hi) return undefined;
  return { umin: lo, umax: hi, smin: lo, smax: hi, u32min: lo, u32max: hi, s32min: lo, s32max: hi, tnum };
}

/** Whether every value of `inner` is one of `outer`'s (state pruning's range_within and tnum_in). */
export function within(outer: Scalar, inner: Scalar): boolean {
  return outer.umin <= inner.umin && inner.umax <= outer.umax && outer.smin <= inner.smin && inner.smax <= outer.smax
    && outer.u32min <= inner.u32min && inner.u32max <= outer.u32max && outer.s32min <= inner.s32min && inner.s32max <= outer.s32max
    && (outer.tnum.mask | inner.tnum.mask) === outer.tnum.mask && (outer.tnum.value & ~outer.tnum.mask) === (inner.tnum.value & ~outer.tnum.mask);
}

export function equalScalars(a: Scalar, b: Scalar): boolean {
  return a.umin === b.umin && a.umax === b.umax && a.smin === b.smin && a.smax === b.smax
    && a.u32min === b.u32min && a.u32max === b.u32max && a.s32min === b.s32min && a.s32max === b.s32max
    && a.tnum.value === b.tnum.value && a.tnum.mask === b.tnum.mask;
}

/** The low `size` bytes, zero-extended (a narrow load, or a truncation). */
export function truncate(s: Scalar, size: number): Scalar {
  if (size >= 8) return s;
  const limit = (1n << BigInt(size * 8)) - 1n;
  const t = tnumCast(s.tnum, size);
  const keepsRange = s.umax <= limit;
  return sync({ ...UNKNOWN, umin: keepsRange ? s.umin : 0n, umax: keepsRange ? s.umax : limit, tnum: t });
}

/** The kernel's log form of a scalar's bounds: what is not trivially implied is printed. */
export function scalarString(s: Scalar): string {
  const k = constantOf(s);
  if (k !== undefined) return `${s64(k)}`;
  const parts: string[] = [];
  if (s.smin !== S64_MIN) parts.push(`smin=${s.smin}`);
  if (s.smax !== S64_MAX) parts.push(`smax=${s.smax}`);
  if (s.umin !== 0n) parts.push(`umin=${s.umin}`);
  if (s.umax !== U64_MAX) parts.push(`umax=${s.umax}`);
  if (s.s32min !== S32_MIN) parts.push(`smin32=${s.s32min}`);
  if (s.s32max !== S32_MAX) parts.push(`smax32=${s.s32max}`);
  if (s.u32min !== 0n) parts.push(`umin32=${s.u32min}`);
  if (s.u32max !== U32_MAX) parts.push(`umax32=${s.u32max}`);
  if (s.tnum.mask !== U64_MAX) parts.push(`var_off=(0x${s.tnum.value.toString(16)}; 0x${s.tnum.mask.toString(16)})`);
  return `scalar(${parts.join(',')})`;
}
