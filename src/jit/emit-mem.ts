import binaryen from 'binaryen';
import type { Insn } from '../decode/insn.js';
import type { Semantics, Size } from '../decode/opcodes.js';
import { STACK_FRAME_SIZE } from '../runtime/layout.js';
import { bswap16, bswap32 } from './bits.js';
import { FP, NAMES, type Expr, type FunctionContext } from './context.js';

type LoadSem = Extract<Semantics, { kind: 'load' }>;
type StoreSem = Extract<Semantics, { kind: 'store' }>;
type PacketSem = Extract<Semantics, { kind: 'packet' }>;

/**
 * The checked i32 linear-memory address of `[base + off]` for an access of `size` bytes.
 * r10 is read-only, so `[r10 + off]` with -512 <= off <= -size is always inside the
 * current frame and needs no check: (i32.wrap_i64 (i64.add $r10 off)). Everything else
 * goes through the region check, which traps with pc, address and size:
 * (call $mem_check (i64.add $rB off) size pc).
 */
export function checkedAddress(c: FunctionContext, base: number, off: number, size: Size, pc: number): Expr {
  const m = c.m;
  const addr = off === 0 ? c.reg(base) : m.i64.add(c.reg(base), c.i64(off));
  if (base === FP && off >= -STACK_FRAME_SIZE && off <= -size) return m.i32.wrap(addr);
  return m.call(NAMES.memCheck, [addr, c.i32(size), c.i32(pc)], binaryen.i32);
}

/** Load `size` bytes at an i32 address as an i64, zero- or sign-extended. */
export function load64(c: FunctionContext, size: Size, signed: boolean, address: Expr): Expr {
  const l = c.m.i64;
  switch (size) {
    case 1: return signed ? l.load8_s(0, 1, address) : l.load8_u(0, 1, address);
    case 2: return signed ? l.load16_s(0, 1, address) : l.load16_u(0, 1, address);
    case 4: return signed ? l.load32_s(0, 1, address) : l.load32_u(0, 1, address);
    default: return l.load(0, 1, address);
  }
}

/** Store the low `size` bytes of an i64 value. */
export function store64(c: FunctionContext, size: Size, address: Expr, value: Expr): Expr {
  const s = c.m.i64;
  switch (size) {
    case 1: return s.store8(0, 1, address, value);
    case 2: return s.store16(0, 1, address, value);
    case 4: return s.store32(0, 1, address, value);
    default: return s.store(0, 1, address, value);
  }
}

/** ldx / ldxs: (local.set $dst (i64.load32_s (<addr>))) */
export function emitLoad(c: FunctionContext, insn: Insn, sem: LoadSem): Expr {
  return c.setReg(insn.dst, load64(c, sem.size, sem.signed, checkedAddress(c, insn.src, insn.off, sem.size, insn.pc)));
}

/** st / stx: (i64.store16 (<addr>) <value>); st's imm is sign-extended then truncated. */
export function emitStore(c: FunctionContext, insn: Insn, sem: StoreSem): Expr {
  const value = sem.source === 'reg' ? c.reg(insn.src) : c.i64(insn.imm);
  return store64(c, sem.size, checkedAddress(c, insn.dst, insn.off, sem.size, insn.pc), value);
}

/**
 * Legacy LD_ABS / LD_IND: r0 = network-order load from the packet (the input area).
 * Out of range ends the whole program with r0 = 0, as the kernel does:
 *   (local.set $o <imm | (i32.add (i32.wrap_i64 $src) imm)>)
 *   (if (i32.or (i32.lt_s $o 0) (i32.gt_u (i32.add $o size) (global.get $input_len)))
 *     (then (call $abort_with (i64.const 0)) (unreachable)))
 *   (local.set $r0 (i64.extend_i32_u (<bswap> (i32.load (i32.add inputBase $o)))))
 */
export function emitPacketLoad(c: FunctionContext, insn: Insn, sem: PacketSem): Expr {
  const m = c.m;
  const o = c.temp('i32');
  const offset = sem.mode === 'abs' ? c.i32(insn.imm) : m.i32.add(c.reg32(insn.src), c.i32(insn.imm));
  const outOfRange = m.i32.or(
    m.i32.lt_s(o.get(), c.i32(0)),
    m.i32.gt_u(m.i32.add(o.get(), c.i32(sem.size)), m.global.get(NAMES.inputLen, binaryen.i32)),
  );
  const abort = m.block(null, [m.call(NAMES.abortWith, [c.i64(0)], binaryen.none), m.unreachable()]);
  const address = () => m.i32.add(c.i32(c.module.layout.inputBase), o.get());
  const v = c.temp('i32');
  let value: Expr;
  if (sem.size === 1) value = m.i32.load8_u(0, 1, address());
  else if (sem.size === 2) value = m.block(null, [v.set(m.i32.load16_u(0, 1, address())), bswap16(m, v.get)], binaryen.i32);
  else value = m.block(null, [v.set(m.i32.load(0, 1, address())), bswap32(m, v.get)], binaryen.i32);
  return m.block(null, [o.set(offset), m.if(outOfRange, abort), c.setReg32(0, value)]);
}
