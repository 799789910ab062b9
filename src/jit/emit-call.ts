import binaryen from './binaryen.js';
import { FP, REG_COUNT } from '../abi/registers.js';
import { CompileError } from '../errors.js';
import { branchTarget, type Insn } from '../decode/insn.js';
import type { Semantics } from '../decode/opcodes.js';
import type { HelperDef } from '../helpers/registry.js';
import { STACK_FRAME_SIZE } from '../abi/layout.js';
import { NAMES, TRAP, type Expr, type FunctionContext } from './context.js';

type CallSem = Extract<Semantics, { kind: 'call' }>;

/** How many of r1..r5 a helper takes: its prototype's argument count. */
export function helperArity(def: HelperDef): number {
  return Math.min(5, def.proto.args.length);
}

/** The argument registers a helper of `arity` arguments reads: r1..r<arity>. */
export function helperArgs(arity: number): number[] {
  return [1, 2, 3, 4, 5].slice(0, arity);
}

/** r0..r9 and the callee's frame pointer (r10 - 512): the operands of a local call. */
export function calleeOperands(c: FunctionContext, framePointer: Expr): Expr[] {
  const regs = Array.from({ length: REG_COUNT - 1 }, (_, r) => c.reg(r));
  return [...regs, framePointer];
}

/**
 * The callee's frame pointer, trapping first when the call would exceed the frame limit:
 *   (if (i64.lt_u (i64.sub $r10 512) <stackBase + 512>) (then (call $trap CALL_DEPTH pc) unreachable))
 * Frames k = 0..7 have r10 = stackTop - 512k, so a callee frame below stackBase + 512 is the ninth.
 */
export function depthCheck(c: FunctionContext, pc: number): Expr {
  const m = c.m;
  const limit = c.module.layout.stackBase + STACK_FRAME_SIZE;
  return m.if(m.i64.lt_u(m.i64.sub(c.reg(FP), c.i64(STACK_FRAME_SIZE)), c.i64(limit)), c.trap(TRAP.CALL_DEPTH_EXCEEDED, pc));
}

/**
 * call N     -> (local.set $r0 (call $hN $r1..$rK pc))  helper import taking its K arguments
 *               (each i64 argument becomes a BigInt in JS, so fewer is cheaper)
 * call local -> depth check; (local.set $r0 (call $fK $r0..$r9 (i64.sub $r10 512)))
 * callx rD   -> (local.set $r0 (call $callx $rD pc $r0..$r9 $r10))          dispatch in module.ts
 * bpf_loop   -> (local.set $r0 (call $bpf_loop pc $r0..$r9 $r10))            loop.ts
 * Callers keep r1..r9 in their own locals, so only r0 changes across any call.
 */
export function emitCall(c: FunctionContext, insn: Insn, sem: CallSem): Expr {
  const m = c.m;
  const i64 = binaryen.i64;
  if (sem.target === 'helper') {
    const id = insn.imm;
    const def = c.module.helper(id);
    if (!def) throw new CompileError('INTERNAL', `helper ${id} passed the load stage but is not registered`, insn.pc);
    c.module.useHelper(id);
    if (def.intrinsic === 'loop') {
      const operands = [c.i32(insn.pc), ...calleeOperands(c, c.reg(FP))];
      return c.aroundCall(c.setReg(0, m.call(NAMES.bpfLoop, operands, i64)));
    }
    const args = helperArgs(helperArity(def)).map((r) => c.reg(r));
    return c.setReg(0, m.call(NAMES.helper(id), [...args, c.i32(insn.pc)], i64));
  }
  if (sem.target === 'local') {
    const index = c.module.functionAt.get(branchTarget(insn));
    if (index === undefined) throw new CompileError('INTERNAL', `call target ${branchTarget(insn)} passed the load stage but is not a function`, insn.pc);
    const callee = m.call(NAMES.func(index), calleeOperands(c, m.i64.sub(c.reg(FP), c.i64(STACK_FRAME_SIZE))), i64);
    return m.block(null, [depthCheck(c, insn.pc), c.aroundCall(c.setReg(0, callee))]);
  }
  const operands = [c.reg(insn.dst), c.i32(insn.pc), ...calleeOperands(c, c.reg(FP))];
  return c.aroundCall(c.setReg(0, m.call(NAMES.callx, operands, i64)));
}
