import { PROGRAM_TYPE_INFO } from '../abi/program-types.js';
import { branchTarget, nextPc, type Insn } from '../decode/insn.js';
import { CompileError } from '../errors.js';
import type { HelperRegistry } from '../helpers/registry.js';
import type { PreparedProgram } from '../verify/load-stage.js';
import { compileAlu, compileEndian } from './alu-semantics.js';
import { compileHelperCall, compileIndirectCall, compileLocalCall } from './call-semantics.js';
import { compileJump } from './jump-semantics.js';
import { compileLoopCall, compileLoopContinuation } from './loop-semantics.js';
import type { Machine } from './machine.js';
import { compileAtomic, compileLoad, compilePacketLoad, compileStore } from './memory-semantics.js';
import { EXIT, type Op } from './op.js';
import { ConstantPool } from './registers.js';

/*
 * Why closures: each instruction is turned once, at load time, into a closure with its
 * registers, offset, constant slot and branch targets bound, chosen by a switch on the
 * opcode table's `sem` record. The run loop is then `pc = ops[pc]()`: no field decoding
 * or semantic dispatch per step and no allocation. (A per-step switch on `sem` ran a
 * three-instruction loop at about the same ~100 M insn/s; closures won because each
 * instruction class keeps its semantics in one small file instead of one huge switch.)
 */

/**
 * Build the closures, `ops[pc]` for each instruction's slot (the second slot of an
 * lddw has none), from a program the load stage has checked (every helper exists, every
 * lddw has its value). The machine is created by `createMachine(constants)` once the
 * constant pool is known, which is why the pool is filled in a first pass.
 */
export function compileProgram(
  program: PreparedProgram, createMachine: (constants: readonly bigint[]) => Machine,
): { ops: Op[]; machine: Machine } {
  const shape = program;
  const pool = new ConstantPool();
  const operandOf = shape.insns.map((insn) => secondOperand(insn, pool));
  const machine = createMachine(pool.values);
  const entries = new Set(shape.subprograms.map((sub) => sub.entry));
  const ops: Op[] = new Array(shape.slotCount);
  // Extra ops past the program's slots, e.g. a bpf_loop call site's continuation.
  const extra = (makeOp: (index: number) => Op): number => {
    const index = ops.length;
    ops.push(makeOp(index));
    return index;
  };
  shape.insns.forEach((insn, i) => {
    ops[insn.pc] = compileInsn(insn, operandOf[i], machine, program, entries, extra);
  });
  return { ops, machine };
}

/** The register index of an ALU/jump/store's second operand: src, or the imm's constant slot. */
function secondOperand(insn: Insn, pool: ConstantPool): number {
  const sem = insn.spec.sem;
  if ((sem.kind === 'alu' || sem.kind === 'jmp' || sem.kind === 'store') && sem.source === 'imm') {
    return pool.slotFor(insn.imm);
  }
  return insn.src;
}

function compileInsn(
  insn: Insn, operand: number, m: Machine, program: PreparedProgram, entries: ReadonlySet<number>,
  extra: (makeOp: (index: number) => Op) => number,
): Op {
  const helpers: HelperRegistry = program.helpers;
  const sem = insn.spec.sem;
  const { pc, dst, src, off } = insn;
  const next = nextPc(insn);
  switch (sem.kind) {
    case 'alu': return compileAlu(sem, dst, operand, m.regs, next);
    case 'endian': return compileEndian(sem, dst, m.regs, next);
    case 'jmp': return compileJump(sem, dst, operand, m.regs, branchTarget(insn), next);
    case 'ja': {
      const target = branchTarget(insn);
      return () => target;
    }
    case 'may_goto': {
      // Falls through while the run's allowance lasts, then jumps (the kernel's loop bound).
      const target = branchTarget(insn);
      return () => (m.mayGotoLeft === 0 ? target : (m.mayGotoLeft--, next));
    }
    case 'call':
      switch (sem.target) {
        case 'local': return compileLocalCall(m, branchTarget(insn), pc, next);
        case 'helper': {
          const def = helpers.get(insn.imm)!;
          if (def.intrinsic === 'loop') {
            const continuation = extra((index) => compileLoopContinuation(m, index));
            return compileLoopCall(m, entries, pc, next, continuation);
          }
          return compileHelperCall(m, def, pc, next);
        }
        case 'reg': return compileIndirectCall(m, helpers, entries, dst, pc, next);
      }
      break;
    case 'exit': return () => EXIT;
    case 'lddw': {
      const value = program.lddwValues.get(pc)!;
      const u64 = m.regs.u64;
      return () => { u64[dst] = value; return next; };
    }
    case 'load': return compileLoad(sem, m, dst, src, off, pc, next);
    case 'store': return compileStore(sem, m, dst, operand, off, pc, next);
    case 'atomic': return compileAtomic(sem, m, dst, src, off, pc, next);
    case 'packet': return compilePacketLoad(sem, m, src, insn.imm, next, PROGRAM_TYPE_INFO[program.type].skbHeaders);
  }
  throw new CompileError('INTERNAL', `${insn.spec.mnemonic} has no interpreter semantics`, pc);
}
