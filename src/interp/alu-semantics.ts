import type { Semantics } from '../decode/opcodes.js';
import type { Op } from './op.js';
import type { RegisterFile } from './registers.js';

type AluSem = Extract<Semantics, { kind: 'alu' }>;
type EndianSem = Extract<Semantics, { kind: 'endian' }>;

/**
 * The exact eBPF arithmetic (RFC 9669 section 4.1, guide section 2), one closure per
 * operation. `d` is the destination register, `s` the register holding the second
 * operand: a real register, or a constant slot for immediates (sign-extended to 64
 * bits, so 32-bit ops see the imm as a u32 in its low half).
 *
 * 64-bit ops use the BigInt views; storing into a BigUint64Array wraps modulo 2^64, so
 * `u64[d] = u64[d] + u64[s]` is eBPF's add. 32-bit ops use the u32/s32 halves with
 * ordinary number arithmetic (exact for 32-bit operands) and then zero the high half.
 */
export function compileAlu(sem: AluSem, d: number, s: number, regs: RegisterFile, next: number): Op {
  return sem.width === 64 ? compileAlu64(sem, d, s, regs, next) : compileAlu32(sem, d, s, regs, next);
}

function compileAlu64(sem: AluSem, d: number, s: number, regs: RegisterFile, next: number): Op {
  const { u64, s64, s32 } = regs;
  switch (sem.op) {
    case 'add': return () => { u64[d] = u64[d] + u64[s]; return next; };
    case 'sub': return () => { u64[d] = u64[d] - u64[s]; return next; };
    case 'mul': return () => { u64[d] = u64[d] * u64[s]; return next; };
    // Division by zero gives 0; modulo by zero leaves dst unchanged.
    case 'div': return () => { const b = u64[s]; u64[d] = b === 0n ? 0n : u64[d] / b; return next; };
    case 'mod': return () => { const b = u64[s]; if (b !== 0n) u64[d] = u64[d] % b; return next; };
    // BigInt `/` and `%` truncate toward zero, so the remainder has the dividend's sign.
    // INT_MIN / -1 = 2^63, which wraps to INT_MIN on the store; INT_MIN % -1 = 0.
    case 'sdiv': return () => { const b = s64[s]; u64[d] = b === 0n ? 0n : s64[d] / b; return next; };
    case 'smod': return () => { const b = s64[s]; if (b !== 0n) u64[d] = s64[d] % b; return next; };
    case 'or': return () => { u64[d] = u64[d] | u64[s]; return next; };
    case 'and': return () => { u64[d] = u64[d] & u64[s]; return next; };
    case 'xor': return () => { u64[d] = u64[d] ^ u64[s]; return next; };
    // Shift counts are masked to 6 bits, also for immediates.
    case 'lsh': return () => { u64[d] = u64[d] << (u64[s] & 63n); return next; };
    case 'rsh': return () => { u64[d] = u64[d] >> (u64[s] & 63n); return next; };
    case 'arsh': return () => { u64[d] = s64[d] >> (u64[s] & 63n); return next; };
    case 'neg': return () => { u64[d] = -u64[d]; return next; };
    case 'mov': return () => { u64[d] = u64[s]; return next; };
    case 'movsx': {
      // Sign-extend the low `extFrom` bits of src to 64: shift them to the top of a
      // 32-bit word and back down arithmetically, then fill the high half with the sign.
      const drop = 32 - (sem.extFrom ?? 32);
      return () => {
        const low = (s32[2 * s] << drop) >> drop;
        s32[2 * d] = low;
        s32[2 * d + 1] = low >> 31;
        return next;
      };
    }
    default: return unreachable(sem.op);
  }
}

function compileAlu32(sem: AluSem, d: number, s: number, regs: RegisterFile, next: number): Op {
  const { u32, s32 } = regs;
  const lo = 2 * d;
  const hi = lo + 1;
  const src = 2 * s;
  switch (sem.op) {
    case 'add': return () => { u32[lo] = u32[lo] + u32[src]; u32[hi] = 0; return next; };
    case 'sub': return () => { u32[lo] = u32[lo] - u32[src]; u32[hi] = 0; return next; };
    case 'mul': return () => { u32[lo] = Math.imul(u32[lo], u32[src]); u32[hi] = 0; return next; };
    // For 32-bit operands the double quotient truncates to the exact integer quotient.
    case 'div': return () => { const b = u32[src]; u32[lo] = b === 0 ? 0 : Math.trunc(u32[lo] / b); u32[hi] = 0; return next; };
    case 'mod': return () => { const b = u32[src]; if (b !== 0) u32[lo] = u32[lo] % b; u32[hi] = 0; return next; };
    // INT_MIN / -1 = 2^31 wraps to INT_MIN on the Int32Array store; JS `%` takes the
    // dividend's sign and INT_MIN % -1 is -0, stored as 0.
    case 'sdiv': return () => { const b = s32[src]; s32[lo] = b === 0 ? 0 : Math.trunc(s32[lo] / b); u32[hi] = 0; return next; };
    case 'smod': return () => { const b = s32[src]; if (b !== 0) s32[lo] = s32[lo] % b; u32[hi] = 0; return next; };
    case 'or': return () => { u32[lo] = u32[lo] | u32[src]; u32[hi] = 0; return next; };
    case 'and': return () => { u32[lo] = u32[lo] & u32[src]; u32[hi] = 0; return next; };
    case 'xor': return () => { u32[lo] = u32[lo] ^ u32[src]; u32[hi] = 0; return next; };
    // JS shift operators mask the count with & 31, exactly eBPF's 32-bit rule.
    case 'lsh': return () => { u32[lo] = u32[lo] << u32[src]; u32[hi] = 0; return next; };
    case 'rsh': return () => { u32[lo] = u32[lo] >>> u32[src]; u32[hi] = 0; return next; };
    case 'arsh': return () => { s32[lo] = s32[lo] >> u32[src]; u32[hi] = 0; return next; };
    case 'neg': return () => { s32[lo] = -s32[lo]; u32[hi] = 0; return next; };
    case 'mov': return () => { u32[lo] = u32[src]; u32[hi] = 0; return next; };
    case 'movsx': {
      const drop = 32 - (sem.extFrom ?? 32);
      return () => { s32[lo] = (s32[src] << drop) >> drop; u32[hi] = 0; return next; };
    }
    default: return unreachable(sem.op);
  }
}

function bswap32(v: number): number {
  return ((v & 0xff) << 24 | (v & 0xff00) << 8 | (v >>> 8) & 0xff00 | v >>> 24) >>> 0;
}

/**
 * Byte-order conversions on our little-endian memory model: `le` only truncates to its
 * width (le64 does nothing); `be` and `bswap` reverse the low `bits` bits and zero the rest.
 */
export function compileEndian(sem: EndianSem, d: number, regs: RegisterFile, next: number): Op {
  const { u32 } = regs;
  const lo = 2 * d;
  const hi = lo + 1;
  if (sem.order === 'le') {
    switch (sem.bits) {
      case 16: return () => { u32[lo] = u32[lo] & 0xffff; u32[hi] = 0; return next; };
      case 32: return () => { u32[hi] = 0; return next; };
      case 64: return () => next;
    }
  }
  switch (sem.bits) {
    case 16: return () => { const v = u32[lo]; u32[lo] = (v & 0xff) << 8 | (v >>> 8) & 0xff; u32[hi] = 0; return next; };
    case 32: return () => { u32[lo] = bswap32(u32[lo]); u32[hi] = 0; return next; };
    case 64: return () => { const a = u32[lo]; u32[lo] = bswap32(u32[hi]); u32[hi] = bswap32(a); return next; };
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled ALU operation ${String(x)}`);
}
