import { STACK_FRAME_SIZE } from '../abi/layout.js';
import { FP, REG_COUNT } from '../abi/registers.js';
import { lddwValue, memoryAccess, overwrittenRegisters, type Insn } from '../decode/insn.js';
import type { AluOp, JmpCond } from '../decode/opcodes.js';
import type { FunctionCfg } from './cfg.js';
import { NEGATED, SWAPPED } from './conditions.js';
import { dominates } from './dominators.js';
import { linAdd, linConst, linConstant, linEqual, linReg, linScale, ZERO, type Lin } from './linear.js';
import { innermostLoops, type InnermostLoop } from './natural-loops.js';
import type { Region } from '../abi/layout.js';

/**
 * Counted loops: innermost loops whose number of iterations and memory accesses can be
 * bounded by a few computations on the registers' values on entry, so the JIT can emit
 * a second, fast copy of the loop without range checks and without charging the
 * instruction budget at every back edge, and a guard in front of it that runs the
 * fast copy only when those computations show it safe (loop versioning, as HotSpot's
 * range check elimination does). The original loop stays for every other case, so the
 * analysis needs no verifier: a guard that fails costs speed, never correctness.
 *
 * How a loop is read: every register's value at the loop header in iteration t
 * (t = 0, 1, ...) is described symbolically. One pass over the body in topological
 * order evaluates each register as H[b] + L, where H[b] is register b's value at the
 * header in the same iteration and L a linear expression in the registers' entry
 * values P (linear.ts); copies, add/sub of such values and of constants, and multiplies
 * or shifts of loop-invariant values by constants are understood, anything else is
 * unknown. Values agree with the registers modulo 2^64 by construction (those
 * operations are ring operations), which is all the guard needs: it checks that the
 * values it relies on lie in a range where the unsigned 64-bit value equals the exact one.
 *
 * From the values the back edges carry:
 *   - invariants: H[r] = P[r] in every iteration;
 *   - induction variables: H[r] + step on every back edge, so H[r] = P[r] + step * t;
 *   - derived ones: H[q] + d for an induction variable q (clang's `r4 = r3` after
 *     `r3 += 2`), the same recurrence if P[r] = P[q] + d - step(q), which the guard checks.
 *
 * The trip bound comes from one exit test that every iteration passes (its block
 * dominates every latch): `x op bound` with x an affine value and bound invariant.
 * The loop continues only while the test holds, so with T the first iteration where it
 * fails, iterations 0..T are all that can run (T = ceil((bound - x0) / step) for `<`).
 * An access whose address is affine in t then touches only addresses between its
 * values at t = 0 and t = T (t = T - 1 if it runs only after the test passed), and
 * the guard checks both ends against the access's region.
 */

/** A value in iteration t (t = 0 the first): start + step * t. */
export interface Affine {
  readonly start: Lin;
  readonly step: Lin;
}

/**
 * The loop goes on only while `x op bound` holds. `lt`/`le` need x increasing (step >= 1),
 * `gt`/`ge` decreasing, `ne` a step of exactly +1 or -1.
 */
export type ExitOp = 'lt' | 'le' | 'gt' | 'ge' | 'ne';

export interface LoopExit {
  readonly x: Affine;
  readonly op: ExitOp;
  readonly bound: Lin;
}

export interface LoopAccess {
  readonly pc: number;
  /** The address of the access's first byte in iteration t. */
  readonly address: Affine;
  readonly size: number;
  readonly region: Region;
  /** Runs only once the exit test has passed in its iteration, so never in iteration T. */
  readonly afterExitTest: boolean;
}

export interface CountedLoop {
  readonly loop: InnermostLoop;
  readonly exit: LoopExit;
  /** Linear expressions in the entry values that must be 0 (derived induction variables). */
  readonly equalities: readonly Lin[];
  /** Accesses the fast copy runs unchecked once the guard holds. */
  readonly accesses: readonly LoopAccess[];
  /** No call that runs eBPF code (local calls, callx, bpf_loop): the fast copy may count iterations instead of charging fuel. */
  readonly fuelFree: boolean;
  /** The instructions in the body: what the fast copy charges per iteration. */
  readonly charge: number;
}

export interface CountedLoopOptions {
  /** Accesses the verifier already proved safe. */
  readonly proven: ReadonlySet<number>;
  readonly regionGuess: ReadonlyMap<number, Region>;
  /** Whether a call instruction may run eBPF code, which charges the budget itself. */
  readonly callsBack: (insn: Insn) => boolean;
}

/** Steps must stay below this in magnitude, so that step * trips (trips < 2^31) cannot wrap. */
export const STEP_LIMIT = 1n << 31n;

/**
 * Bigger bodies are left alone: the fast copy doubles their code and compile time.
 * big_switch's 185-instruction loop took jit() from 3.1 to 5.6 ms for a run 10% faster.
 */
const MAX_BODY = 128;

/** A register's value in terms of the header values of this iteration: H[base] + lin, or unknown. */
type Sym = { readonly base?: number; readonly lin: Lin } | undefined;

const withLin = (base: number | undefined, lin: Lin | undefined): Sym => (lin ? { base, lin } : undefined);
const constSym = (v: bigint): Sym => withLin(undefined, linConst(v));
const sameSym = (a: Sym, b: Sym) => a === b || (a !== undefined && b !== undefined && a.base === b.base && linEqual(a.lin, b.lin));

/** 64-bit `d op= s`. */
function aluSym(op: AluOp, d: Sym, s: Sym): Sym {
  if (op === 'mov') return s;
  if (!d || !s) return undefined;
  switch (op) {
    case 'add':
      return d.base !== undefined && s.base !== undefined ? undefined : withLin(d.base ?? s.base, linAdd(d.lin, s.lin));
    case 'sub':
      if (s.base === undefined) return withLin(d.base, linAdd(d.lin, s.lin, -1n));
      return s.base === d.base ? withLin(undefined, linAdd(d.lin, s.lin, -1n)) : undefined;
    case 'mul':
    case 'lsh': {
      const k = s.base === undefined ? linConstant(s.lin) : undefined;
      if (k === undefined) return undefined;
      const factor = op === 'mul' ? k : k >= 0n && k < 16n ? 1n << k : undefined;
      if (factor === undefined) return undefined;
      if (d.base !== undefined) return factor === 1n ? d : undefined;
      return withLin(undefined, linScale(d.lin, factor));
    }
    case 'neg':
      return d.base === undefined ? withLin(undefined, linScale(d.lin, -1n)) : undefined;
    default:
      return undefined;
  }
}

function transfer(regs: Sym[], insn: Insn): void {
  const sem = insn.spec.sem;
  switch (sem.kind) {
    case 'alu': {
      const operand = sem.source === 'reg' ? regs[insn.src] : constSym(BigInt(insn.imm));
      regs[insn.dst] = sem.width === 64 ? aluSym(sem.op, regs[insn.dst], operand) : undefined;
      return;
    }
    case 'lddw':
      regs[insn.dst] = sem.pseudo === 'imm64' ? constSym(BigInt.asIntN(64, lddwValue(insn))) : undefined;
      return;
    default:
      for (const r of overwrittenRegisters(insn)) regs[r] = undefined;
      return;
  }
}

/** One iteration's evaluation: each body block's registers at its end. */
function evaluate(
  fn: FunctionCfg, loop: InnermostLoop, insns: readonly Insn[], preds: number[][], header: Sym[],
  visit?: (insn: Insn, before: readonly Sym[], block: number) => void,
): Map<number, Sym[]> {
  const out = new Map<number, Sym[]>();
  for (const id of loop.blocks) {
    let regs: Sym[];
    if (id === loop.header) regs = [...header];
    else {
      const incoming = preds[id].map((p) => out.get(p)!);
      regs = incoming[0].map((v, r) => (incoming.every((s) => sameSym(s[r], v)) ? v : undefined));
    }
    const block = fn.blocks[id];
    for (let i = block.first; i < block.end; i++) {
      visit?.(insns[i], regs, id);
      transfer(regs, insns[i]);
    }
    out.set(id, regs);
  }
  return out;
}

/** What the back edges carry, register by register (unknown where latches disagree). */
function backEdgeValues(loop: InnermostLoop, out: Map<number, Sym[]>): Sym[] {
  const states = loop.latches.map((l) => out.get(l)!);
  return states[0].map((v, r) => (states.every((s) => sameSym(s[r], v)) ? v : undefined));
}

/**
 * A compare of values the guard has shown to lie in [0, 2^62], where signed and unsigned
 * compares agree; jset is no compare of that kind.
 */
const COMPARES: Partial<Record<JmpCond, ExitOp | 'eq'>> = {
  lt: 'lt', slt: 'lt', le: 'le', sle: 'le', gt: 'gt', sgt: 'gt', ge: 'ge', sge: 'ge', ne: 'ne', eq: 'eq',
};

/** The innermost loops of `fn` worth a fast copy, with what their guards must check. */
export function countedLoops(fn: FunctionCfg, insns: readonly Insn[], idom: Int32Array, options: CountedLoopOptions): CountedLoop[] {
  const preds = fn.predecessors;
  const loopPreds = (loop: InnermostLoop) => preds.map((ps, id) => ps.filter((p) => loop.body.has(p) && id !== loop.header));
  const plans: CountedLoop[] = [];
  for (const loop of innermostLoops(fn, idom)) {
    const size = loop.blocks.reduce((n, id) => n + fn.blocks[id].end - fn.blocks[id].first, 0);
    if (size > MAX_BODY) continue;
    const plan = analyse(fn, loop, insns, loopPreds(loop), idom, options, size);
    if (plan && (plan.accesses.length > 0 || plan.fuelFree)) plans.push(plan);
  }
  return plans;
}

function analyse(
  fn: FunctionCfg, loop: InnermostLoop, insns: readonly Insn[], preds: number[][], idom: Int32Array,
  options: CountedLoopOptions, size: number,
): CountedLoop | undefined {
  // Invariants, optimistically: all registers, then drop those the back edges change.
  let invariant = new Set(Array.from({ length: REG_COUNT }, (_, r) => r));
  const headerState = () => Array.from({ length: REG_COUNT }, (_, r): Sym =>
    (invariant.has(r) ? { lin: linReg(r) } : { base: r, lin: ZERO }));
  let back: Sym[];
  for (;;) {
    back = backEdgeValues(loop, evaluate(fn, loop, insns, preds, headerState()));
    const still = new Set([...invariant].filter((r) => { const v = back[r]; return v !== undefined && v.base === undefined && linEqual(v.lin, linReg(r)); }));
    if (still.size === invariant.size) break;
    invariant = still;
  }

  // Induction variables (step by register), then those derived from them; a derived
  // one's equality is only checked if the analysis relies on its header value.
  const steps = new Map<number, Lin>();
  const derived = new Map<number, { from: number; equality: Lin }>();
  for (let r = 0; r < REG_COUNT; r++) if (!invariant.has(r) && back[r]?.base === r) steps.set(r, back[r]!.lin);
  for (let changed = true; changed;) {
    changed = false;
    for (let r = 0; r < REG_COUNT; r++) {
      const v = back[r];
      if (invariant.has(r) || steps.has(r) || v?.base === undefined || !steps.has(v.base)) continue;
      const step = steps.get(v.base)!;
      // H[r] = P[r] + step * t needs P[r] - P[q] - d + step = 0.
      const a = linAdd(linReg(r), linReg(v.base), -1n);
      const b = a && linAdd(a, v.lin, -1n);
      const equality = b && linAdd(b, step);
      if (!equality) continue;
      steps.set(r, step);
      derived.set(r, { from: v.base, equality });
      changed = true;
    }
  }
  const relied = new Set<number>();
  const rely = (r: number) => {
    for (let d = derived.get(r); d !== undefined && !relied.has(r); r = d.from, d = derived.get(r)) relied.add(r);
  };
  const affine = (v: Sym): Affine | undefined => {
    if (!v) return undefined;
    if (v.base === undefined) return { start: v.lin, step: ZERO };
    const step = steps.get(v.base);
    const start = linAdd(linReg(v.base), v.lin);
    if (!step || !start) return undefined;
    rely(v.base);
    return { start, step };
  };

  const found: { access: LoopAccess; block: number }[] = [];
  let fuelFree = true;
  const out = evaluate(fn, loop, insns, preds, headerState(), (insn, before, block) => {
    if (insn.spec.sem.kind === 'call' && options.callsBack(insn)) fuelFree = false;
    const acc = memoryAccess(insn);
    if (!acc || options.proven.has(insn.pc)) return;
    if (acc.base === FP && insn.off >= -STACK_FRAME_SIZE && insn.off <= -acc.size) return; // never checked
    const base = affine(before[acc.base]);
    const start = base && linAdd(base.start, linConst(BigInt(insn.off))!);
    // The guard checks a step held in registers to be below 2^31; a constant one here.
    const step = base && linConstant(base.step);
    if (base && start && (step === undefined || (step < STEP_LIMIT && step > -STEP_LIMIT))) {
      const region = options.regionGuess.get(insn.pc) ?? 'stack';
      // Not guarded, so checked in the fast copy too: heap values are not contiguous (a range
      // from one to another crosses the maps' bookkeeping), and no unproven store reaches ctx.
      if (region === 'heap' || (region === 'ctx' && insn.spec.sem.kind !== 'load')) return;
      const access = { pc: insn.pc, address: { start, step: base.step }, size: acc.size, region, afterExitTest: false } as const;
      found.push({ access, block });
    }
  });
  const test = findExitTest(fn, loop, out, idom, affine);
  if (!test) return undefined;
  // Blocks entered only through the test's continue edge run in iterations 0..T-1.
  const onlyAfterTest = (id: number) => test.next !== loop.header && preds[test.next].length === 1 && dominates(idom, test.next, id);
  const accesses = found.map(({ access, block }) => ({ ...access, afterExitTest: onlyAfterTest(block) }));
  const equalities = [...relied].sort((a, b) => a - b).map((r) => derived.get(r)!.equality);

  return { loop, exit: test.exit, equalities, accesses, fuelFree, charge: size };
}

/**
 * The exit test that bounds the loop: a 64-bit compare ending a block that every
 * iteration passes (it dominates every latch), with one edge staying in the loop
 * (`next`), between an affine value that changes and an invariant one.
 */
function findExitTest(
  fn: FunctionCfg, loop: InnermostLoop, out: Map<number, Sym[]>, idom: Int32Array, affine: (v: Sym) => Affine | undefined,
): { exit: LoopExit; next: number } | undefined {
  for (const id of loop.blocks) {
    const t = fn.blocks[id].terminator;
    if (t.kind !== 'branch' || t.taken === t.fallthrough) continue;
    const sem = t.insn.spec.sem;
    if (sem.kind !== 'jmp' || sem.width !== 64) continue;
    const takenStays = loop.body.has(t.taken);
    if (takenStays === loop.body.has(t.fallthrough)) continue;
    if (!loop.latches.every((l) => dominates(idom, id, l))) continue;
    const regs = out.get(id)!;
    const left = affine(regs[t.insn.dst]);
    const right = affine(sem.source === 'reg' ? regs[t.insn.src] : constSym(BigInt(t.insn.imm)));
    if (!left || !right) continue;
    const changes = (a: Affine) => !linEqual(a.step, ZERO);
    let x: Affine, bound: Lin, cond: JmpCond | undefined;
    if (changes(left) && !changes(right)) [x, bound, cond] = [left, right.start, sem.cond];
    else if (changes(right) && !changes(left)) [x, bound, cond] = [right, left.start, SWAPPED[sem.cond]];
    else continue;
    if (!takenStays) cond = cond && NEGATED[cond];
    const op = cond && COMPARES[cond];
    if (!op || op === 'eq') continue; // jset, or `while (x == n)`: not a counted loop
    const exit: LoopExit = { x, op, bound };
    if (!stepFits(exit)) continue;
    return { exit, next: takenStays ? t.taken : t.fallthrough };
  }
  return undefined;
}

/**
 * Whether a constant step suits the exit: `<` and `<=` need x to grow, `>` and `>=` to
 * shrink, by less than 2^31 a step; `!=` steps of exactly one. A step held in a register
 * is checked by the guard.
 */
function stepFits(exit: LoopExit): boolean {
  const step = linConstant(exit.x.step);
  if (exit.op === 'ne') return step === 1n || step === -1n;
  if (step === undefined) return true;
  const growing = exit.op === 'lt' || exit.op === 'le';
  return growing ? step >= 1n && step < STEP_LIMIT : step <= -1n && step > -STEP_LIMIT;
}
