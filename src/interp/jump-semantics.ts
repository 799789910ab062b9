import type { Semantics } from '../decode/opcodes.js';
import type { Op } from './op.js';
import type { RegisterFile } from './registers.js';

type JmpSem = Extract<Semantics, { kind: 'jmp' }>;

/**
 * Conditional jumps (RFC 9669 section 4.3). JMP compares all 64 bits (an immediate
 * operand is a constant slot holding the imm sign-extended to 64); JMP32 compares the
 * low halves. Unsigned conditions read the unsigned views, signed ones the signed views.
 */
export function compileJump(sem: JmpSem, d: number, s: number, regs: RegisterFile, target: number, next: number): Op {
  if (sem.width === 64) {
    const { u64, s64 } = regs;
    switch (sem.cond) {
      case 'eq': return () => (u64[d] === u64[s] ? target : next);
      case 'ne': return () => (u64[d] !== u64[s] ? target : next);
      case 'gt': return () => (u64[d] > u64[s] ? target : next);
      case 'ge': return () => (u64[d] >= u64[s] ? target : next);
      case 'lt': return () => (u64[d] < u64[s] ? target : next);
      case 'le': return () => (u64[d] <= u64[s] ? target : next);
      case 'set': return () => ((u64[d] & u64[s]) !== 0n ? target : next);
      case 'sgt': return () => (s64[d] > s64[s] ? target : next);
      case 'sge': return () => (s64[d] >= s64[s] ? target : next);
      case 'slt': return () => (s64[d] < s64[s] ? target : next);
      case 'sle': return () => (s64[d] <= s64[s] ? target : next);
    }
  }
  const { u32, s32 } = regs;
  const a = 2 * d;
  const b = 2 * s;
  switch (sem.cond) {
    case 'eq': return () => (u32[a] === u32[b] ? target : next);
    case 'ne': return () => (u32[a] !== u32[b] ? target : next);
    case 'gt': return () => (u32[a] > u32[b] ? target : next);
    case 'ge': return () => (u32[a] >= u32[b] ? target : next);
    case 'lt': return () => (u32[a] < u32[b] ? target : next);
    case 'le': return () => (u32[a] <= u32[b] ? target : next);
    case 'set': return () => ((u32[a] & u32[b]) !== 0 ? target : next);
    case 'sgt': return () => (s32[a] > s32[b] ? target : next);
    case 'sge': return () => (s32[a] >= s32[b] ? target : next);
    case 'slt': return () => (s32[a] < s32[b] ? target : next);
    case 'sle': return () => (s32[a] <= s32[b] ? target : next);
  }
}
