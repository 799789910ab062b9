import binaryen from './binaryen.js';
import { REG_COUNT } from '../abi/registers.js';
import { isRetreating, type BasicBlock } from '../analysis/cfg.js';
import type { CountedLoop } from '../analysis/counted-loops.js';
import type { FunctionAnalysis } from '../analysis/program-analysis.js';
import type { Speculation } from '../analysis/speculation.js';
import { FunctionContext, FUNC_PARAMS, i64Const, NAMES, setLocalName, TRAP, type Expr, type ModuleInfo } from './context.js';
import { emitInsn } from './emit-insn.js';
import { jumpCondition } from './emit-jmp.js';
import { emitSpeculation } from './emit-speculation.js';
import { chargeIterations, countIteration, emitLoopGuard } from './loop-guard.js';

/**
 * Emit one analysed eBPF function (analysis/program-analysis.ts) as one Wasm function,
 * block by block.
 *
 * Control flow goes through Binaryen's Relooper rather than structured control flow we
 * reconstruct ourselves: eBPF from clang is mostly reducible, but hand-written and
 * fuzzed programs need not be, and the Relooper handles any CFG (falling back to a
 * label variable only where it must). Its output is then cleaned up by the optimiser.
 *
 * A branch to a block at or before the current one is a retreating edge (every loop has
 * one, see cfg.ts); there we charge the instruction budget with the length of the code
 * it closes. A function with
 * loops keeps the budget in a local ($fuel, loaded from the global on entry, stored
 * back around calls and on return) so the charge stays in registers:
 *   (local.set $fuel (i64.sub (local.get $fuel) n))
 *   (if (i64.lt_s (local.get $fuel) 0) (then (call $trap BUDGET pc) unreachable))
 *
 * Counted loops (analysis/counted-loops.ts) are emitted twice: the original blocks, and a fast
 * copy whose proven accesses go unchecked and which, if no call in it runs eBPF code,
 * counts its back edges in a local instead of charging fuel at each, then charges
 * count * body length on every way out (exits and returns). Edges into the loop from
 * outside go to the guard (loop-guard.ts), which picks the copy:
 *   guard --ok--> fast header ... fast latch --(count++)--> fast header
 *         \--> header ... latch --(fuel charge)--> header
 *
 * Small branches on data around pure ALU code become `select`s (emit-speculation.ts): the
 * branching block runs its side block speculatively and continues to the join.
 */
export function emitFunction(info: ModuleInfo, analysis: FunctionAnalysis, firstRegister = 0): EmittedFunction {
  const { fn, speculations } = analysis;
  const c = FunctionContext.create(info, analysis, firstRegister);
  const m = c.m;
  const relooper = new binaryen.Relooper(m);
  const handles = fn.blocks.map((block) => relooper.addBlock(emitBlockBody(c, block, speculations.get(block.id))));

  const edgeCode = (from: BasicBlock, toId: number): Expr | undefined => {
    if (!isRetreating(from, fn.blocks[toId]) || !c.fuel) return undefined;
    const fuel = c.fuel;
    const pc = info.insns[from.end - 1].pc;
    const charge = from.end - fn.blocks[toId].first;
    return m.block(null, [
      fuel.set(m.i64.sub(fuel.get(), c.i64(charge))),
      m.if(m.i64.lt_s(fuel.get(), c.i64(0)), c.trap(TRAP.BUDGET_EXHAUSTED, pc)),
    ]);
  };

  // Counted loops get a guard and a fast copy; edges into such a loop from outside go to its guard.
  const plans = analysis.countedLoops;
  const guards = new Map<number, binaryen.RelooperBlockRef>();
  const loopOf = new Map<number, CountedLoop>();
  for (const plan of plans) for (const id of plan.loop.blocks) loopOf.set(id, plan);
  const target = (from: number, to: number) => {
    const guard = guards.get(to);
    return guard !== undefined && loopOf.get(from) !== loopOf.get(to) ? guard : handles[to];
  };
  const fastEdges: (() => void)[] = [];
  for (const plan of plans) {
    const header = plan.loop.header;
    const guard = emitLoopGuard(c, plan, `guard${header}`);
    const g = relooper.addBlock(guard.body);
    guards.set(header, g);
    const counting = guard.iterations;
    const leave = () => (counting ? chargeIterations(c, counting, plan.charge) : undefined);
    const fastCopy = c.withUnchecked(new Set(plan.accesses.map((a) => a.pc)));
    const fast = new Map(plan.loop.blocks.map((id) => [id, relooper.addBlock(emitBlockBody(fastCopy, fn.blocks[id], speculations.get(id), leave))]));
    relooper.addBranch(g, fast.get(header)!, guard.ok(), 0);
    relooper.addBranch(g, handles[header], 0, 0);
    // Wired after every guard exists: an exit may lead into the next counted loop.
    fastEdges.push(() => {
      for (const id of plan.loop.blocks) {
        const block = fn.blocks[id];
        addEdges(c, relooper, block, speculations.get(id), fast.get(id)!, (from, to) => {
          if (to === header) return { handle: fast.get(to)!, code: counting ? countIteration(c, counting) : edgeCode(from, to) };
          if (plan.loop.body.has(to)) return { handle: fast.get(to)!, code: counting ? undefined : edgeCode(from, to) };
          return { handle: target(id, to), code: join(m, leave(), edgeCode(from, to)) };
        });
      }
    });
  }
  for (const block of fn.blocks) {
    addEdges(c, relooper, block, speculations.get(block.id), handles[block.id], (from, to) => ({ handle: target(block.id, to), code: edgeCode(from, to) }));
  }
  for (const wire of fastEdges) wire();

  const label = c.temp('i32');
  const entry = guards.get(0) ?? handles[0];
  const body = m.block(null, [...c.prologue(), relooper.renderAndDispose(entry, label.index), m.unreachable()]);
  return { body, vars: [...c.vars] };
}

/** A function's code (every path ends in a return) and the types of its locals after the registers. */
export interface EmittedFunction {
  readonly body: Expr;
  readonly vars: readonly binaryen.Type[];
}

/** Add an emitted function as $fN, its registers the params r0..r10. */
export function addFunction(m: binaryen.Module, index: number, emitted: EmittedFunction): void {
  const func = m.addFunction(NAMES.func(index), FUNC_PARAMS, binaryen.i64, [...emitted.vars], emitted.body);
  nameRegisters(func, 0);
}

/** Name the locals from `first` on r0..r10, for wat(). */
export function nameRegisters(func: binaryen.FunctionRef, first: number): void {
  for (let r = 0; r < REG_COUNT; r++) setLocalName(func, first + r, `r${r}`);
}

/** Code for both of two optional pieces. */
function join(m: binaryen.Module, a: Expr | undefined, b: Expr | undefined): Expr | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return m.block(null, [a, b]);
}

/**
 * Add a block's outgoing edges to the Relooper; `edge` maps an edge (the eBPF block it
 * leaves, the block it enters) to the handle to branch to and the code to run on the way.
 * A block that speculates its branch's side block continues straight to the join, on
 * the side block's edge: if that is a retreating edge, it charges the longer path's span.
 */
function addEdges(
  c: FunctionContext, relooper: binaryen.Relooper, block: BasicBlock, speculation: Speculation | undefined,
  from: binaryen.RelooperBlockRef, edge: (from: BasicBlock, to: number) => { handle: binaryen.RelooperBlockRef; code: Expr | undefined },
): void {
  const t = block.terminator;
  const add = (to: number, condition: Expr, leaving = block) => {
    const { handle, code } = edge(leaving, to);
    relooper.addBranch(from, handle, condition, code ?? 0);
  };
  if (speculation) {
    add(speculation.join, 0, speculation.side);
  } else if (t.kind === 'branch' && t.taken === t.fallthrough) {
    // `jeq r1, r2, +0`: both edges lead to the next block, and the Relooper accepts
    // one branch per target; the condition has no side effects, so drop it.
    add(t.taken, 0);
  } else if (t.kind === 'branch') {
    const sem = t.insn.spec.sem;
    if (sem.kind === 'may_goto') add(t.taken, mayGotoSpent(c));
    else if (sem.kind === 'jmp') add(t.taken, jumpCondition(c, t.insn, sem));
    else throw new Error('branch terminator must be a conditional jump');
    add(t.fallthrough, 0);
  } else if (t.kind === 'goto') {
    add(t.target, 0);
  }
}

/**
 * may_goto's condition: whether the run's allowance is spent, taking one from it if not.
 *   (if (result i32) (i64.eqz (global.get $may_goto)) (then (i32.const 1))
 *     (else (global.set $may_goto (i64.sub (global.get $may_goto) (i64.const 1))) (i32.const 0)))
 */
function mayGotoSpent(c: FunctionContext): Expr {
  const { m } = c;
  c.module.usedGlobals.add(NAMES.mayGoto);
  const left = () => m.global.get(NAMES.mayGoto, binaryen.i64);
  return m.if(m.i64.eqz(left()), m.i32.const(1),
    m.block(null, [m.global.set(NAMES.mayGoto, m.i64.sub(left(), i64Const(m, 1))), m.i32.const(0)], binaryen.i32));
}

/**
 * The straight-line code of a block; an `exit` terminator becomes (return (local.get $r0)),
 * after `beforeExit` (the fast copy of a counted loop charges its iterations there).
 * A conditional jump whose side block is speculated becomes its `select`s.
 */
function emitBlockBody(c: FunctionContext, block: BasicBlock, speculation?: Speculation, beforeExit?: () => Expr | undefined): Expr {
  const code: Expr[] = [];
  for (let i = block.first; i < block.end; i++) {
    const insn = c.module.insns[i];
    const kind = insn.spec.sem.kind;
    if (kind === 'jmp' && speculation) code.push(emitSpeculation(c, insn, speculation));
    if (kind === 'jmp' || kind === 'ja' || kind === 'may_goto') continue;
    if (kind === 'exit') code.push(c.m.block(null, [beforeExit?.() ?? c.m.nop(), c.storeFuel(), c.m.return(c.reg(0))]));
    else code.push(emitInsn(c, insn));
  }
  return c.m.block(null, code);
}
