import type { JmpCond } from '../decode/opcodes.js';
import { NEGATED } from '../analysis/conditions.js';
import { isEmpty, sync, U32_MAX, U64_MAX, type Scalar } from './scalar.js';
import { tnumAnd, tnumConst, tnumIntersect, tnumIsConst, tnumOr, tnumSubreg, tnumWithSubreg, type Tnum } from './tnum.js';

/**
 * Conditional jumps between scalars (the kernel's is_branch_taken and reg_set_min_max):
 * whether `a cond b` is always true (1), never (0) or either (-1), and what each edge
 * teaches about both operands. Width 32 compares (and refines) the low halves.
 */

interface Bounds {
  umin: bigint;
  umax: bigint;
  smin: bigint;
  smax: bigint;
  tnum: Tnum;
}

function view(s: Scalar, width: 32 | 64): Bounds {
  return width === 64
    ? { umin: s.umin, umax: s.umax, smin: s.smin, smax: s.smax, tnum: s.tnum }
    : { umin: s.u32min, umax: s.u32max, smin: s.s32min, smax: s.s32max, tnum: tnumSubreg(s.tnum) };
}

function back(s: Scalar, b: Bounds, width: 32 | 64): Scalar {
  if (width === 64) return sync({ ...s, umin: b.umin, umax: b.umax, smin: b.smin, smax: b.smax, tnum: b.tnum });
  return sync({ ...s, u32min: b.umin, u32max: b.umax, s32min: b.smin, s32max: b.smax, tnum: tnumWithSubreg(s.tnum, b.tnum) });
}

const isConst = (b: Bounds) => tnumIsConst(b.tnum);

/** 1: `a cond b` always holds; 0: never; -1: it depends on the values. */
export function branchOutcome(cond: JmpCond, width: 32 | 64, a: Scalar, b: Scalar): 1 | 0 | -1 {
  const x = view(a, width);
  const y = view(b, width);
  const holds = (always: boolean, never: boolean): 1 | 0 | -1 => (always ? 1 : never ? 0 : -1);
  switch (cond) {
    case 'eq': {
      if (isConst(x) && isConst(y)) return x.tnum.value === y.tnum.value ? 1 : 0;
      const disjoint = x.umin > y.umax || x.umax < y.umin || x.smin > y.smax || x.smax < y.smin
        || ((x.tnum.value ^ y.tnum.value) & ~x.tnum.mask & ~y.tnum.mask) !== 0n;
      return disjoint ? 0 : -1;
    }
    case 'ne': {
      const eq = branchOutcome('eq', width, a, b);
      return eq === -1 ? -1 : eq === 1 ? 0 : 1;
    }
    case 'set':
      return holds((x.tnum.value & y.tnum.value) !== 0n, ((x.tnum.value | x.tnum.mask) & (y.tnum.value | y.tnum.mask)) === 0n);
    case 'gt': return holds(x.umin > y.umax, x.umax <= y.umin);
    case 'ge': return holds(x.umin >= y.umax, x.umax < y.umin);
    case 'lt': return holds(x.umax < y.umin, x.umin >= y.umax);
    case 'le': return holds(x.umax <= y.umin, x.umin > y.umax);
    case 'sgt': return holds(x.smin > y.smax, x.smax <= y.smin);
    case 'sge': return holds(x.smin >= y.smax, x.smax < y.smin);
    case 'slt': return holds(x.smax < y.smin, x.smin >= y.smax);
    case 'sle': return holds(x.smax <= y.smin, x.smin > y.smax);
  }
}

const max = (p: bigint, q: bigint) => (p > q ? p : q);
const min = (p: bigint, q: bigint) => (p < q ? p : q);

/**
 * What `a cond b` holding teaches (`holds` false: its negation): both operands narrowed.
 * `undefined` when no values satisfy it (the edge cannot be taken).
 */
export function refine(cond: JmpCond, width: 32 | 64, a: Scalar, b: Scalar, holds: boolean): [Scalar, Scalar] | undefined {
  const op = holds ? cond : NEGATED[cond];
  const x = view(a, width);
  const y = view(b, width);
  switch (op) {
    case 'eq': {
      const both: Bounds = {
        umin: max(x.umin, y.umin), umax: min(x.umax, y.umax), smin: max(x.smin, y.smin), smax: min(x.smax, y.smax),
        tnum: tnumIntersect(x.tnum, y.tnum),
      };
      Object.assign(x, both);
      Object.assign(y, { ...both });
      break;
    }
    case 'ne':
      // A known value excludes itself at either end of the other's range.
      if (isConst(y)) excludeEnd(x, y.tnum.value, width);
      if (isConst(x)) excludeEnd(y, x.tnum.value, width);
      break;
    case 'gt': x.umin = max(x.umin, y.umin + 1n); y.umax = min(y.umax, x.umax - 1n); break;
    case 'ge': x.umin = max(x.umin, y.umin); y.umax = min(y.umax, x.umax); break;
    case 'lt': x.umax = min(x.umax, y.umax - 1n); y.umin = max(y.umin, x.umin + 1n); break;
    case 'le': x.umax = min(x.umax, y.umax); y.umin = max(y.umin, x.umin); break;
    case 'sgt': x.smin = max(x.smin, y.smin + 1n); y.smax = min(y.smax, x.smax - 1n); break;
    case 'sge': x.smin = max(x.smin, y.smin); y.smax = min(y.smax, x.smax); break;
    case 'slt': x.smax = min(x.smax, y.smax - 1n); y.smin = max(y.smin, x.smin + 1n); break;
    case 'sle': x.smax = min(x.smax, y.smax); y.smin = max(y.smin, x.smin); break;
    case 'set':
      if (holds && isConst(y) && (y.tnum.value & (y.tnum.value - 1n)) === 0n && y.tnum.value !== 0n) {
        x.tnum = tnumOr(x.tnum, tnumConst(y.tnum.value));
      }
      break;
    default: // not set: the bits of a known b are 0 in a
      if (isConst(y)) x.tnum = tnumAnd(x.tnum, tnumConst(~y.tnum.value & (width === 64 ? U64_MAX : U32_MAX)));
      break;
  }
  if (x.umin > x.umax || x.smin > x.smax || y.umin > y.umax || y.smin > y.smax) return undefined;
  const ra = back(a, x, width);
  const rb = back(b, y, width);
  return isEmpty(ra) || isEmpty(rb) ? undefined : [ra, rb];
}

function excludeEnd(x: Bounds, value: bigint, width: 32 | 64): void {
  const signed = width === 64 ? BigInt.asIntN(64, value) : BigInt.asIntN(32, value);
  if (x.umin === value) x.umin += 1n;
  else if (x.umax === value) x.umax -= 1n;
  if (x.smin === signed) x.smin += 1n;
  else if (x.smax === signed) x.smax -= 1n;
}
