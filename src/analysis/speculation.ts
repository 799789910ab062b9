import { overwrittenRegisters, type Insn } from '../decode/insn.js';
import type { BasicBlock, FunctionCfg } from './cfg.js';
import { solve } from './dataflow.js';

/**
 * Which small triangles the JIT turns into `select`s (if-conversion; the emission is
 * jit/emit-speculation.ts). clang compiles `if (x >> 16) r |= 16` without a cmov (eBPF
 * has none) as a branch around one or two ALU instructions:
 *
 *   B:  jlt r8, 65536, +1   ; skip S when the condition holds
 *   S:  or r0, 16
 *   J:  ...
 *
 * On unpredictable data each such branch costs a misprediction. When S is a few pure
 * ALU instructions (nothing in eBPF's ALU traps or has side effects) whose only way in
 * is B and only way out is J, B can run S speculatively and keep or drop its results
 * with `select`s, then continue straight to J. Only branches on data are converted: a
 * condition on registers that may hold a value loaded from memory or returned by a call.
 * A branch on a counter or a length is predictable, and there a `select` only lengthens
 * the loop (sieve's `mem[i] = i >= 2` ran 15-18% slower as a cmov); branchy code on
 * data, like log2_sum's binary search over random words, ran 2.3x faster as selects.
 *
 * S must come after B, so that B -> S was not a retreating edge; if S -> J was one, the
 * new edge B -> J charges the budget as S -> J did (the span from J to the end of S, at
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
  const preds = fn.predecessors;
  const onData = dataAtEntry(fn, insns);
  const found = new Map<number, Speculation>();
  for (const block of fn.blocks) {
    const t = block.terminator;
    if (t.kind !== 'branch' || t.taken === t.fallthrough || t.insn.spec.sem.kind !== 'jmp') continue;
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
  const atEntry = solve<number>(fn, {
    direction: 'forward',
    boundary: fn.index === 0 ? 0 : ARGUMENTS,
    transfer: (block, data) => insns.slice(block.first, block.end).reduce(dataAfter, data),
    join: (old, incoming) => old | incoming,
    equal: (a, b) => a === b,
  });
  // No fixpoint (never for a lattice this small): everything may be data, no block converts.
  return fn.blocks.map((_, id) => (atEntry === undefined ? ALL_REGISTERS : atEntry[id] ?? 0));
}

const ARGUMENTS = 0b111110;
const ALL_REGISTERS = 0b111_1111_1111;
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
export function bodyOf(block: BasicBlock, insns: readonly Insn[]): Insn[] {
  const body = insns.slice(block.first, block.end);
  return body.at(-1)?.spec.sem.kind === 'ja' ? body.slice(0, -1) : body;
}

