import type { Insn } from '../decode/insn.js';
import type { JmpCond, Semantics } from '../decode/opcodes.js';
import { readReg } from './check-alu.js';
import type { VerifierEnv } from './env.js';
import { constReg, immediateReg, isPointer, positionOf, scalarReg, type Reg, type RegKind } from './registers.js';
import { constant, constantOf, sync, U64_MAX, type Scalar } from './scalar.js';
import { scalarAlu } from './scalar-alu.js';
import { boundOf, cappedBy, LEN_MAX, offsetBound, tighter, type LenBound } from './input-length.js';
import { lengthFacts } from './length-branch.js';
import { branchOutcome, refine } from './scalar-branch.js';
import { cloneState, currentFrame, setSpill, type State } from './state.js';

type JmpSem = Extract<Semantics, { kind: 'jmp' }>;

/**
 * A conditional jump (the kernel's check_cond_jmp_op): the states on its two edges, or
 * undefined for an edge no value can take. Scalars are narrowed on each edge (and every
 * copy sharing their id with them); a pointer that may be NULL compared with 0 is NULL on
 * one edge and not on the other, for every copy; a packet pointer compared with data_end
 * proves its range on the edge where it lies below the end. The state passed in is the
 * path's own: it becomes one of the edges' (the caller keeps no other use of it).
 */
export function checkJump(env: VerifierEnv, state: State, insn: Insn, sem: JmpSem): { taken?: State; fallthrough?: State } {
  const frame = currentFrame(state);
  const a = readReg(env, frame, insn.dst, insn.pc);
  const b = sem.source === 'reg' ? readReg(env, frame, insn.src, insn.pc) : immediateReg(insn.imm);
  const srcReg = sem.source === 'reg' ? insn.src : -1;

  if (a.kind === 'scalar' && b.kind === 'scalar') {
    const outcome = branchOutcome(sem.cond, sem.width, a.var, b.var);
    // Two known numbers with nothing tied to them (a counter against its limit): one edge,
    // and nothing to learn on it.
    if (outcome !== -1 && plainNumber(a) && plainNumber(b)) {
      env.noteDecidedBranch(insn.pc);
      return outcome === 1 ? { taken: state } : { fallthrough: state };
    }
    // What each edge learns, before any state is built (both read the state as it was).
    const learn = (holds: boolean) => {
      if (outcome === (holds ? 0 : 1)) return undefined;
      const refined = refine(sem.cond, sem.width, a.var, b.var, holds);
      if (refined === undefined) return undefined;
      const facts = lengthFacts(sem.cond, sem.width, holds, { value: refined[0], bound: a.lenBound }, { value: refined[1], bound: b.lenBound }, state.lenMin);
      return facts.lenMin > LEN_MAX ? undefined : { refined, facts };
    };
    const apply = (s: State, learnt: NonNullable<ReturnType<typeof learn>>): State => {
      s.lenMin = learnt.facts.lenMin;
      setScalar(s, insn.dst, a, learnt.refined[0], learnt.facts.x);
      if (srcReg >= 0) setScalar(s, srcReg, b, learnt.refined[1], learnt.facts.y);
      return s;
    };
    const onTaken = learn(true);
    const onFallthrough = learn(false);
    if (onTaken === undefined || onFallthrough === undefined) env.noteDecidedBranch(insn.pc);
    // The path's own state goes on along the last edge (its path owns it): one copy for two edges, none for one.
    const taken = onTaken && apply(onFallthrough ? cloneState(state) : state, onTaken);
    const fallthrough = onFallthrough && apply(state, onFallthrough);
    return { taken, fallthrough };
  }

  const nullCheck = nullCheckOf(sem.cond, a, b) ?? nullCheckOf(sem.cond, b, a);
  if (nullCheck) {
    const { pointer, nullWhenTaken } = nullCheck;
    const taken = cloneState(state);
    const fallthrough = state;
    markNull(taken, pointer.id, nullWhenTaken);
    markNull(fallthrough, pointer.id, !nullWhenTaken);
    return { taken, fallthrough };
  }

  // A pointer known not to be NULL against 0: the outcome is known.
  const zeroCompare = (p: Reg, q: Reg) => isPointer(p) && !p.orNull && q.kind === 'scalar' && constantOf(q.var) === 0n;
  if ((sem.cond === 'eq' || sem.cond === 'ne') && (zeroCompare(a, b) || zeroCompare(b, a))) {
    return sem.cond === 'eq' ? { fallthrough: state } : { taken: state };
  }

  const taken = cloneState(state);
  const fallthrough = state;
  if (sem.width === 64) packetRange(sem.cond, a, b, taken, fallthrough);
  if (sem.width === 64 && a.kind === 'input' && b.kind === 'input' && srcReg >= 0) {
    const edges: [State, boolean][] = [[taken, true], [fallthrough, false]];
    for (const [edge, holds] of edges) if (!inputCompare(edge, sem.cond, holds, insn.dst, srcReg)) return holds ? { fallthrough } : { taken };
  }
  return { taken, fallthrough };
}

/** A known number, linked to nothing, with no bound relative to the length and nothing it grew from: a compare teaches it nothing. */
const plainNumber = (r: Reg) => r.var.tnum.mask === 0n && r.id === 0 && r.lenBound === undefined && r.above === undefined;

/**
 * Two input pointers compared (`p + 14 > end`, with end = input + len): their positions
 * from the input's start obey the compare, which bounds each relative to the length
 * (input-length.ts) and says how long the input is at least. False: no length allows it.
 */
function inputCompare(state: State, cond: JmpCond, holds: boolean, x: number, y: number): boolean {
  const frame = currentFrame(state);
  const side = (r: Reg) => {
    const bound = boundOf(r);
    return { value: positionOf(r), bound: bound === undefined || r.var.smin < 0n ? undefined : offsetBound(bound, r.off) };
  };
  const [a, b] = [frame.regs[x], frame.regs[y]];
  // Positions are compared as the numbers they are: one that may lie before the input's
  // start (a negative offset, a variable part that may be negative) teaches nothing here.
  const placed = (r: Reg) => r.var.smin >= 0n && BigInt(r.off) + r.var.umin >= 0n;
  if (!placed(a) || !placed(b)) return true;
  const facts = lengthFacts(cond, 64, holds, side(a), side(b), state.lenMin);
  if (facts.lenMin > LEN_MAX) return false;
  state.lenMin = facts.lenMin;
  const own = (r: Reg, position: LenBound | undefined) => {
    const bound = position === undefined || r.var.smin < 0n ? undefined : offsetBound(position, -r.off);
    return bound === undefined ? r : { ...r, var: cappedBy(r.var, bound), lenBound: bound };
  };
  frame.regs[x] = own(a, facts.x);
  frame.regs[y] = own(frame.regs[y], facts.y);
  return true;
}

/**
 * Set register `r` (a scalar) to its narrowed value and bound relative to the input's
 * length, and every scalar linked to it (one id), moved by the difference of their offsets
 * (the kernel's sync_linked_regs). A bound moves along only where the move cannot wrap.
 */
function setScalar(state: State, r: number, old: Reg, value: Scalar, bound: LenBound | undefined): void {
  const frame = currentFrame(state);
  frame.regs[r] = { ...old, var: cappedBy(value, bound), lenBound: bound };
  if (old.above !== undefined) bindBelow(state, old.above, frame.regs[r].var, bound);
  if (old.id === 0) return;
  const linked = (reg: Reg): Reg => {
    const delta = reg.off - old.off;
    if (delta === 0) return { ...reg, var: cappedBy(value, bound), lenBound: tighter(reg.lenBound, bound, state.lenMin) };
    const moved = scalarAlu('add', 64, value, constant(BigInt(delta)));
    const wraps = delta > 0 ? value.umax + BigInt(delta) > U64_MAX : value.umin < BigInt(-delta);
    const shifted = bound === undefined || wraps ? undefined : offsetBound(bound, delta);
    const own = tighter(reg.lenBound, shifted, state.lenMin);
    return { ...reg, var: cappedBy(moved, own), lenBound: own };
  };
  for (const f of state.frames) {
    f.regs.forEach((reg, i) => {
      if (reg.kind === 'scalar' && reg.id === old.id && !(f === frame && i === r)) f.regs[i] = linked(reg);
    });
    f.spills.forEach((reg, i) => {
      if (reg?.kind === 'scalar' && reg.id === old.id) setSpill(f, i, linked(reg));
    });
  }
}

/**
 * A scalar `above` the scalars of one id (registers.ts) got maximum `value.umax` and
 * bound `bound`: the one it grew from (same id and offset: the same value) is held to as
 * much. Others of the id are that value plus a constant modulo 2^64, which may have
 * wrapped, so the inequality says nothing of them.
 */
function bindBelow(state: State, above: NonNullable<Reg['above']>, value: Scalar, bound: LenBound | undefined): void {
  const lower = (reg: Reg): Reg => {
    const lenBound = tighter(reg.lenBound, bound, state.lenMin);
    const capped = value.umax >= reg.var.umin && value.umax < reg.var.umax ? sync({ ...reg.var, umax: value.umax }) : reg.var;
    return { ...reg, var: cappedBy(capped, lenBound), lenBound };
  };
  const grownFrom = (reg: Reg | undefined) => reg?.kind === 'scalar' && reg.id === above.id && reg.off === above.off;
  for (const f of state.frames) {
    f.regs.forEach((reg, i) => { if (grownFrom(reg)) f.regs[i] = lower(reg); });
    f.spills.forEach((reg, i) => { if (grownFrom(reg)) setSpill(f, i, lower(reg!)); });
  }
}

/** `p == 0` / `p != 0` for a pointer that may be NULL: which edge it is NULL on. */
function nullCheckOf(cond: JmpCond, p: Reg, q: Reg): { pointer: Reg; nullWhenTaken: boolean } | undefined {
  if (!p.orNull || q.kind !== 'scalar' || constantOf(q.var) !== 0n) return undefined;
  if (cond === 'eq') return { pointer: p, nullWhenTaken: true };
  if (cond === 'ne') return { pointer: p, nullWhenTaken: false };
  return undefined;
}

/** Every copy of the pointer with `id` becomes NULL (the scalar 0) or a plain pointer. */
function markNull(state: State, id: number, isNull: boolean): void {
  const mark = (reg: Reg): Reg => (reg.orNull && reg.id === id ? (isNull ? scalarReg(constReg(0n).var) : { ...reg, orNull: false }) : reg);
  for (const f of state.frames) {
    f.regs.forEach((reg, i) => { f.regs[i] = mark(reg); });
    f.spills.forEach((reg, i) => { if (reg) setSpill(f, i, mark(reg)); });
  }
  // A reference that turned out NULL holds nothing to release.
  if (isNull) {
    const at = state.refs.findIndex((ref) => ref.id === id);
    if (at >= 0) state.refs.splice(at, 1);
  }
}

/**
 * A packet pointer compared with the end of its data (pkt vs pkt_end, meta vs pkt): on the
 * edge where the pointer lies at or below the end, every pointer with its id may read up
 * to its offset (the kernel's try_match_pkt_pointers and find_good_pkt_pointers).
 */
function packetRange(cond: JmpCond, a: Reg, b: Reg, taken: State, fallthrough: State): void {
  const pair = (p: Reg, end: Reg) =>
    (p.kind === 'packet' && end.kind === 'packet_end') || (p.kind === 'packet_meta' && end.kind === 'packet' && end.off === 0);
  // For `pointer cond end`: the edge and whether the bound is strict (pointer < end, the byte at off included).
  const edges: Partial<Record<JmpCond, [boolean, boolean]>> = { gt: [false, false], ge: [false, true], lt: [true, true], le: [true, false] };
  let pointer: Reg;
  let edge: [boolean, boolean] | undefined;
  if (pair(a, b)) [pointer, edge] = [a, edges[cond]];
  else if (pair(b, a)) {
    // end cond pointer is pointer (swapped cond) end.
    const swapped: Partial<Record<JmpCond, JmpCond>> = { gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };
    const s = swapped[cond];
    [pointer, edge] = [b, s ? edges[s] : undefined];
  } else return;
  if (edge === undefined) return;
  const [onTaken, rightOpen] = edge;
  if (pointer.off < 0 || (pointer.off === 0 && rightOpen) || pointer.var.umax + BigInt(pointer.off) > 0xffffn) return;
  const range = pointer.off + (rightOpen ? 1 : 0);
  markRange(onTaken ? taken : fallthrough, pointer.kind, pointer.id, range);
}

function markRange(state: State, kind: RegKind, id: number, range: number): void {
  const widen = (reg: Reg): Reg => (reg.kind === kind && reg.id === id && reg.range < range ? { ...reg, range } : reg);
  for (const f of state.frames) {
    f.regs.forEach((reg, i) => { f.regs[i] = widen(reg); });
    f.spills.forEach((reg, i) => { if (reg) setSpill(f, i, widen(reg)); });
  }
}
