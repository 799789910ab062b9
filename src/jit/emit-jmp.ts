import type binaryen from 'binaryen';
import type { Insn } from '../decode/insn.js';
import type { JmpCond, Semantics } from '../decode/opcodes.js';
import type { Expr, FunctionContext } from './context.js';

type JmpSem = Extract<Semantics, { kind: 'jmp' }>;
type Ops = binaryen.Module['i64'] | binaryen.Module['i32'];

const COMPARE: Record<Exclude<JmpCond, 'set'>, (o: Ops, a: Expr, b: Expr) => Expr> = {
  eq: (o, a, b) => o.eq(a, b),
  ne: (o, a, b) => o.ne(a, b),
  gt: (o, a, b) => o.gt_u(a, b),
  ge: (o, a, b) => o.ge_u(a, b),
  lt: (o, a, b) => o.lt_u(a, b),
  le: (o, a, b) => o.le_u(a, b),
  sgt: (o, a, b) => o.gt_s(a, b),
  sge: (o, a, b) => o.ge_s(a, b),
  slt: (o, a, b) => o.lt_s(a, b),
  sle: (o, a, b) => o.le_s(a, b),
};

/**
 * The i32 condition of a conditional jump, e.g. `jsgt r1, 5` -> (i64.gt_s (local.get $r1) (i64.const 5)).
 * JMP (64-bit) sign-extends imm; JMP32 compares the low halves:
 * `jlt32 r1, r2` -> (i32.lt_u (i32.wrap_i64 $r1) (i32.wrap_i64 $r2)). jset tests (a & b) != 0.
 */
export function jumpCondition(c: FunctionContext, insn: Insn, sem: JmpSem): Expr {
  const wide = sem.width === 64;
  const ops: Ops = wide ? c.m.i64 : c.m.i32;
  const a = wide ? c.reg(insn.dst) : c.reg32(insn.dst);
  const b = sem.source === 'reg' ? (wide ? c.reg(insn.src) : c.reg32(insn.src)) : wide ? c.i64(insn.imm) : c.i32(insn.imm);
  if (sem.cond === 'set') return ops.ne(ops.and(a, b), wide ? c.i64(0) : c.i32(0));
  return COMPARE[sem.cond](ops, a, b);
}
