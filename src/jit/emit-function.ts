import binaryen from 'binaryen';
import type { BasicBlock, FunctionCfg } from './cfg.js';
import { FunctionContext, FUNC_PARAMS, NAMES, REG_COUNT, setLocalName, TRAP, type Expr, type ModuleInfo } from './context.js';
import { emitInsn } from './emit-insn.js';
import { jumpCondition } from './emit-jmp.js';
import { provenInputAccesses } from './input-bounds.js';
import { guessRegions } from './regions.js';

/**
 * Emit one eBPF function as one Wasm function, block by block.
 *
 * Control flow goes through Binaryen's Relooper rather than structured control flow we
 * reconstruct ourselves: eBPF from clang is mostly reducible, but hand-written and
 * fuzzed programs need not be, and the Relooper handles any CFG (falling back to a
 * label variable only where it must). Its output is then cleaned up by the optimiser.
 *
 * A branch to a block at or before the current one is a back edge; there we charge
 * the instruction budget with the length of the loop body it closes. A function with
 * loops keeps the budget in a local ($fuel, loaded from the global on entry, stored
 * back around calls and on return) so the charge stays in registers:
 *   (local.set $fuel (i64.sub (local.get $fuel) n))
 *   (if (i64.lt_s (local.get $fuel) 0) (then (call $trap BUDGET pc) unreachable))
 */
export function emitFunction(info: ModuleInfo, fn: FunctionCfg): void {
  const isBackEdge = (from: BasicBlock, toId: number) => fn.blocks[toId].startPc <= from.startPc;
  const hasLoops = fn.blocks.some((b) => successors(b).some((s) => isBackEdge(b, s)));
  const c = new FunctionContext(info, guessRegions(fn, info.insns, info.layout), hasLoops, provenInputAccesses(fn, info.insns, info.layout));
  const m = c.m;
  const relooper = new binaryen.Relooper(m);
  const bodies = fn.blocks.map((block) => emitBlockBody(c, block));
  const handles = bodies.map((body) => relooper.addBlock(body));

  const edgeCode = (from: BasicBlock, toId: number): Expr => {
    if (!isBackEdge(from, toId) || !c.fuel) return 0;
    const fuel = c.fuel;
    const pc = info.insns[from.end - 1].pc;
    const charge = from.end - fn.blocks[toId].first;
    return m.block(null, [
      fuel.set(m.i64.sub(fuel.get(), c.i64(charge))),
      m.if(m.i64.lt_s(fuel.get(), c.i64(0)), c.trap(TRAP.BUDGET_EXHAUSTED, pc)),
    ]);
  };

  for (const block of fn.blocks) {
    const t = block.terminator;
    const from = handles[block.id];
    if (t.kind === 'branch' && t.taken === t.fallthrough) {
      // `jeq r1, r2, +0`: both edges lead to the next block, and the Relooper accepts
      // one branch per target; the condition has no side effects, so drop it.
      relooper.addBranch(from, handles[t.taken], 0, edgeCode(block, t.taken));
    } else if (t.kind === 'branch') {
      const sem = t.insn.spec.sem;
      if (sem.kind !== 'jmp') throw new Error('branch terminator must be a conditional jump');
      relooper.addBranch(from, handles[t.taken], jumpCondition(c, t.insn, sem), edgeCode(block, t.taken));
      relooper.addBranch(from, handles[t.fallthrough], 0, edgeCode(block, t.fallthrough));
    } else if (t.kind === 'goto') {
      relooper.addBranch(from, handles[t.target], 0, edgeCode(block, t.target));
    }
  }
  const label = c.temp('i32');
  const body = m.block(null, [...c.prologue(), relooper.renderAndDispose(handles[0], label.index), m.unreachable()]);
  const func = m.addFunction(NAMES.func(fn.index), FUNC_PARAMS, binaryen.i64, c.vars, body);
  for (let r = 0; r < REG_COUNT; r++) setLocalName(func, r, `r${r}`);
}

function successors(block: BasicBlock): number[] {
  const t = block.terminator;
  return t.kind === 'branch' ? [t.taken, t.fallthrough] : t.kind === 'goto' ? [t.target] : [];
}

/** The straight-line code of a block; an `exit` terminator becomes (return (local.get $r0)). */
function emitBlockBody(c: FunctionContext, block: BasicBlock): Expr {
  const code: Expr[] = [];
  for (let i = block.first; i < block.end; i++) {
    const insn = c.module.insns[i];
    const kind = insn.spec.sem.kind;
    if (kind === 'jmp' || kind === 'ja') continue;
    if (kind === 'exit') code.push(c.m.block(null, [c.storeFuel(), c.m.return(c.reg(0))]));
    else code.push(emitInsn(c, insn));
  }
  return c.m.block(null, code);
}
