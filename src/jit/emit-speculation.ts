import type { Insn } from '../decode/insn.js';
import { bodyOf, type Speculation } from '../analysis/speculation.js';
import type { Expr, FunctionContext } from './context.js';
import { emitInsn } from './emit-insn.js';
import { jumpCondition } from './emit-jmp.js';

/**
 * If-conversion (analysis/speculation.ts picks the triangles): the branching block B
 * runs its side block S speculatively on shadow copies of the registers S writes and
 * keeps or drops the results with `select`, which V8 compiles to cmov:
 *
 *   (local.set $c <condition>)                       ; before S, as the jump did
 *   (local.set $s0 (local.get $r0))                   ; a shadow of each register S writes
 *   (local.set $s0 (i64.or (local.get $s0) (i64.const 16)))
 *   (local.set $r0 (select (local.get $r0) (local.get $s0) (local.get $c)))  ; S ran iff !c
 */
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
  const speculative = c.withShadows(new Map(shadows.map(({ r, shadow }) => [r, shadow.index])));
  for (const insn of body) code.push(emitInsn(speculative, insn));
  for (const { r, shadow } of shadows) {
    const [ifTrue, ifFalse] = spec.sideWhenTaken ? [shadow.get(), c.reg(r)] : [c.reg(r), shadow.get()];
    code.push(c.setReg(r, m.select(condition.get(), ifTrue, ifFalse)));
  }
  return m.block(null, code);
}
