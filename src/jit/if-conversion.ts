import { overwrittenRegisters, type Insn } from '../decode/insn.js';
import { successors, type BasicBlock, type FunctionCfg } from './cfg.js';
import type { Expr, FunctionContext } from './context.js';
import { emitInsn } from './emit-insn.js';
import { jumpCondition } from './emit-jmp.js';
import { predecessors } from './natural-loops.js';

/**
 * If-conversion of small triangles into `select`s. clang compiles `if (x >> 16) r |= 16`
 * without a cmov (eBPF has none) as a branch around one or two ALU instructions:
 *
 *   B:  jlt r8, 65536, +1   ; skip S when the condition holds
 *   S:  or r0, 16
 *   J:  ...
 *
 * On unpredictable data each such branch costs a misprediction. When S is a few pure
 * ALU instructions (nothing in eBPF's ALU traps or has side effects) whose only way in
 * is B and only way out is J, B runs S speculatively on shadow copies of the registers
 * S writes and keeps or drops the results with `select`, which V8 compiles to cmov:
 *
 *   (local.set $c <condition>)                       ; before S, as the jump did
 *   (local.set $s0 (local.get $r0))                   ; a shadow of each register S writes
 *   (local.set $s0 (i64.or (local.get $s0) (i64.const 16)))
 *   (local.set $r0 (select (local.get $r0) (local.get $s0) (local.get $c)))  ; S ran iff !c
 *
 * and B continues straight to J. Only branches on data are converted: a condition on
 * registers that may hold a value loaded from memory or returned by a call. A branch
 * on a counter or a length is predictable, and there a `select` only lengthens the
 * loop (sieve's `mem[i] = i >= 2` ran 15-18% slower as a cmov); branchy code on data,
 * like log2_sum's binary search over random words, ran 2.3x faster as selects.
 *
 * S must come after B, so that B -> S was not a back edge; if S -> J was one, the new
 * edge B -> J charges the budget as S -> J did (the span from J to the end of S, at
 * least what either path ran). S stays in the CFG (the analyses see the program as
 * written) but nothing branches to it any more.
 */

export interface Speculation {
  /** The block run speculatively. */
  readonly side: BasicBlock;
  /** Where B and S both continue. */
  readonly join: number;
  /** Whether S is B's taken successor (runs when the condition holds) or its fallthrough. */
  readonly sideWhenTaken: boolean;
}

/** At most this many instructions in S: each runs on every pass, needed or not. */
const MAX_SIDE_INSNS = 3;

/** Pure and cheap: no memory, calls or traps; division is left as a branch (tens of cycles). */
function speculable(insn: Insn): boolean {
  const sem = insn.spec.sem;
  if (sem.kind === 'alu') return !['div', 'sdiv', 'mod', 'smod'].includes(sem.op);
  return sem.kind === 'endian' || sem.kind === 'lddw';
}

/** The triangles of a function worth converting, by the id of their branching block B. */
export function findSpeculations(fn: FunctionCfg, insns: readonly Insn[]): Map<number, Speculation> {
  const preds = predecessors(fn);
  const onData = dataAtEntry(fn, insns);
  const found = new Map<number, Speculation>();
  for (const block of fn.blocks) {
    const t = block.terminator;
    if (t.kind !== 'branch' || t.taken === t.fallthrough) continue;
    if (!branchesOnData(t.insn, insns.slice(block.first, block.end - 1).reduce(dataAfter, onData[block.id]))) continue;
    for (const sideWhenTaken of [false, true]) {
      const sideId = sideWhenTaken ? t.taken : t.fallthrough;
      const join = sideWhenTaken ? t.fallthrough : t.taken;
      const side = fn.blocks[sideId];
      const st = side.terminator;
      if (st.kind !== 'goto' || st.target !== join || preds[sideId].length !== 1) continue;
      if (side.startPc <= block.startPc) continue;
      const body = bodyOf(side, insns);
      if (body.length === 0 || body.length > MAX_SIDE_INSNS || !body.every(speculable)) continue;
      found.set(block.id, { side, join, sideWhenTaken });
      break;
    }
  }
  return found;
}

/**
 * Registers that may hold data (a value loaded from memory or returned by a call, or
 * computed from one) at each block's entry, as bit masks: a forward may-dataflow, so a
 * join is the union. The entry function's r1 and r2 (context pointer and length) are not
 * data; a subprogram's arguments may be.
 */
function dataAtEntry(fn: FunctionCfg, insns: readonly Insn[]): number[] {
  // undefined: not reached yet (the worklist of regions.ts and input-bounds.ts).
  const atEntry: (number | undefined)[] = fn.blocks.map(() => undefined);
  atEntry[0] = fn.index === 0 ? 0 : ARGUMENTS;
  const work = [0];
  while (work.length > 0) {
    const id = work.pop()!;
    const block = fn.blocks[id];
    const atEnd = insns.slice(block.first, block.end).reduce(dataAfter, atEntry[id]!);
    for (const s of successors(block)) {
      const merged = (atEntry[s] ?? 0) | atEnd;
      if (merged !== atEntry[s]) {
        atEntry[s] = merged;
        work.push(s);
      }
    }
  }
  return atEntry.map((data) => data ?? 0);
}

const ARGUMENTS = 0b111110;
const bit = (r: number) => 1 << r;

/** The data registers after `insn` (see dataAtEntry). */
function dataAfter(data: number, insn: Insn): number {
  const sem = insn.spec.sem;
  if (sem.kind === 'alu') {
    const fromSource = sem.source === 'reg' && (data & bit(insn.src)) !== 0 ? bit(insn.dst) : 0;
    const kept = sem.op === 'mov' || sem.op === 'movsx' ? data & ~bit(insn.dst) : data;
    return kept | fromSource;
  }
  if (sem.kind === 'lddw') return data & ~bit(insn.dst);
  if (sem.kind === 'endian') return data;
  return overwrittenRegisters(insn).reduce((d, r) => d | bit(r), data);
}

/** Whether a conditional jump compares data (see dataAtEntry). */
function branchesOnData(jump: Insn, data: number): boolean {
  const sem = jump.spec.sem;
  return (data & bit(jump.dst)) !== 0 || (sem.kind === 'jmp' && sem.source === 'reg' && (data & bit(jump.src)) !== 0);
}

/** A block's instructions without its terminating `ja`, if any. */
function bodyOf(block: BasicBlock, insns: readonly Insn[]): Insn[] {
  const body = insns.slice(block.first, block.end);
  return body.at(-1)?.spec.sem.kind === 'ja' ? body.slice(0, -1) : body;
}

/** B's branch and S's code as straight-line code ending in the `select`s (see above). */
export function emitSpeculation(c: FunctionContext, branch: Insn, spec: Speculation): Expr {
  const m = c.m;
  const sem = branch.spec.sem;
  if (sem.kind !== 'jmp') throw new Error('a speculation starts at a conditional jump');
  const body = bodyOf(spec.side, c.module.insns);
  const condition = c.temp('i32');
  const written = [...new Set(body.map((insn) => insn.dst))];
  const shadows = written.map((r) => ({ r, shadow: c.temp('i64') }));
  const code: Expr[] = [condition.set(jumpCondition(c, branch, sem))];
  for (const { r, shadow } of shadows) code.push(shadow.set(c.reg(r)));
  c.withRegisters(new Map(shadows.map(({ r, shadow }) => [r, shadow.index])), () => {
    for (const insn of body) code.push(emitInsn(c, insn));
  });
  for (const { r, shadow } of shadows) {
    const [ifTrue, ifFalse] = spec.sideWhenTaken ? [shadow.get(), c.reg(r)] : [c.reg(r), shadow.get()];
    code.push(c.setReg(r, m.select(condition.get(), ifTrue, ifFalse)));
  }
  return m.block(null, code);
}
