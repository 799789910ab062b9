import { STACK_FRAME_SIZE } from '../abi/layout.js';
import { REG_COUNT } from '../abi/registers.js';
import { NOT_INIT, positionOf, regEqual, scalarReg, type Reg } from './registers.js';
import { constantOf, equalScalars, s64, UNKNOWN, S32_MAX, S32_MIN, S64_MAX, S64_MIN, sync, U32_MAX, U64_MAX, type Scalar } from './scalar.js';
import { Byte, type State } from './state.js';
import { boundHolds, cappedBy, offsetBound, type LenBound } from './input-length.js';

/**
 * Widening, for checked mode only: a loop whose exit the state cannot decide (a raw
 * program counting to its input's length) would be walked iteration by iteration until
 * the instruction limit. After a few rounds at the same instruction, the state there is
 * widened against the last one kept: each bound that moved jumps to its extreme, known
 * bits that differ become unknown, stack bytes that differ become unknown data. The next
 * round then lands inside the widened state and is pruned. Strict mode widens only where
 * the kernel lets loops converge without ending (a bpf_loop callback's entry, may_goto):
 * elsewhere it walks bounded loops to their end, as the kernel does.
 */

const NO_THRESHOLDS: Thresholds = { program: [], state: [] };

/**
 * Rounds of a loop (states kept at one instruction in one call chain) before the next is
 * widened; past HARD_AFTER, it is widened hard. Checked mode widens sooner: its bounds
 * relative to the input's length and its thresholds keep what a loop's first rounds would
 * have shown (the benchmarks' proofs are the same at 4 as at 8, with 40-50% fewer steps),
 * and gives soft widening 8 rounds, which a length bound climbing its ladder (-16, -8, -4,
 * -2, -1) may need; strict mode's callbacks and may_goto loops keep the rounds the
 * kernel's convergence needs.
 */
export const WIDEN_AFTER = 8;
export const HARD_AFTER = 16;
export const WIDEN_AFTER_CHECKED = 4;
export const HARD_AFTER_CHECKED = 12;

/**
 * A maximum that grew goes to the next threshold at or above it, or to the extreme (the
 * classic widening with thresholds): `for (i = 0; i < n; i++)` with n = 7 known on this
 * path keeps i <= 6 instead of forgetting that i is small. The thresholds are the
 * constants the program compares with and the numbers the state holds, each and minus 1,
 * a finite set, so a bound grows only so often before it reaches the extreme.
 */
function widenScalar(old: Scalar, cur: Scalar, thresholds: Thresholds = NO_THRESHOLDS): Scalar {
  const lower = (o: bigint, c: bigint, extreme: bigint) => (c < o ? extreme : o);
  const upper = (o: bigint, c: bigint, extreme: bigint) => (c > o ? extreme : o);
  const umax = cur.umax > old.umax ? nextThreshold(thresholds, cur.umax) : undefined;
  if (umax !== undefined && old.umin <= cur.umin && old.smin >= 0n && cur.smin >= 0n) {
    return sync({ ...UNKNOWN, umin: old.umin, umax });
  }
  let differing = old.tnum.mask | cur.tnum.mask | (old.tnum.value ^ cur.tnum.value);
  // A value that grew may grow into any higher bit: keep only the known bits below the
  // lowest that differs (a counter stepping by 4 stays a multiple of 4), or each round
  // would unknow one more bit and the loop take 64 rounds to settle.
  if (cur.umax > old.umax && differing !== 0n) differing = U64_MAX & ~((differing & -differing) - 1n);
  return sync({
    umin: lower(old.umin, cur.umin, 0n), umax: upper(old.umax, cur.umax, U64_MAX),
    smin: lower(old.smin, cur.smin, S64_MIN), smax: upper(old.smax, cur.smax, S64_MAX),
    u32min: lower(old.u32min, cur.u32min, 0n), u32max: upper(old.u32max, cur.u32max, U32_MAX),
    s32min: lower(old.s32min, cur.s32min, S32_MIN), s32max: upper(old.s32max, cur.s32max, S32_MAX),
    tnum: { value: old.tnum.value & ~differing & U64_MAX, mask: differing },
  });
}

/** A register's bound relative to the input's length, its fixed offset added, and the smallest length it holds for. */
interface Bounded {
  readonly reg: Reg;
  readonly shift: number;
  readonly lenMin: number;
}

function boundsOf(x: Bounded): LenBound | undefined {
  return x.reg.lenBound === undefined ? undefined : offsetBound(x.reg.lenBound, x.shift);
}

const holdsFor = (bound: LenBound, x: Bounded) => boundHolds(bound, x.reg, x.lenMin, x.shift);

/**
 * A bound relative to the input's length that holds on both paths: the old one if it
 * still holds (so loops settle), else the new one, else what each path's concrete maximum
 * and length say (v <= umax <= LEN + umax - lenMin), which keeps `i + 2 <= LEN` across a
 * loop whose first rounds knew i and LEN only as numbers. Hard widening keeps only the old one.
 */
function widenLenBound(old: Bounded, cur: Bounded, hard: boolean): LenBound | undefined {
  // Only for values the path knew below the length (indices), never for sums that merely are small.
  const implicit = (x: Bounded) => {
    const b = Number(x.reg.var.umax) + x.shift - x.lenMin;
    return x.reg.var.umax < 1n << 52n && b <= 0 ? offsetBound({ a: 1, b }, 0) : undefined;
  };
  if (old.reg.lenBound === undefined && cur.reg.lenBound === undefined && equalScalars(old.reg.var, cur.reg.var) && old.shift === cur.shift) return undefined;
  const kept = boundsOf(old);
  if (kept !== undefined && holdsFor(kept, old) && holdsFor(kept, cur)) return kept;
  if (hard) return undefined;
  for (const bound of [boundsOf(cur), implicit(old), implicit(cur)]) {
    if (bound === undefined || !holdsFor(bound, old) || !holdsFor(bound, cur)) continue;
    // A bound that moved since the last round may keep moving a step a round (i <= LEN - 24,
    // then LEN - 23, ...): move it up the ladder instead, so a few rounds settle it.
    const rung = onLadder(bound);
    return holdsFor(rung, old) && holdsFor(rung, cur) ? rung : bound;
  }
  return undefined;
}

/** The bound with its constant moved up to the next of 0 and ±2^k (at most a 2x step): -23 -> -16, 5 -> 8. */
function onLadder(bound: LenBound): LenBound {
  const { a, b } = bound;
  if (b === 0 || !Number.isInteger(b)) return bound;
  const step = 2 ** Math.floor(Math.log2(Math.abs(b)));
  return { a, b: b > 0 ? (step === b ? b : 2 * step) : (step === -b ? b : -step) };
}

/** A register covering both; pointers of different kinds or objects become unknown (checked mode reads those as any number). */
export function widenReg(
  old: Reg, cur: Reg, freshId: () => number, lenMins: readonly [number, number] = [0, 0], hard = false, thresholds: Thresholds = NO_THRESHOLDS,
): Reg {
  if (old.kind === 'not_init' || cur.kind === 'not_init') return NOT_INIT;
  if (old.kind !== cur.kind) return NOT_INIT;
  // Input pointers are compared as positions (fixed offset included), other pointers when their offsets differ.
  const shifted = old.kind === 'input' || (old.kind !== 'scalar' && old.off !== cur.off);
  const lenBound = old.kind === 'scalar' || old.kind === 'input'
    ? widenLenBound({ reg: old, shift: shifted ? old.off : 0, lenMin: lenMins[0] }, { reg: cur, shift: shifted ? cur.off : 0, lenMin: lenMins[1] }, hard)
    : undefined;
  if (hard && old.kind === 'scalar' && !regEqual(old, cur)) return { ...scalarReg(cappedBy(UNKNOWN, lenBound)), lenBound };
  // An input pointer that keeps moving: anywhere in the input its bound allows.
  if (hard && old.kind === 'input' && !regEqual(old, cur)) return { ...old, off: 0, id: 0, var: cappedBy(UNKNOWN, lenBound), lenBound };
  if (old.kind === 'input') return { ...old, off: 0, var: cappedBy(widenScalar(positionOf(old), positionOf(cur), thresholds), lenBound), lenBound };
  if (old.kind === 'scalar') return { ...scalarReg(cappedBy(widenScalar(old.var, cur.var, thresholds), lenBound)), lenBound };
  const sameObject = old.orNull === cur.orNull && old.frame === cur.frame && old.map?.fd === cur.map?.fd
    && old.size === cur.size && old.target === cur.target && old.refId === cur.refId;
  if (!sameObject) return NOT_INIT;
  // Other pointers carry no bound relative to the length.
  if (old.off === cur.off && old.id === cur.id && old.range === cur.range) return { ...old, var: widenScalar(old.var, cur.var, thresholds) };
  // Different fixed offsets move into the variable part; a packet pointer loses its proven range, and stands alone under a new id.
  const id = old.id === cur.id ? old.id : freshId();
  return { ...old, off: 0, var: widenScalar(positionOf(old), positionOf(cur)), id, range: old.off === cur.off ? Math.min(old.range, cur.range) : 0 };
}

/**
 * The state after widening `cur` against `old`, kept at the same instruction before.
 * Registers not `live` here are dropped. `hard` (the widened states still grow): whatever
 * differs at all is forgotten, registers and stack bytes alike, which cannot grow again.
 */
export function widenState(
  old: State, cur: State, freshId: () => number, live: (r: number) => boolean, hard: boolean, programConstants: readonly bigint[] = [],
): State {
  if (old.frames.length !== cur.frames.length) return cur;
  const top = cur.frames.length - 1;
  const lenMins = [old.lenMin, cur.lenMin] as const;
  const thresholds = thresholdsOf(programConstants, cur);
  const frames = cur.frames.map((c, i) => {
    const o = old.frames[i];
    const regs = c.regs.map((r, k) => {
      if (i === top && !live(k)) return NOT_INIT;
      // A number that keeps changing becomes any number (still readable in strict mode).
      const widensByBound = o.regs[k].kind === r.kind && (r.kind === 'scalar' || r.kind === 'input');
      if (hard && !regEqual(o.regs[k], r) && !widensByBound) return NOT_INIT;
      return widenReg(o.regs[k], r, freshId, lenMins, hard, thresholds);
    });
    const bytes = c.bytes.slice();
    const spills = [...c.spills];
    for (let b = 0; b < STACK_FRAME_SIZE; b++) {
      if (bytes[b] !== o.bytes[b]) bytes[b] = hard || o.bytes[b] === Byte.Invalid || bytes[b] === Byte.Invalid ? Byte.Invalid : Byte.Misc;
    }
    for (let s = 0; s < spills.length; s++) {
      const a = o.spills[s];
      const b = c.spills[s];
      if (a === undefined || b === undefined) {
        if (spills[s] !== undefined) for (let k = s * 8; k < s * 8 + 8; k++) if (bytes[k] === Byte.Spill) bytes[k] = Byte.Misc;
        spills[s] = undefined;
        continue;
      }
      const w = hard && !regEqual(a, b) ? NOT_INIT : widenReg(a, b, freshId, lenMins, hard, thresholds);
      if (w.kind === 'not_init') {
        bytes.fill(hard ? Byte.Invalid : Byte.Misc, s * 8, s * 8 + 8);
        spills[s] = undefined;
      } else spills[s] = w;
    }
    return { ...c, regs, bytes, spills, shared: false, depth: Math.max(o.depth, c.depth) };
  });
  linkEqualDifferences(old, cur, frames, freshId);
  return { frames, refs: cur.refs.length <= old.refs.length ? [...cur.refs] : [...old.refs], lenMin: Math.min(old.lenMin, cur.lenMin) };
}

/** The widening thresholds: the program's compared constants (sorted) and the known numbers of the state, each and minus 1. */
interface Thresholds {
  readonly program: readonly bigint[];
  readonly state: readonly bigint[];
}

function thresholdsOf(programConstants: readonly bigint[], state: State): Thresholds {
  const numbers: bigint[] = [];
  for (const f of state.frames) {
    for (const r of f.regs) {
      const k = r.kind === 'scalar' ? constantOf(r.var) : undefined;
      if (k !== undefined && k < 1n << 62n) numbers.push(k, k - 1n);
    }
  }
  return { program: programConstants, state: numbers };
}

/** The smallest threshold at or above `x`, if any (a binary search of the program's, a scan of the state's few). */
function nextThreshold(t: Thresholds, x: bigint): bigint | undefined {
  let lo = 0;
  let hi = t.program.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t.program[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  let best = lo < t.program.length ? t.program[lo] : undefined;
  for (const k of t.state) if (k >= x && (best === undefined || k < best)) best = k;
  return best;
}

/** Every scalar of a state (registers and spills of every frame), by a key both states share. */
function scalarsOf(state: Pick<State, 'frames'>): Map<string, Reg> {
  const out = new Map<string, Reg>();
  state.frames.forEach((f, i) => {
    f.regs.forEach((r, k) => { if (r.kind === 'scalar') out.set(`${i}r${k}`, r); });
    f.spills.forEach((r, k) => { if (r?.kind === 'scalar') out.set(`${i}s${k}`, r); });
  });
  return out;
}

/** x - y when a state knows it: both known numbers, or one link (the same id). */
function difference(x: Reg, y: Reg): bigint | undefined {
  const kx = constantOf(x.var);
  const ky = constantOf(y.var);
  if (kx !== undefined && ky !== undefined) return s64(kx - ky);
  if (x.id !== 0 && x.id === y.id) return BigInt(x.off - y.off);
  return undefined;
}

/**
 * Scalars whose difference is the same constant on both paths stay linked in the widened
 * state (one fresh id, offsets from the first of them): `r3 == r4` in every round of a
 * loop is kept although both values grow, so a bound learnt on one moves the other.
 */
function linkEqualDifferences(old: State, cur: State, frames: State['frames'], freshId: () => number): void {
  const o = scalarsOf(old);
  const c = scalarsOf(cur);
  const w = scalarsOf({ frames });
  const keys = [...w.keys()].filter((k) => o.has(k) && c.has(k));
  const grouped = new Set<string>();
  const assign = (key: string, reg: Reg) => {
    const [frame, kind, index] = [Number.parseInt(key, 10), key.includes('r') ? 'r' : 's', Number(key.slice(key.search(/[rs]/) + 1))];
    if (kind === 'r') frames[frame].regs[index] = reg;
    else frames[frame].spills[index] = reg;
  };
  for (const key of keys) assign(key, { ...w.get(key)!, id: 0, off: 0 });
  for (let i = 0; i < keys.length; i++) {
    if (grouped.has(keys[i])) continue;
    const first = keys[i];
    let id = 0;
    for (let j = i + 1; j < keys.length; j++) {
      const other = keys[j];
      if (grouped.has(other)) continue;
      if (constantOf(w.get(other)!.var) !== undefined && constantOf(w.get(first)!.var) !== undefined) continue;
      const d = difference(o.get(other)!, o.get(first)!);
      if (d === undefined || d !== difference(c.get(other)!, c.get(first)!) || d > 1n << 30n || d < -(1n << 30n)) continue;
      if (id === 0) {
        id = freshId();
        grouped.add(first);
        assign(first, { ...w.get(first)!, id, off: 0 });
      }
      grouped.add(other);
      assign(other, { ...w.get(other)!, id, off: Number(d) });
    }
  }
}
