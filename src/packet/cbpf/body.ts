import type { AncillarySpec, CbpfCond, CbpfSemantics, CbpfSpec } from './opcodes.js';
import { ancillaryOf, CBPF_MEMWORDS, isAncillaryRange } from './opcodes.js';
import type { CbpfInsn } from './insn.js';
import type { EbpfBuilder } from './builder.js';
import { CompileError } from '../../errors.js';

/**
 * The part of the classic-to-eBPF translation that does not depend on where the packet
 * is: A = r0 and X = r7 (32-bit values: every write is a 32-bit op), M[k] the 32-bit stack
 * slot at r10 - 4 * (16 - k), ALU, jumps and the values returned. How packet bytes, the
 * length and ancillary data are read, and what "return" does, is the `PacketAccess`'s
 * (translate.ts: one skb run; batch-translate.ts: a loop over many packets).
 *
 *   - `div x` / `mod x` with X = 0 drop the packet (return 0): cBPF's rule; eBPF would give 0 / A.
 *   - conditional jumps compare the low 32 bits (JMP32), so k >= 2^31 is not sign-extended;
 *     `jt` falls through when it is 0, the condition is inverted when only `jf` jumps (but
 *     jset, which has no inverse), else a second `ja` takes the false edge.
 *   - `ret #k` returns k as a u32 (the accepted length), `ret a` returns A.
 *   - shifts by X use eBPF's masked count (`& 31`), as the kernel's x86 JIT does; libpcap's
 *     own interpreter would give 0 for counts of 32 and more.
 */
export const A = 0;
export const X = 7;
export const FP = 10;
/** The label every "return 0" jumps to; the access places it. */
export const DROP = 'drop';

export interface PacketAccess {
  /** A = the `size` bytes at packet offset k (a constant, s32), network order; drop if outside. */
  loadAbs(b: EbpfBuilder, size: 1 | 2 | 4, k: number): void;
  /** A = the `size` bytes at packet offset (s32)(X + k); drop if outside. */
  loadInd(b: EbpfBuilder, size: 1 | 2 | 4, k: number): void;
  /** X = 4 * (P[k] & 0xf), A unchanged; drop if outside. */
  loadMsh(b: EbpfBuilder, k: number): void;
  /** dst = the packet's length. */
  loadLength(b: EbpfBuilder, dst: number): void;
  /** A = an ancillary value (not xor_x, which the body does). */
  loadAncillary(b: EbpfBuilder, anc: AncillarySpec): void;
  /** Return A (a u32) as the verdict. */
  ret(b: EbpfBuilder): void;
}

const SIZE_BYTES = { 1: 1, 2: 2, 4: 4 } as const;
const INVERSE: Partial<Record<CbpfCond, string>> = { eq: 'jne32', gt: 'jle32', ge: 'jlt32' };
const scratchOffset = (k: number) => -4 * (CBPF_MEMWORDS - k);
const reg = (r: 'A' | 'X') => (r === 'A' ? A : X);

/** Emits the whole program body, each classic instruction marked with beginClassic(). */
export function translateBody(b: EbpfBuilder, insns: readonly CbpfInsn[], specs: readonly CbpfSpec[], access: PacketAccess): void {
  insns.forEach((insn, pc) => {
    b.beginClassic();
    translateOne(b, insn, specs[pc].sem, pc, access);
  });
}

function translateOne(b: EbpfBuilder, insn: CbpfInsn, sem: CbpfSemantics, pc: number, access: PacketAccess): void {
  const k = insn.k | 0; // eBPF immediates are s32; 32-bit ops read them back as u32
  switch (sem.kind) {
    case 'ld': return translateLoad(b, sem, k, access);
    case 'st':
      b.emit('stxw', 'store_reg', { dst: FP, src: reg(sem.src), off: scratchOffset(insn.k) });
      return;
    case 'alu': return translateAlu(b, sem, k);
    case 'ja':
      b.emit('ja', 'ja_off', {}, { cbpf: pc + 1 + insn.k });
      return;
    case 'jmp': return translateJump(b, insn, sem, pc);
    case 'ret':
      if (sem.source === 'k') b.emit('mov32', 'dst_imm', { dst: A, imm: k });
      access.ret(b);
      return;
    case 'tax':
      b.emit('mov32', 'dst_src', { dst: X, src: A });
      return;
    case 'txa':
      b.emit('mov32', 'dst_src', { dst: A, src: X });
      return;
  }
}

function translateLoad(b: EbpfBuilder, sem: Extract<CbpfSemantics, { kind: 'ld' }>, k: number, access: PacketAccess): void {
  const dst = reg(sem.dst);
  switch (sem.source) {
    case 'abs': {
      if (!isAncillaryRange(k)) return access.loadAbs(b, SIZE_BYTES[sem.size], k);
      const anc = ancillaryOf(k);
      if (anc?.xorX) return b.emit('xor32', 'dst_src', { dst: A, src: X });
      if (anc?.field || anc?.helper) return access.loadAncillary(b, anc);
      // Linux accepts these (netlink attributes, payload offset, device type) but they read
      // kernel state a packet filter here does not have.
      throw new CompileError('CBPF_UNSUPPORTED_ANCILLARY', `ancillary load ${anc ? anc.name : k} is not supported`);
    }
    case 'ind': return access.loadInd(b, SIZE_BYTES[sem.size], k);
    case 'len': return access.loadLength(b, dst);
    case 'imm': return b.emit('mov32', 'dst_imm', { dst, imm: k });
    case 'mem': return b.emit('ldxw', 'load', { dst, src: FP, off: scratchOffset(k) });
    case 'msh': return access.loadMsh(b, k);
  }
}

function translateAlu(b: EbpfBuilder, sem: Extract<CbpfSemantics, { kind: 'alu' }>, k: number): void {
  if (sem.op === 'neg') return b.emit('neg32', 'dst', { dst: A });
  if (sem.source === 'k') return b.emit(`${sem.op}32`, 'dst_imm', { dst: A, imm: k });
  if (sem.op === 'div' || sem.op === 'mod') b.emit('jeq32', 'jmp_imm', { dst: X, imm: 0 }, { label: DROP });
  b.emit(`${sem.op}32`, 'dst_src', { dst: A, src: X });
}

function translateJump(b: EbpfBuilder, insn: CbpfInsn, sem: Extract<CbpfSemantics, { kind: 'jmp' }>, pc: number): void {
  const whenTrue = pc + 1 + insn.jt;
  const whenFalse = pc + 1 + insn.jf;
  const [form, fields] = sem.source === 'k'
    ? ['jmp_imm' as const, { dst: A, imm: insn.k | 0 }]
    : ['jmp_reg' as const, { dst: A, src: X }];
  if (whenTrue === whenFalse) {
    if (insn.jt !== 0) b.emit('ja', 'ja_off', {}, { cbpf: whenTrue });
    return;
  }
  const inverse = INVERSE[sem.cond];
  if (insn.jt === 0 && inverse) return b.emit(inverse, form, fields, { cbpf: whenFalse });
  b.emit(`j${sem.cond}32`, form, fields, { cbpf: whenTrue });
  if (insn.jf !== 0) b.emit('ja', 'ja_off', {}, { cbpf: whenFalse });
}
