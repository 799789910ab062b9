import type { AluOp } from '../decode/opcodes.js';
import {
  constant, fromSubreg, sync, UNKNOWN, U32_MAX, U64_MAX, S32_MAX, S32_MIN, S64_MAX, S64_MIN, type Scalar,
} from './scalar.js';
import {
  tnumAdd, tnumAnd, tnumArshift, tnumCast, tnumConst, tnumIsConst, tnumLshift, tnumMul, tnumOr, tnumRshift, tnumSub,
  tnumSubreg, tnumUnknown, tnumXor, type Tnum,
} from './tnum.js';

/**
 * ALU operations on scalars (the kernel's adjust_scalar_min_max_vals): the result's bounds
 * and known bits from the operands', for 64-bit operations and for 32-bit ones (computed
 * on the low halves, then zero-extended). Where the kernel gives up (a shift by an
 * unknown amount, a division), the result is unknown: the verifier must not know more
 * than the kernel does, or it would accept what the kernel rejects.
 */

/** One width's view of a scalar: its unsigned and signed bounds and known bits at 32 or 64 bits. */
interface Bounds {
  readonly umin: bigint;
  readonly umax: bigint;
  readonly smin: bigint;
  readonly smax: bigint;
  readonly tnum: Tnum;
}

interface Width {
  readonly bits: 32 | 64;
  readonly umax: bigint;
  readonly smin: bigint;
  readonly smax: bigint;
  readonly u: (v: bigint) => bigint;
  readonly s: (v: bigint) => bigint;
}

const W64: Width = { bits: 64, umax: U64_MAX, smin: S64_MIN, smax: S64_MAX, u: (v) => BigInt.asUintN(64, v), s: (v) => BigInt.asIntN(64, v) };
const W32: Width = { bits: 32, umax: U32_MAX, smin: S32_MIN, smax: S32_MAX, u: (v) => BigInt.asUintN(32, v), s: (v) => BigInt.asIntN(32, v) };

function view(s: Scalar, w: Width): Bounds {
  return w.bits === 64
    ? { umin: s.umin, umax: s.umax, smin: s.smin, smax: s.smax, tnum: s.tnum }
    : { umin: s.u32min, umax: s.u32max, smin: s.s32min, smax: s.s32max, tnum: tnumSubreg(s.tnum) };
}

const unknownBounds = (w: Width, tnum: Tnum = w.bits === 64 ? tnumUnknown : tnumCast(tnumUnknown, 4)): Bounds =>
  ({ umin: 0n, umax: w.umax, smin: w.smin, smax: w.smax, tnum });

function constBounds(v: bigint, w: Width): Bounds {
  const u = w.u(v);
  return { umin: u, umax: u, smin: w.s(u), smax: w.s(u), tnum: tnumConst(u) };
}

/** Unsigned bounds from a computation that may overflow, signed ones likewise; unknown where it does. */
function ranged(w: Width, tnum: Tnum, u: [bigint, bigint] | undefined, s: [bigint, bigint] | undefined): Bounds {
  const unsignedOk = u !== undefined && u[0] >= 0n && u[1] <= w.umax && u[0] <= u[1];
  const signedOk = s !== undefined && s[0] >= w.smin && s[1] <= w.smax && s[0] <= s[1];
  return {
    umin: unsignedOk ? u[0] : 0n, umax: unsignedOk ? u[1] : w.umax,
    smin: signedOk ? s[0] : w.smin, smax: signedOk ? s[1] : w.smax,
    tnum,
  };
}

const isConst = (b: Bounds) => tnumIsConst(b.tnum);

/** The operation on one width's bounds. `undefined`: the kernel does not track it (unknown). */
function operate(op: AluOp, a: Bounds, b: Bounds, w: Width): Bounds | undefined {
  const bothNonNegative = a.smin >= 0n && b.smin >= 0n;
  switch (op) {
    case 'add':
      return ranged(w, fit(tnumAdd(a.tnum, b.tnum), w), [a.umin + b.umin, a.umax + b.umax], [a.smin + b.smin, a.smax + b.smax]);
    case 'sub':
      return ranged(w, fit(tnumSub(a.tnum, b.tnum), w), [a.umin - b.umax, a.umax - b.umin], [a.smin - b.smax, a.smax - b.smin]);
    case 'mul': {
      const tnum = fit(tnumMul(a.tnum, b.tnum), w);
      const u: [bigint, bigint] = [a.umin * b.umin, a.umax * b.umax];
      return ranged(w, tnum, u, bothNonNegative ? u : undefined);
    }
    case 'and': {
      const tnum = tnumAnd(a.tnum, b.tnum);
      const umax = a.umax < b.umax ? a.umax : b.umax;
      return ranged(w, tnum, [tnum.value, umax], bothNonNegative ? [tnum.value, umax] : undefined);
    }
    case 'or': {
      const tnum = tnumOr(a.tnum, b.tnum);
      const umin = a.umin > b.umin ? a.umin : b.umin;
      const umax = tnum.value | tnum.mask;
      return ranged(w, tnum, [umin, umax], bothNonNegative ? [umin, umax] : undefined);
    }
    case 'xor': {
      const tnum = tnumXor(a.tnum, b.tnum);
      const range: [bigint, bigint] = [tnum.value, tnum.value | tnum.mask];
      return ranged(w, tnum, range, bothNonNegative ? range : undefined);
    }
    case 'lsh': case 'rsh': case 'arsh': {
      // Only by a known amount below the width; anything else is unknown.
      if (!isConst(b) || b.umin >= BigInt(w.bits)) return undefined;
      const k = b.umin;
      if (op === 'lsh') {
        const tnum = fit(tnumLshift(a.tnum, Number(k)), w);
        return ranged(w, tnum, [a.umin << k, a.umax << k], [a.smin << k, a.smax << k]);
      }
      if (op === 'rsh') return ranged(w, tnumRshift(a.tnum, Number(k)), [a.umin >> k, a.umax >> k], undefined);
      return ranged(w, tnumArshift(a.tnum, Number(k), w.bits), undefined, [a.smin >> k, a.smax >> k]);
    }
    case 'neg':
      return operate('sub', constBounds(0n, w), a, w);
    default:
      return undefined;
  }
}

/** Known bits cut to the width (a 32-bit result's high half is not part of its tnum). */
function fit(t: Tnum, w: Width): Tnum {
  return w.bits === 64 ? t : tnumCast(t, 4);
}

/** Exact division and modulo of two known values, with eBPF's rules for zero and INT_MIN / -1. */
function divideConstants(op: AluOp, a: bigint, b: bigint, w: Width): bigint {
  switch (op) {
    case 'div': return b === 0n ? 0n : a / b;
    case 'mod': return b === 0n ? a : a % b;
    case 'sdiv': {
      const [x, y] = [w.s(a), w.s(b)];
      return y === 0n ? 0n : w.u(x / y);
    }
    default: { // smod
      const [x, y] = [w.s(a), w.s(b)];
      return y === 0n ? a : w.u(x % y);
    }
  }
}

/** The exact result of `op` on two known values at the width (zero-extended), or undefined where the bounds decide (a shift out of range). */
function knownResult(op: AluOp, x: bigint, y: bigint, w: Width): bigint | undefined {
  const [a, b] = [w.u(x), w.u(y)];
  switch (op) {
    case 'add': return w.u(a + b);
    case 'sub': return w.u(a - b);
    case 'mul': return w.u(a * b);
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'neg': return w.u(-a);
    case 'lsh': return b < BigInt(w.bits) ? w.u(a << b) : undefined;
    case 'rsh': return b < BigInt(w.bits) ? a >> b : undefined;
    case 'arsh': return b < BigInt(w.bits) ? w.u(w.s(a) >> b) : undefined;
    case 'div': case 'mod': case 'sdiv': case 'smod': return divideConstants(op, a, b, w);
    default: return undefined;
  }
}

/** dst `op`= src at 64 or 32 bits (`mov` and `movsx` are the caller's). */
export function scalarAlu(op: AluOp, width: 32 | 64, dst: Scalar, src: Scalar): Scalar {
  // Two known values (a counter and its step): the value itself, which is what the bounds
  // below would come to, without their work (this is most of what a long loop does).
  if (dst.tnum.mask === 0n && src.tnum.mask === 0n) {
    const known = knownResult(op, dst.tnum.value, src.tnum.value, width === 64 ? W64 : W32);
    if (known !== undefined) return constant(known);
  }
  const w = width === 64 ? W64 : W32;
  const a = view(dst, w);
  const b = view(src, w);
  let r: Bounds;
  if ((op === 'div' || op === 'mod' || op === 'sdiv' || op === 'smod') && isConst(a) && isConst(b)) {
    r = constBounds(divideConstants(op, a.tnum.value, b.tnum.value, w), w);
  } else {
    r = operate(op, a, b, w) ?? unknownBounds(w);
  }
  if (width === 64) return sync({ ...UNKNOWN, umin: r.umin, umax: r.umax, smin: r.smin, smax: r.smax, tnum: r.tnum });
  return fromSubreg({ ...UNKNOWN, u32min: r.umin, u32max: r.umax, s32min: r.smin, s32max: r.smax, tnum: r.tnum });
}

/** movsx / a 32-bit mov: the low `from` bits sign-extended to `width` (zero-extended above 32 for width 32). */
export function signExtend(src: Scalar, from: 8 | 16 | 32, width: 32 | 64): Scalar {
  const bits = BigInt(from);
  const limit = 1n << (bits - 1n);
  const low = view(src, W64);
  const fits = low.smin >= -limit && low.smax < limit;
  const value = fits ? low : undefined;
  const extended = (v: bigint) => BigInt.asIntN(from, v);
  let result: Scalar;
  if (value !== undefined && isConst(value)) result = constant(extended(value.tnum.value));
  else if (fits) result = sync({ ...UNKNOWN, smin: value!.smin, smax: value!.smax });
  else result = sync({ ...UNKNOWN, smin: -limit, smax: limit - 1n });
  return width === 64 ? result : fromSubreg(result);
}

/** A 32-bit mov: the low half, zero-extended. */
export function lowHalf(src: Scalar): Scalar {
  return fromSubreg(src);
}

export { constant };
