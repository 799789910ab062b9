import { NEGATED, SWAPPED } from '../analysis/conditions.js';
import type { JmpCond } from '../decode/opcodes.js';
import { lenAtLeast, offsetBound, tighter, type LenBound } from './input-length.js';
import type { Scalar } from './scalar.js';

/**
 * What a compare teaches about the input's length (input-length.ts), on one edge:
 *   x < y   x gets y's bound minus 1 (x <= y: y's bound), and y's own bound, being at
 *           least x's least value (plus 1), says how long the input is at least;
 *   x == y  each gets the tighter of both bounds.
 * Signed compares count only when both sides are known non-negative after the branch;
 * 32-bit compares teach nothing here.
 */

/** One side of the compare: its value after the branch's own narrowing, and its bound (fixed offset included). */
export interface Side {
  readonly value: Scalar;
  readonly bound: LenBound | undefined;
}

export interface LengthFacts {
  readonly x: LenBound | undefined;
  readonly y: LenBound | undefined;
  readonly lenMin: number;
}

const UNSIGNED: Partial<Record<JmpCond, JmpCond>> = { slt: 'lt', sle: 'le', sgt: 'gt', sge: 'ge' };

export function lengthFacts(cond: JmpCond, width: 32 | 64, holds: boolean, x: Side, y: Side, lenMin: number): LengthFacts {
  if (x.bound === undefined && y.bound === undefined) return { x: undefined, y: undefined, lenMin };
  // Whatever the compare, each side is now at least its least value, under its own bound.
  lenMin = Math.max(lenMin, atLeast(x.bound, x.value), atLeast(y.bound, y.value));
  const unchanged = { x: x.bound, y: y.bound, lenMin };
  if (width !== 64) return unchanged;
  let op = holds ? cond : NEGATED[cond];
  if (op === undefined) return unchanged;
  if (UNSIGNED[op]) {
    if (x.value.smin < 0n || y.value.smin < 0n) return unchanged;
    op = UNSIGNED[op]!;
  }
  if (op === 'gt' || op === 'ge') {
    const swapped = lengthFacts(SWAPPED[op]!, width, true, y, x, lenMin);
    return { x: swapped.y, y: swapped.x, lenMin: swapped.lenMin };
  }
  if (op === 'eq') {
    const both = tighter(x.bound, y.bound, lenMin);
    return { x: both, y: both, lenMin: Math.max(lenMin, atLeast(both, x.value), atLeast(both, y.value)) };
  }
  if (op !== 'lt' && op !== 'le') return unchanged;
  const gap = op === 'lt' ? 1 : 0;
  const below = y.bound === undefined ? undefined : offsetBound(y.bound, -gap);
  const xBound = tighter(x.bound, below, lenMin);
  // y >= x + gap >= min(x) + gap, and y <= its bound: the length is at least what makes that possible.
  const least = y.bound === undefined ? 0 : lenAtLeast(y.bound, x.value.umin + BigInt(gap));
  return { x: xBound, y: y.bound, lenMin: Math.max(lenMin, least, atLeast(xBound, x.value)) };
}

/** A value of at least `value.umin` under `bound`: how long the input must be. */
function atLeast(bound: LenBound | undefined, value: Scalar): number {
  return bound === undefined ? 0 : lenAtLeast(bound, value.umin);
}
