import { STACK_FRAME_SIZE } from '../abi/layout.js';
import { REG_COUNT } from '../abi/registers.js';
import { NOT_INIT, regEqual, scalarReg, UNKNOWN_SCALAR, type Reg } from './registers.js';
import { constant, S32_MAX, S32_MIN, S64_MAX, S64_MIN, sync, U32_MAX, U64_MAX, type Scalar } from './scalar.js';
import { scalarAlu } from './scalar-alu.js';
import { Byte, type State } from './state.js';

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

/** States kept at one instruction (in one call chain) before the next is widened; twice as many, and it is widened hard. */
export const WIDEN_AFTER = 8;

function widenScalar(old: Scalar, cur: Scalar): Scalar {
  const lower = (o: bigint, c: bigint, extreme: bigint) => (c < o ? extreme : o);
  const upper = (o: bigint, c: bigint, extreme: bigint) => (c > o ? extreme : o);
  const differing = old.tnum.mask | cur.tnum.mask | (old.tnum.value ^ cur.tnum.value);
  return sync({
    umin: lower(old.umin, cur.umin, 0n), umax: upper(old.umax, cur.umax, U64_MAX),
    smin: lower(old.smin, cur.smin, S64_MIN), smax: upper(old.smax, cur.smax, S64_MAX),
    u32min: lower(old.u32min, cur.u32min, 0n), u32max: upper(old.u32max, cur.u32max, U32_MAX),
    s32min: lower(old.s32min, cur.s32min, S32_MIN), s32max: upper(old.s32max, cur.s32max, S32_MAX),
    tnum: { value: old.tnum.value & ~differing & U64_MAX, mask: differing },
  });
}

/** A register covering both; pointers of different kinds or objects become unknown (checked mode reads those as any number). */
export function widenReg(old: Reg, cur: Reg, freshId: () => number): Reg {
  if (old.kind === 'not_init' || cur.kind === 'not_init') return NOT_INIT;
  if (old.kind !== cur.kind) return NOT_INIT;
  if (old.kind === 'scalar') return old.id === cur.id ? { ...old, var: widenScalar(old.var, cur.var) } : scalarReg(widenScalar(old.var, cur.var));
  const sameObject = old.orNull === cur.orNull && old.frame === cur.frame && old.map?.fd === cur.map?.fd
    && old.size === cur.size && old.target === cur.target && old.refId === cur.refId;
  if (!sameObject) return NOT_INIT;
  if (old.off === cur.off && old.id === cur.id && old.range === cur.range) return { ...old, var: widenScalar(old.var, cur.var) };
  // Different fixed offsets move into the variable part; a packet pointer loses its proven range, and stands alone under a new id.
  const whole = (r: Reg) => scalarAlu('add', 64, r.var, constant(BigInt(r.off)));
  const id = old.id === cur.id ? old.id : freshId();
  return { ...old, off: 0, var: widenScalar(whole(old), whole(cur)), id, range: old.off === cur.off ? Math.min(old.range, cur.range) : 0 };
}

/**
 * The state after widening `cur` against `old`, kept at the same instruction before.
 * Registers not `live` here are dropped. `hard` (the widened states still grow): whatever
 * differs at all is forgotten, registers and stack bytes alike, which cannot grow again.
 */
export function widenState(old: State, cur: State, freshId: () => number, live: (r: number) => boolean, hard: boolean): State {
  if (old.frames.length !== cur.frames.length) return cur;
  const top = cur.frames.length - 1;
  const frames = cur.frames.map((c, i) => {
    const o = old.frames[i];
    const regs = c.regs.map((r, k) => {
      if (i === top && !live(k)) return NOT_INIT;
      // A number that keeps changing becomes any number (still readable in strict mode).
      if (hard && !regEqual(o.regs[k], r)) return o.regs[k].kind === 'scalar' && r.kind === 'scalar' ? UNKNOWN_SCALAR : NOT_INIT;
      return widenReg(o.regs[k], r, freshId);
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
      const w = hard && !regEqual(a, b) ? NOT_INIT : widenReg(a, b, freshId);
      if (w.kind === 'not_init') {
        bytes.fill(hard ? Byte.Invalid : Byte.Misc, s * 8, s * 8 + 8);
        spills[s] = undefined;
      } else spills[s] = w;
    }
    return { ...c, regs, bytes, spills, depth: Math.max(o.depth, c.depth) };
  });
  return { frames, refs: cur.refs.length <= old.refs.length ? [...cur.refs] : [...old.refs] };
}
