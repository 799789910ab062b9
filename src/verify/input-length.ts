/**
 * Bounds relative to a raw program's input length (LEN, r2 at entry), which let the
 * verifier prove input accesses whose indices were compared with the length rather than
 * with a constant: `for (i = 0; i < len; i++) mem[i]`, `half = len / 2; mem[half + i]`
 * with `i < half`.
 *
 * A scalar may carry `lenBound` = {a, b}: its value (unsigned) is at most a·LEN + b, an
 * exact real-number inequality (a >= 0; a and b are dyadic fractions, exact in a double).
 * The state carries `lenMin`: LEN >= lenMin on this path. A bound is kept only while it
 * stays far below 2^64 for every possible LEN (at most LEN_MAX), so adding two bounded
 * values or a small constant never wraps and the sum's bound is the sum of the bounds.
 *
 * Where the bounds come from: r2 at entry is LEN (a = 1, b = 0); a compare `x < y` gives
 * x the bound of y minus 1 (and `x <= y`, `x == y` likewise); add, constant multiplies,
 * shifts and divisions carry them through; a value's concrete maximum is itself a bound
 * (a = 0). A compare that shows such a value is at least m also shows LEN >= (m - b) / a.
 * An input access [off, off + size) is proven when off >= 0 and off + size <= LEN for
 * every LEN >= lenMin, which for a bound a·LEN + b on off + size means
 * (a - 1)·lenMin + b <= 0 with a <= 1.
 */

import { MAX_INPUT_SIZE } from '../abi/layout.js';
import { sync, type Scalar } from './scalar.js';

export interface LenBound {
  readonly a: number;
  readonly b: number;
}

/** The largest input length any run can have: no runtime's input area is larger (abi/layout.ts). */
export const LEN_MAX = MAX_INPUT_SIZE;
/** Bounds whose value can reach this are dropped: sums of two stay exact and far from 2^64. */
const LIMIT = 2 ** 52;

export const EXACT_LEN: LenBound = { a: 1, b: 0 };

/** The bound, if it is usable: a small non-negative coefficient and no value near 2^52 for any LEN. */
export function checked(bound: LenBound | undefined): LenBound | undefined {
  if (bound === undefined) return undefined;
  const { a, b } = bound;
  if (!Number.isFinite(a) || !Number.isFinite(b) || a < 0 || a > 1024 || Math.abs(b) >= LIMIT || a * LEN_MAX + b >= LIMIT) return undefined;
  return bound;
}

/** A value's concrete maximum as a bound (a = 0), if small enough. */
export function fromMax(umax: bigint): LenBound | undefined {
  return umax < BigInt(LIMIT) ? { a: 0, b: Number(umax) } : undefined;
}

/** The bound's value at LEN = len. */
const at = (x: LenBound, len: number) => x.a * len + x.b;

/** Whether x <= y for every LEN in [lenMin, LEN_MAX] (linear: both ends suffice). */
export function atMost(x: LenBound, y: LenBound, lenMin: number): boolean {
  return at(x, lenMin) <= at(y, lenMin) && at(x, LEN_MAX) <= at(y, LEN_MAX);
}

/**
 * Whether `bound` holds for a value (plus `shift`) on a path where LEN >= lenMin, by the
 * value's own bound or by its concrete maximum, whichever shows it.
 */
export function boundHolds(bound: LenBound, value: { readonly lenBound?: LenBound; readonly var: { readonly umax: bigint } }, lenMin: number, shift = 0): boolean {
  const own = value.lenBound === undefined ? undefined : offsetBound(value.lenBound, shift);
  if (own !== undefined && atMost(own, bound, lenMin)) return true;
  const max = value.var.umax + BigInt(shift);
  const concrete = max >= 0n ? fromMax(max) : undefined;
  return concrete !== undefined && atMost(concrete, bound, lenMin);
}

export function addBounds(x: LenBound, y: LenBound): LenBound | undefined {
  return checked({ a: x.a + y.a, b: x.b + y.b });
}

/** A value as the bounds see it: its own bound relative to the length, and its concrete maximum. */
export interface Bounded {
  readonly lenBound?: LenBound;
  readonly var: { readonly umax: bigint };
}

/** A value's bound: its own relative to the length, else its concrete maximum as one (a = 0). */
export function boundOf(v: Bounded): LenBound | undefined {
  return v.lenBound ?? fromMax(v.var.umax);
}

/**
 * The tightest bound on x + y: each side by its own bound or by its maximum, whichever
 * combination is tighter at the path's smallest length (`i + half` with i < 7 is at most
 * half + 6, not len - 8 + half). Undefined when neither side depends on the length.
 */
export function sumBound(x: Bounded, y: Bounded, lenMin: number): LenBound | undefined {
  if (x.lenBound === undefined && y.lenBound === undefined) return undefined;
  const sides = (v: Bounded) => [v.lenBound, fromMax(v.var.umax)].filter((b): b is LenBound => b !== undefined);
  let best: LenBound | undefined;
  for (const a of sides(x)) for (const b of sides(y)) if (a.a + b.a > 0) best = tighter(best, addBounds(a, b), lenMin);
  return best;
}

export function offsetBound(x: LenBound, k: number): LenBound | undefined {
  return checked({ a: x.a, b: x.b + k });
}

/** x / d for d >= 1 (unsigned division and right shifts: floor(v / d) <= v / d). */
export function divideBound(x: LenBound, d: number): LenBound | undefined {
  return checked({ a: x.a / d, b: x.b / d });
}

export function scaleBound(x: LenBound, k: number): LenBound | undefined {
  return checked({ a: x.a * k, b: x.b * k });
}

/** Of two bounds on one value, the tighter where it matters most (at the smallest LEN), or the one that is tighter everywhere. */
export function tighter(x: LenBound | undefined, y: LenBound | undefined, lenMin: number): LenBound | undefined {
  if (x === undefined) return y;
  if (y === undefined) return x;
  if (atMost(x, y, lenMin)) return x;
  if (atMost(y, x, lenMin)) return y;
  return at(y, lenMin) < at(x, lenMin) ? y : x;
}

/** What `value >= min` says of LEN when value <= a·LEN + b: LEN >= (min - b) / a. */
export function lenAtLeast(bound: LenBound, min: bigint): number {
  if (bound.a === 0) return 0;
  const need = Math.ceil((Number(min) - bound.b) / bound.a);
  return Number.isFinite(need) ? need : 0;
}

/** The largest value a bound allows for any LEN, as a u64 ceiling on the concrete maximum. */
export function maxValue(bound: LenBound): bigint {
  return BigInt(Math.floor(at(bound, LEN_MAX)));
}

/** A value whose maximum the bound caps as well (never below its minimum: that would be a contradiction the bound cannot show). */
export function cappedBy(value: Scalar, bound: LenBound | undefined): Scalar {
  if (bound === undefined) return value;
  const cap = maxValue(bound);
  return cap < value.umax && cap >= value.umin ? sync({ ...value, umax: cap }) : value;
}

/** Whether [off, off + size) lies inside [0, LEN) when `end` bounds off + size: (a - 1)·LEN + b <= 0 for LEN >= lenMin. */
export function withinInput(end: LenBound, lenMin: number): boolean {
  return end.a <= 1 && at(end, lenMin) <= lenMin && at(end, LEN_MAX) <= LEN_MAX;
}

export function equalBounds(x: LenBound | undefined, y: LenBound | undefined): boolean {
  return x === y || (x !== undefined && y !== undefined && x.a === y.a && x.b === y.b);
}

export function boundString(x: LenBound): string {
  const len = x.a === 1 ? 'len' : `${x.a}*len`;
  if (x.a === 0) return `${x.b}`;
  return x.b === 0 ? len : `${len}${x.b > 0 ? '+' : ''}${x.b}`;
}
