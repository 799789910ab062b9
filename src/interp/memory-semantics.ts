import { legacyLoadOffset, type SkbHeaders } from '../abi/program-types.js';
import type { Semantics } from '../decode/opcodes.js';
import type { Machine } from './machine.js';
import { HALT, type Op } from './op.js';

type LoadSem = Extract<Semantics, { kind: 'load' }>;
type StoreSem = Extract<Semantics, { kind: 'store' }>;
type AtomicSem = Extract<Semantics, { kind: 'atomic' }>;
type PacketSem = Extract<Semantics, { kind: 'packet' }>;

/*
 * Memory instructions. Every access goes through `m.address`, which traps with
 * OUT_OF_BOUNDS unless the whole access lies in one accessible region. Memory is
 * little-endian (Wasm's model); `m.dv` is re-read on each access because a helper may
 * grow the memory, which replaces the buffer.
 */

/** `ldx{b,h,w,dw}` and the sign-extending `ldxs{b,h,w}`: dst = *(size *)(src + off). */
export function compileLoad(sem: LoadSem, m: Machine, d: number, s: number, off: number, pc: number, next: number): Op {
  const { u64, u32, s32 } = m.regs;
  const lo = 2 * d;
  const hi = lo + 1;
  if (sem.signed) {
    switch (sem.size) {
      case 1: return () => { const v = m.dv.getInt8(m.address(s, off, 1, pc)); s32[lo] = v; s32[hi] = v >> 31; return next; };
      case 2: return () => { const v = m.dv.getInt16(m.address(s, off, 2, pc), true); s32[lo] = v; s32[hi] = v >> 31; return next; };
      case 4: return () => { const v = m.dv.getInt32(m.address(s, off, 4, pc), true); s32[lo] = v; s32[hi] = v >> 31; return next; };
      case 8: return () => { u64[d] = m.dv.getBigUint64(m.address(s, off, 8, pc), true); return next; };
    }
  }
  switch (sem.size) {
    case 1: return () => { u32[lo] = m.dv.getUint8(m.address(s, off, 1, pc)); u32[hi] = 0; return next; };
    case 2: return () => { u32[lo] = m.dv.getUint16(m.address(s, off, 2, pc), true); u32[hi] = 0; return next; };
    case 4: return () => { u32[lo] = m.dv.getUint32(m.address(s, off, 4, pc), true); u32[hi] = 0; return next; };
    case 8: return () => { u64[d] = m.dv.getBigUint64(m.address(s, off, 8, pc), true); return next; };
  }
}

/**
 * `stx` and `st`: *(size *)(dst + off) = low `size` bytes of the operand register (for
 * `st`, the constant slot holding the imm sign-extended, so truncation is implied).
 */
export function compileStore(sem: StoreSem, m: Machine, d: number, s: number, off: number, pc: number, next: number): Op {
  const { u64, u32 } = m.regs;
  const val = 2 * s;
  switch (sem.size) {
    // DataView setters take the value modulo 2^8 / 2^16.
    case 1: return () => { m.dv.setUint8(m.writeAddress(d, off, 1, pc), u32[val]); return next; };
    case 2: return () => { m.dv.setUint16(m.writeAddress(d, off, 2, pc), u32[val], true); return next; };
    case 4: return () => { m.dv.setUint32(m.writeAddress(d, off, 4, pc), u32[val], true); return next; };
    case 8: return () => { m.dv.setBigUint64(m.writeAddress(d, off, 8, pc), u64[s], true); return next; };
  }
}

const COMBINE_64: Record<'add' | 'or' | 'and' | 'xor', (a: bigint, b: bigint) => bigint> = {
  add: (a, b) => BigInt.asUintN(64, a + b),
  or: (a, b) => a | b,
  and: (a, b) => a & b,
  xor: (a, b) => a ^ b,
};
const COMBINE_32: Record<'add' | 'or' | 'and' | 'xor', (a: number, b: number) => number> = {
  add: (a, b) => (a + b) >>> 0,
  or: (a, b) => (a | b) >>> 0,
  and: (a, b) => (a & b) >>> 0,
  xor: (a, b) => (a ^ b) >>> 0,
};

/**
 * Atomic read-modify-write on *(size *)(dst + off) with src (single-threaded here, so
 * atomicity is free). FETCH forms put the old value in src, `cmpxchg` compares with r0
 * and puts the old value in r0; the 32-bit forms compare low halves and zero-extend.
 * Operands are read before anything is written, so src = r0 behaves like the kernel.
 */
export function compileAtomic(sem: AtomicSem, m: Machine, d: number, s: number, off: number, pc: number, next: number): Op {
  const { u64, u32 } = m.regs;
  const { op, fetch } = sem;
  if (sem.size === 8) {
    if (op === 'cmpxchg') {
      return () => {
        const a = m.writeAddress(d, off, 8, pc);
        const old = m.dv.getBigUint64(a, true);
        if (old === u64[0]) m.dv.setBigUint64(a, u64[s], true);
        u64[0] = old;
        return next;
      };
    }
    const combine = op === 'xchg' ? (_old: bigint, v: bigint) => v : COMBINE_64[op];
    return () => {
      const a = m.writeAddress(d, off, 8, pc);
      const old = m.dv.getBigUint64(a, true);
      m.dv.setBigUint64(a, combine(old, u64[s]), true);
      if (fetch) u64[s] = old;
      return next;
    };
  }
  const val = 2 * s;
  if (op === 'cmpxchg') {
    return () => {
      const a = m.writeAddress(d, off, 4, pc);
      const old = m.dv.getUint32(a, true);
      if (old === u32[0]) m.dv.setUint32(a, u32[val], true);
      u32[0] = old;
      u32[1] = 0;
      return next;
    };
  }
  const combine = op === 'xchg' ? (_old: number, v: number) => v : COMBINE_32[op];
  return () => {
    const a = m.writeAddress(d, off, 4, pc);
    const old = m.dv.getUint32(a, true);
    m.dv.setUint32(a, combine(old, u32[val]), true);
    if (fetch) { u32[val] = old; u32[val + 1] = 0; }
    return next;
  };
}

/**
 * Legacy packet loads: r0 = the `size` bytes at packet offset `imm` (LD_ABS) or
 * `(s32)(low32(src) + imm)` (LD_IND), in network byte order, zero-extended. The packet
 * starts at the input area; an skb's negative offsets reach its headers
 * (abi/program-types.ts, legacyLoadOffset). Like the kernel, an offset outside the packet
 * ends the program with r0 = 0 instead of trapping.
 */
export function compilePacketLoad(sem: PacketSem, m: Machine, s: number, imm: number, next: number, headers: SkbHeaders | undefined): Op {
  const { u32 } = m.regs;
  const size = sem.size;
  const lowest = headers?.head ?? 0;
  const load = (k: number): number => {
    const offset = legacyLoadOffset(k, headers);
    if (offset === undefined || offset < lowest || offset + size > m.inputLength) {
      u32[0] = 0;
      u32[1] = 0;
      return HALT;
    }
    const a = m.inputBase + offset;
    u32[0] = size === 1 ? m.dv.getUint8(a) : size === 2 ? m.dv.getUint16(a) : m.dv.getUint32(a);
    u32[1] = 0;
    return next;
  };
  if (sem.mode === 'abs') return () => load(imm);
  const src = 2 * s;
  return () => load((u32[src] + imm) | 0);
}
