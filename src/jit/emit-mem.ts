import binaryen from './binaryen.js';
import { FP } from '../abi/registers.js';
import type { Insn } from '../decode/insn.js';
import type { Semantics, Size } from '../decode/opcodes.js';
import { STACK_FRAME_SIZE } from '../abi/layout.js';
import { SKF_LL_OFF, SKF_NET_OFF } from '../abi/program-types.js';
import { bswap16, bswap32 } from './bits.js';
import { NAMES, type Expr, type FunctionContext } from './context.js';
import type { Region } from '../abi/layout.js';

type LoadSem = Extract<Semantics, { kind: 'load' }>;
type StoreSem = Extract<Semantics, { kind: 'store' }>;
type PacketSem = Extract<Semantics, { kind: 'packet' }>;

const REGIONS: readonly Region[] = ['stack', 'input', 'ctx', 'heap'];

/**
 * i32: whether [addr, addr + size) with addr = base + off lies inside `region`, as one
 * unsigned compare of the distance from the region's start with `limit` = len - size + 1
 * (0 if the region is smaller than the access): (i64.lt_u (i64.add $rB off - start) limit).
 * In the heap only map values are accessible, never the maps' own bookkeeping: past the
 * compare of both ends (maps grow the heap at run time), the runtime looks the address
 * up among the values (maps/value-areas.ts), which only accesses the verifier could not
 * prove ever need:
 *   (if (result i32) (<inside the heap>) (then (call $value_accessible addr size write)) (else 0))
 */
export function inside(c: FunctionContext, region: Region, base: () => Expr, off: number, size: number, write = false): Expr {
  const m = c.m;
  const L = c.module.layout;
  const distance = (start: number) => m.i64.add(base(), c.i64(off - start));
  switch (region) {
    case 'stack': return m.i64.lt_u(distance(L.stackBase), c.i64(L.stackTop - L.stackBase - size + 1));
    case 'input': return m.i64.lt_u(distance(L.inputBase), c.global(NAMES.inputLimit(size), binaryen.i64));
    case 'ctx': return m.i64.lt_u(distance(L.contextBase), c.global(NAMES.ctxLimit(size), binaryen.i64));
    case 'heap': {
      const heapEnd = m.i64.extend_u(m.global.get(NAMES.heapEnd, binaryen.i32));
      const inHeap = m.i32.and(
        m.i64.ge_u(distance(0), c.i64(L.heapBase)),
        m.i64.le_u(distance(0), m.i64.sub(heapEnd, c.i64(size))),
      );
      return m.if(inHeap, m.call(NAMES.valueAccessible, [distance(0), c.i32(size), c.i32(write ? 1 : 0)], binaryen.i32), c.i32(0));
    }
  }
}

/**
 * The checked i32 linear-memory address of `[base + off]` for an access of `size` bytes.
 *
 * r10 is read-only, so `[r10 + off]` with -512 <= off <= -size is always inside the
 * current frame and needs no check: (i32.wrap_i64 (i64.add $r10 off)); neither do
 * accesses the verifier proves inside their object (a raw program's input included).
 *
 * Otherwise the access is checked inline against the region the verifier placed it in first
 * (one compare on the hot path), then against the others, trapping with pc/address/size
 * if none holds:
 *   (if (i32.eqz <inside guess>)
 *     (then (if (i32.eqz (i32.or <inside r2> (i32.or <inside r3> <inside r4>)))
 *       (then (call $trap_oob pc (i64.add $rB off) size) (unreachable)))))
 *   (i32.wrap_i64 (i64.add $rB off))
 * No call on a path that continues: a call in a hot loop makes V8 spill the loop's
 * values around it even when it is never taken, while a trap path ends in unreachable.
 * Any valid address is below 4 GiB, so the wrapped sum is the address whatever the region.
 * A store (`write`) never counts a read-only context (a kprobe's, an XDP program's) as a
 * region it may reach.
 */
export function checkedAddress(c: FunctionContext, base: number, off: number, size: Size, pc: number, write = false): Expr {
  const m = c.m;
  const addr = () => (off === 0 ? c.reg(base) : m.i64.add(c.reg(base), c.i64(off)));
  if (base === FP && off >= -STACK_FRAME_SIZE && off <= -size) return m.i32.wrap(addr());
  if (c.isUnchecked(pc)) return m.i32.wrap(addr());
  // What a program may write in its context the verifier proves field by field: a store it did not prove never reaches it.
  const reachable = write && !(c.module.checkEveryAccess && c.module.contextWritable) ? REGIONS.filter((r) => r !== 'ctx') : REGIONS;
  const guessed = c.regionGuess(pc);
  const guess = reachable.includes(guessed) ? guessed : reachable[0];
  const baseReg = () => c.reg(base);
  const others = reachable.filter((r) => r !== guess).map((r) => inside(c, r, baseReg, off, size, write));
  const trap = m.block(null, [m.call(NAMES.trapOob, [c.i32(pc), addr(), c.i32(size)], binaryen.none), m.unreachable()]);
  const elsewhere = others.reduce((a, b) => m.i32.or(a, b));
  return m.block(null, [
    m.if(m.i32.eqz(inside(c, guess, baseReg, off, size, write)), m.if(m.i32.eqz(elsewhere), trap)),
    m.i32.wrap(addr()),
  ], binaryen.i32);
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
  return store64(c, sem.size, checkedAddress(c, insn.dst, insn.off, sem.size, insn.pc, true), value);
}

/**
 * Legacy LD_ABS / LD_IND: r0 = network-order load from the packet, which starts at the
 * input area. Outside the packet the whole program ends with r0 = 0, as the kernel does:
 *   (local.set $o <imm | (i32.add (i32.wrap_i64 $src) imm)>)
 *   <an skb's negative offsets: (if (i32.lt_s $o 0) (local.set $o <its header offset>))>
 *   (if (i32.or (i32.lt_s $o head) (i32.gt_s $o (i32.sub (global.get $input_len) size)))
 *     (then (call $abort_with (i64.const 0)) (unreachable)))
 *   (local.set $r0 (i64.extend_i32_u (<bswap> (i32.load (i32.add inputBase $o)))))
 * where head is 0, or for an skb how far before the data its buffer starts; the header
 * offsets are constants of the program type (abi/program-types.ts, legacyLoadOffset):
 *   $o >= SKF_NET_OFF ? network + ($o - SKF_NET_OFF) : $o >= SKF_LL_OFF ? mac + ($o - SKF_LL_OFF) : below head
 */
export function emitPacketLoad(c: FunctionContext, insn: Insn, sem: PacketSem): Expr {
  const m = c.m;
  const headers = c.module.skbHeaders;
  const head = headers?.head ?? 0;
  const o = c.temp('i32');
  const offset = sem.mode === 'abs' ? c.i32(insn.imm) : m.i32.add(c.reg32(insn.src), c.i32(insn.imm));
  const code: Expr[] = [o.set(offset)];
  if (headers) {
    const fromHeader = (base: number, skfOffset: number) => m.i32.add(o.get(), c.i32(base - skfOffset));
    const translated = m.select(m.i32.ge_s(o.get(), c.i32(SKF_NET_OFF)), fromHeader(headers.network, SKF_NET_OFF),
      m.select(m.i32.ge_s(o.get(), c.i32(SKF_LL_OFF)), fromHeader(headers.mac, SKF_LL_OFF), c.i32(head - 1)));
    code.push(m.if(m.i32.lt_s(o.get(), c.i32(0)), o.set(translated)));
  }
  const outOfRange = m.i32.or(
    m.i32.lt_s(o.get(), c.i32(head)),
    m.i32.gt_s(o.get(), m.i32.sub(c.global(NAMES.inputLen, binaryen.i32), c.i32(sem.size))),
  );
  const abort = m.block(null, [m.call(NAMES.abortWith, [c.i64(0)], binaryen.none), m.unreachable()]);
  const address = () => m.i32.add(c.i32(c.module.layout.inputBase), o.get());
  const v = c.temp('i32');
  let value: Expr;
  if (sem.size === 1) value = m.i32.load8_u(0, 1, address());
  else if (sem.size === 2) value = m.block(null, [v.set(m.i32.load16_u(0, 1, address())), bswap16(m, v.get)], binaryen.i32);
  else value = m.block(null, [v.set(m.i32.load(0, 1, address())), bswap32(m, v.get)], binaryen.i32);
  return m.block(null, [...code, m.if(outOfRange, abort), c.setReg32(0, value)]);
}
