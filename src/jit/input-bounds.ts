import { lddwValue, type Insn } from '../decode/insn.js';
import type { JmpCond } from '../decode/opcodes.js';
import type { Layout } from '../runtime/layout.js';
import type { BasicBlock, FunctionCfg } from './cfg.js';
import { FP } from './context.js';

/**
 * Input accesses that need no range check, proven by a small sound dataflow over the
 * entry function (a first step towards the verifier's facts).
 *
 * A run starts with r1 = the input's address and r2 = its length (`len`); bpf_tail_call
 * keeps it so (it refuses any other ctx). The analysis tracks, per register, an exact
 * input pointer `inputBase + k` or the exact `len` or a constant, and per path a lower
 * bound `minLen <= len` learnt from
 *   - branches comparing `len` with a constant (`if (len < 34) return 0;` gives
 *     minLen = 34 on the path that goes on), and
 *   - accesses that were checked: `[inputBase + a, + size)` inside the input area only
 *     passes its check if len >= a + size, so the code after it may rely on that.
 * An access `[inputBase + k + off, + size)` with 0 <= k + off and k + off + size <= minLen
 * is then inside the input, whatever len is at run time: its check is dropped.
 *
 * Sound by construction, not by guess: anything unknown (loads, 32-bit results, calls,
 * which clobber r0-r5) forgets; paths meet by keeping only what both know and the
 * smaller minLen. Other functions (local calls, callbacks) get nothing: their r1 is an
 * argument.
 */

type Value =
  | { readonly kind: 'input'; readonly offset: number }
  | { readonly kind: 'len' }
  | { readonly kind: 'const'; readonly value: bigint }
  | { readonly kind: 'unknown' };

interface State {
  readonly regs: Value[];
  minLen: number;
}

const UNKNOWN: Value = { kind: 'unknown' };
const LEN: Value = { kind: 'len' };
/** Offsets beyond this are no use (the input area is smaller) and risk precision. */
const MAX_OFFSET = 2 ** 32;
/** A bound no length meets: the path cannot run, so anything may be assumed on it. */
const IMPOSSIBLE = Number.MAX_SAFE_INTEGER;

const same = (a: Value, b: Value): boolean =>
  a.kind === b.kind
  && (a.kind !== 'input' || a.offset === (b as typeof a).offset)
  && (a.kind !== 'const' || a.value === (b as typeof a).value);

const input = (offset: number): Value => (Math.abs(offset) < MAX_OFFSET ? { kind: 'input', offset } : UNKNOWN);

/** A constant; one inside the input area is an exact input pointer (e.g. from lddw). */
function constant(value: bigint, layout: Layout): Value {
  const offset = value - BigInt(layout.inputBase);
  return offset >= 0n && offset < BigInt(layout.maxInputSize) ? input(Number(offset)) : { kind: 'const', value };
}

/** The access's base register and byte size, for loads, stores and atomics. */
function access(insn: Insn): { base: number; size: number } | undefined {
  const sem = insn.spec.sem;
  if (sem.kind === 'load') return { base: insn.src, size: sem.size };
  if (sem.kind === 'store' || sem.kind === 'atomic') return { base: insn.dst, size: sem.size };
  return undefined;
}

/** 64-bit `dst op= operand` for the tracked values; everything else forgets dst. */
function alu(op: string, dst: Value, operand: Value): Value {
  if (op === 'mov') return operand;
  const c = operand.kind === 'const' ? operand.value : undefined;
  if (dst.kind === 'input' && c !== undefined && (op === 'add' || op === 'sub')) {
    const delta = BigInt.asIntN(64, c);
    if (delta > -BigInt(MAX_OFFSET) && delta < BigInt(MAX_OFFSET)) return input(dst.offset + (op === 'add' ? Number(delta) : -Number(delta)));
  }
  if (op === 'add' && dst.kind === 'const' && operand.kind === 'input') return alu('add', operand, dst);
  if (dst.kind === 'const' && c !== undefined && (op === 'add' || op === 'sub')) {
    return { kind: 'const', value: BigInt.asUintN(64, op === 'add' ? dst.value + c : dst.value - c) };
  }
  return UNKNOWN;
}

function transfer(state: State, insn: Insn, layout: Layout): void {
  const sem = insn.spec.sem;
  const regs = state.regs;
  const acc = access(insn);
  if (acc) {
    // Reaching the next instruction means the access passed its check (or needed none).
    const base = regs[acc.base];
    const start = base.kind === 'input' ? base.offset + insn.off : -1;
    if (start >= 0 && start + acc.size <= layout.maxInputSize) state.minLen = Math.max(state.minLen, start + acc.size);
  }
  switch (sem.kind) {
    case 'alu': {
      const operand = sem.source === 'reg' ? regs[insn.src] : constant(BigInt.asUintN(64, BigInt(insn.imm)), layout);
      regs[insn.dst] = sem.width === 64 && sem.op !== 'movsx' ? alu(sem.op, regs[insn.dst], operand) : UNKNOWN;
      return;
    }
    case 'lddw':
      regs[insn.dst] = sem.pseudo === 'imm64' ? constant(lddwValue(insn), layout) : UNKNOWN;
      return;
    case 'load': case 'endian':
      regs[insn.dst] = UNKNOWN;
      return;
    case 'atomic':
      if (sem.op === 'cmpxchg') regs[0] = UNKNOWN;
      else if (sem.fetch) regs[insn.src] = UNKNOWN;
      return;
    case 'call': case 'packet':
      for (let r = 0; r <= 5; r++) regs[r] = UNKNOWN;
      return;
    default:
      return;
  }
}

/** The bound a comparison of `len` with constant `c` gives where it holds (`lenFirst`: `len cond c`). */
function boundWhere(cond: JmpCond, holds: boolean, lenFirst: boolean, c: bigint): number | undefined {
  // Normalise to `len >= n` facts; signed, jset and inequality compares teach nothing here.
  const flipped: Partial<Record<JmpCond, JmpCond>> = { gt: 'lt', ge: 'le', lt: 'gt', le: 'ge', eq: 'eq', ne: 'ne' };
  let op = lenFirst ? cond : flipped[cond];
  if (op === undefined) return undefined;
  if (!holds) op = ({ gt: 'le', ge: 'lt', lt: 'ge', le: 'gt', eq: 'ne', ne: 'eq' } as Record<string, JmpCond>)[op];
  const atLeast = op === 'gt' ? c + 1n : op === 'ge' || op === 'eq' ? c : undefined;
  if (atLeast === undefined) return undefined;
  return atLeast > BigInt(IMPOSSIBLE) ? IMPOSSIBLE : Number(atLeast);
}

/** The state on one edge of a block's conditional jump. */
function refine(state: State, insn: Insn, taken: boolean): State {
  const sem = insn.spec.sem;
  if (sem.kind !== 'jmp' || sem.width !== 64) return state;
  const left = state.regs[insn.dst];
  const right: Value = sem.source === 'reg' ? state.regs[insn.src] : { kind: 'const', value: BigInt.asUintN(64, BigInt(insn.imm)) };
  let bound: number | undefined;
  if (left.kind === 'len' && right.kind === 'const') bound = boundWhere(sem.cond, taken, true, right.value);
  else if (right.kind === 'len' && left.kind === 'const') bound = boundWhere(sem.cond, taken, false, left.value);
  return bound === undefined || bound <= state.minLen ? state : { regs: state.regs, minLen: bound };
}

function meet(a: State, b: State): State {
  return { regs: a.regs.map((v, r) => (same(v, b.regs[r]) ? v : UNKNOWN)), minLen: Math.min(a.minLen, b.minLen) };
}

const equal = (a: State, b: State) => a.minLen === b.minLen && a.regs.every((v, r) => same(v, b.regs[r]));

/** The pcs of the entry function's accesses proven inside the input. */
export function provenInputAccesses(fn: FunctionCfg, insns: readonly Insn[], layout: Layout): Set<number> {
  const proven = new Set<number>();
  if (fn.index !== 0) return proven;
  const entry: State = { regs: new Array<Value>(FP + 1).fill(UNKNOWN), minLen: 0 };
  entry.regs[1] = input(0);
  entry.regs[2] = LEN;
  const inStates: (State | undefined)[] = fn.blocks.map(() => undefined);
  inStates[0] = entry;
  const work = [0];
  // Each block's state only loses facts when revisited, so this ends; the cap guards
  // against a mistake turning into a hang.
  for (let steps = 0; work.length > 0; steps++) {
    if (steps > 64 * fn.blocks.length + 64) return new Set();
    const id = work.pop()!;
    const out = runBlock(fn.blocks[id], inStates[id]!, insns, layout);
    for (const [succ, state] of out) {
      const old = inStates[succ];
      const merged = old ? meet(old, state) : state;
      if (!old || !equal(merged, old)) {
        inStates[succ] = merged;
        work.push(succ);
      }
    }
  }
  // With the fixpoint reached, an access is proven if it is in every state that reaches it.
  fn.blocks.forEach((block, id) => {
    const state = inStates[id];
    if (!state) return; // unreachable
    const s: State = { regs: [...state.regs], minLen: state.minLen };
    for (let i = block.first; i < block.end; i++) {
      const acc = access(insns[i]);
      const base = acc && s.regs[acc.base];
      if (acc && base?.kind === 'input') {
        const start = base.offset + insns[i].off;
        if (start >= 0 && start + acc.size <= s.minLen) proven.add(insns[i].pc);
      }
      transfer(s, insns[i], layout);
    }
  });
  return proven;
}

/** Run a block from `state`; the states it hands to its successors. */
function runBlock(block: BasicBlock, state: State, insns: readonly Insn[], layout: Layout): [number, State][] {
  const s: State = { regs: [...state.regs], minLen: state.minLen };
  for (let i = block.first; i < block.end; i++) transfer(s, insns[i], layout);
  const t = block.terminator;
  if (t.kind === 'goto') return [[t.target, s]];
  if (t.kind !== 'branch') return [];
  if (t.taken === t.fallthrough) return [[t.taken, s]];
  return [[t.taken, refine(s, t.insn, true)], [t.fallthrough, refine(s, t.insn, false)]];
}
