import { CompileError } from '../errors.js';
import type { Insn } from '../decode/insn.js';
import type { Expr, FunctionContext } from './context.js';
import { emitAlu, emitEndian } from './emit-alu.js';
import { emitAtomic } from './emit-atomic.js';
import { emitCall } from './emit-call.js';
import { emitLoad, emitPacketLoad, emitStore } from './emit-mem.js';

/**
 * lddw: (local.set $rD (i64.const <value>)), the value resolved at load time: a 64-bit
 * constant, a code pointer (BPF_PSEUDO_FUNC), or a map's address (verify/pseudo-lddw.ts).
 */
function emitLddw(c: FunctionContext, insn: Insn): Expr {
  return c.setReg(insn.dst, c.i64(c.module.lddwValue(insn)));
}

/**
 * Route a non-terminator instruction to the emitter of its class. Jumps and exit are
 * block terminators, handled by the function emitter.
 */
export function emitInsn(c: FunctionContext, insn: Insn): Expr {
  const sem = insn.spec.sem;
  switch (sem.kind) {
    case 'alu': return emitAlu(c, insn, sem);
    case 'endian': return emitEndian(c, insn, sem);
    case 'lddw': return emitLddw(c, insn);
    case 'load': return emitLoad(c, insn, sem);
    case 'store': return emitStore(c, insn, sem);
    case 'atomic': return emitAtomic(c, insn, sem);
    case 'packet': return emitPacketLoad(c, insn, sem);
    case 'call': return emitCall(c, insn, sem);
    case 'jmp': case 'ja': case 'may_goto': case 'exit':
      throw new CompileError('INTERNAL', `${insn.spec.mnemonic} is a terminator`, insn.pc);
  }
}
