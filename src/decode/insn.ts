import type { OpSpec } from './opcodes.js';

/**
 * One decoded instruction. `pc` is the index of its first 8-byte slot; lddw is a single
 * `Insn` spanning two slots, its second slot's imm kept in `imm2`. `off` and `imm` are
 * signed (s16, s32), exactly as encoded.
 */
export interface Insn {
  readonly pc: number;
  readonly spec: OpSpec;
  readonly opcode: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
  /** lddw only: the imm of the second slot (high 32 bits of the constant). */
  readonly imm2: number;
}

export interface InsnFields {
  dst?: number;
  src?: number;
  off?: number;
  imm?: number;
  imm2?: number;
}

/** Build an instruction from a table row; the row's `match` field is filled in for you. */
export function makeInsn(spec: OpSpec, fields: InsnFields = {}, pc = 0): Insn {
  const f = { dst: 0, src: 0, off: 0, imm: 0, imm2: 0, ...fields };
  if (spec.match) f[spec.match.field] = spec.match.value;
  return { pc, spec, opcode: spec.opcode, dst: f.dst, src: f.src, off: f.off | 0, imm: f.imm | 0, imm2: f.imm2 | 0 };
}

/** The 64-bit constant of an lddw, as an unsigned bigint. */
export function lddwValue(insn: Insn): bigint {
  return (BigInt(insn.imm2 >>> 0) << 32n) | BigInt(insn.imm >>> 0);
}

/** The slot index one past this instruction. */
export function nextPc(insn: Insn): number {
  return insn.pc + insn.spec.slots;
}

/**
 * Target of a jump or local call, as a slot index: `pc + 1 + offset`, where the
 * offset lives in `off` (jumps), or `imm` (ja32 and `call local`).
 */
export function branchTarget(insn: Insn): number {
  const s = insn.spec.sem;
  const usesImm = (s.kind === 'ja' && s.wide) || (s.kind === 'call' && s.target === 'local');
  return insn.pc + 1 + (usesImm ? insn.imm : insn.off);
}

/** Target slot of an lddw that loads a code pointer (src 4, BPF_PSEUDO_FUNC): `pc + 1 + imm`. */
export function funcPointerTarget(insn: Insn): number {
  return insn.pc + 1 + insn.imm;
}

/** Whether a program can write memory at all: a store, an atomic, or a call (helpers write through pointers). */
export function writesMemory(insns: readonly Insn[]): boolean {
  return insns.some((i) => {
    const k = i.spec.sem.kind;
    return k === 'store' || k === 'atomic' || k === 'call';
  });
}

/** A memory access's base register and byte size (loads, stores, atomics), else undefined. */
export function memoryAccess(insn: Insn): { base: number; size: number } | undefined {
  const sem = insn.spec.sem;
  if (sem.kind === 'load') return { base: insn.src, size: sem.size };
  if (sem.kind === 'store' || sem.kind === 'atomic') return { base: insn.dst, size: sem.size };
  return undefined;
}

/**
 * The registers an instruction overwrites with a value a register dataflow cannot follow:
 * a load's or byte swap's dst, an atomic's fetched value, and for calls and legacy
 * packet loads r0-r5 (the kernel's caller-saved registers; our engines only change r0,
 * the dataflows assume no more than the kernel promises). ALU results and lddw
 * constants are for each dataflow to follow itself.
 */
export function overwrittenRegisters(insn: Insn): readonly number[] {
  const sem = insn.spec.sem;
  switch (sem.kind) {
    case 'load': case 'endian': return [insn.dst];
    case 'atomic': return sem.op === 'cmpxchg' ? [0] : sem.fetch ? [insn.src] : [];
    case 'call': case 'packet': return CALLER_SAVED;
    default: return [];
  }
}

const CALLER_SAVED: readonly number[] = [0, 1, 2, 3, 4, 5];
