import { CompileError } from '../errors.js';
import { lddwValue, type Insn } from '../decode/insn.js';
import { CODE_POINTER_TAG } from '../runtime/layout.js';
import { funcPointerTarget } from '../verify/structure.js';
import type { Expr, FunctionContext } from './context.js';
import { emitAlu, emitEndian } from './emit-alu.js';
import { emitAtomic } from './emit-atomic.js';
import { emitCall } from './emit-call.js';
import { emitLoad, emitPacketLoad, emitStore } from './emit-mem.js';

/**
 * lddw: a 64-bit constant; a code pointer for BPF_PSEUDO_FUNC
 * (CODE_POINTER_TAG | target pc). Map pseudo-loads need a loader to resolve them.
 */
function emitLddw(c: FunctionContext, insn: Insn): Expr {
  const sem = insn.spec.sem;
  if (sem.kind !== 'lddw') throw new Error('not lddw');
  if (sem.pseudo === 'imm64') return c.setReg(insn.dst, c.i64(lddwValue(insn)));
  if (sem.pseudo === 'func') return c.setReg(insn.dst, c.i64(CODE_POINTER_TAG | BigInt(funcPointerTarget(insn))));
  throw new CompileError('UNRESOLVED_PSEUDO', `lddw ${sem.pseudo} needs a map or BTF object that was not provided`, insn.pc);
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
    case 'jmp': case 'ja': case 'exit':
      throw new CompileError('INTERNAL', `${insn.spec.mnemonic} is a terminator`, insn.pc);
  }
}
