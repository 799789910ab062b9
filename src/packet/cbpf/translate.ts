import { SK_BUFF } from '../../abi/program-types.js';
import { HELPER_IDS } from '../../abi/kernel-ids.js';
import { makeInsn, type Insn, type InsnFields } from '../../decode/insn.js';
import { SPECS_BY_MNEMONIC, type Form, type OpSpec } from '../../decode/opcodes.js';
import { CompileError } from '../../errors.js';
import type { CbpfInsn } from './insn.js';
import { ancillaryOf, CBPF_MEMWORDS, isAncillaryRange, type CbpfCond, type CbpfSemantics, type CbpfSpec } from './opcodes.js';

/**
 * Classic BPF to eBPF with the kernel's semantics (net/core/filter.c, bpf_convert_filter),
 * for a program whose r1 is a `struct __sk_buff` with the packet's first byte at LD_ABS
 * offset 0 (sched_cls: the Ethernet header, where tcpdump's filters start).
 *
 * Registers as the kernel assigns them: A = r0, X = r7, the context r6 (LD_ABS's implicit
 * skb), a temporary r8, and M[k] the 32-bit stack slot at r10 - 4 * (16 - k).
 *   - A and X start at 0; every A/X write is a 32-bit op, so both always hold a u32.
 *   - `ld [k]`, `ld [x + k]`: eBPF LD_ABS/LD_IND, network order; a load past the packet's
 *     end ends the program with r0 = 0, the filter's "drop".
 *   - `ldxb 4*([k]&0xf)` (MSH): A is saved in r8 around the byte load into r0.
 *   - `ld #len`: skb->len; ancillary loads read their __sk_buff field (ntohs where the
 *     kernel converts) or call their helper.
 *   - `div x` / `mod x` with X = 0 end the program with 0 (cBPF's rule; eBPF would give 0 / A).
 *   - conditional jumps compare the low 32 bits (JMP32), so k >= 2^31 is not sign-extended;
 *     `jt` falls through when it is 0, the condition is inverted when only `jf` jumps (but
 *     jset, which has no inverse), else a second `ja` takes the false edge.
 *   - `ret #k` returns k as a u32 (the accepted length), `ret a` returns A.
 *   - shifts by X use eBPF's masked count (`& 31`), as the kernel's x86 JIT does; libpcap's
 *     own interpreter would give 0 for counts of 32 and more.
 * The input must have passed validateCbpf (its table rows are `specs`).
 */
export interface CbpfTranslation {
  readonly insns: Insn[];
  /** The eBPF pc where each classic instruction's code starts. */
  readonly starts: readonly number[];
}

const A = 0;
const CTX = 6;
const X = 7;
const TMP = 8;
const FP = 10;

const specCache = new Map<string, OpSpec>();
function spec(mnemonic: string, form: Form): OpSpec {
  const key = `${mnemonic}/${form}`;
  let s = specCache.get(key);
  if (!s) {
    s = SPECS_BY_MNEMONIC.get(mnemonic)?.find((r) => r.form === form);
    if (!s) throw new CompileError('CBPF_TRANSLATION', `no eBPF instruction ${mnemonic} (${form})`);
    specCache.set(key, s);
  }
  return s;
}

/** One eBPF instruction to emit; `target` is a classic index a jump goes to, resolved at the end. */
interface Pending {
  readonly spec: OpSpec;
  readonly fields: InsnFields;
  readonly target?: number;
}

const SIZE_SUFFIX = { 1: 'b', 2: 'h', 4: 'w' } as const;
const INVERSE: Partial<Record<CbpfCond, string>> = { eq: 'jne32', gt: 'jle32', ge: 'jlt32' };

const scratchOffset = (k: number) => -4 * (CBPF_MEMWORDS - k);
const reg = (r: 'A' | 'X') => (r === 'A' ? A : X);

export function translateCbpf(insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): CbpfTranslation {
  const out: Pending[] = [];
  const emit = (mnemonic: string, form: Form, fields: InsnFields = {}, target?: number) => {
    out.push({ spec: spec(mnemonic, form), fields, target });
  };
  // Prologue: the context where LD_ABS expects it, A = X = 0.
  emit('mov', 'dst_src', { dst: CTX, src: 1 });
  emit('mov32', 'dst_imm', { dst: A, imm: 0 });
  emit('mov32', 'dst_imm', { dst: X, imm: 0 });

  const startIndex: number[] = [];
  insns.forEach((insn, pc) => {
    startIndex.push(out.length);
    translateOne(insn, specs[pc].sem, pc, emit);
  });

  const starts = startIndex;
  const result = out.map((p, i) => {
    if (p.target === undefined) return makeInsn(p.spec, p.fields, i);
    const off = starts[p.target] - (i + 1);
    if (off > 0x7fff) throw new CompileError('CBPF_TRANSLATION', `jump of ${off} instructions does not fit eBPF's 16-bit offset`, i);
    return makeInsn(p.spec, { ...p.fields, off }, i);
  });
  return { insns: result, starts };
}

type Emit = (mnemonic: string, form: Form, fields?: InsnFields, target?: number) => void;

function translateOne(insn: CbpfInsn, sem: CbpfSemantics, pc: number, emit: Emit): void {
  const k = insn.k | 0; // eBPF immediates are s32; 32-bit ops read them back as u32
  switch (sem.kind) {
    case 'ld': return translateLoad(sem, k, emit);
    case 'st':
      emit('stxw', 'store_reg', { dst: FP, src: reg(sem.src), off: scratchOffset(insn.k) });
      return;
    case 'alu': return translateAlu(sem, k, emit);
    case 'ja':
      emit('ja', 'ja_off', {}, pc + 1 + insn.k);
      return;
    case 'jmp': return translateJump(insn, sem, pc, emit);
    case 'ret':
      if (sem.source === 'k') emit('mov32', 'dst_imm', { dst: A, imm: k });
      emit('exit', 'none');
      return;
    case 'tax':
      emit('mov32', 'dst_src', { dst: X, src: A });
      return;
    case 'txa':
      emit('mov32', 'dst_src', { dst: A, src: X });
      return;
  }
}

function translateLoad(sem: Extract<CbpfSemantics, { kind: 'ld' }>, k: number, emit: Emit): void {
  const dst = reg(sem.dst);
  switch (sem.source) {
    case 'abs':
      if (isAncillaryRange(k)) return translateAncillary(k, emit);
      emit(`ldabs${SIZE_SUFFIX[sem.size]}`, 'ld_abs', { imm: k });
      return;
    case 'ind':
      emit(`ldind${SIZE_SUFFIX[sem.size]}`, 'ld_ind', { src: X, imm: k });
      return;
    case 'len':
      emit('ldxw', 'load', { dst, src: CTX, off: SK_BUFF.len });
      return;
    case 'imm':
      emit('mov32', 'dst_imm', { dst, imm: k });
      return;
    case 'mem':
      emit('ldxw', 'load', { dst, src: FP, off: scratchOffset(k) });
      return;
    case 'msh':
      // X = 4 * (P[k] & 0xf); LD_ABS writes r0, so A waits in r8.
      emit('mov', 'dst_src', { dst: TMP, src: A });
      emit('ldabsb', 'ld_abs', { imm: k });
      emit('and32', 'dst_imm', { dst: A, imm: 0xf });
      emit('lsh32', 'dst_imm', { dst: A, imm: 2 });
      emit('mov', 'dst_src', { dst: X, src: A });
      emit('mov', 'dst_src', { dst: A, src: TMP });
      return;
  }
}

function translateAncillary(k: number, emit: Emit): void {
  const anc = ancillaryOf(k);
  if (anc?.field) {
    emit('ldxw', 'load', { dst: A, src: CTX, off: SK_BUFF[anc.field.name] });
    if (anc.field.ntohs) emit('be16', 'dst', { dst: A, imm: 16 });
  } else if (anc?.helper) {
    emit('call', 'call_helper', { imm: HELPER_IDS[anc.helper] });
    emit('mov32', 'dst_src', { dst: A, src: A });
  } else if (anc?.xorX) {
    emit('xor32', 'dst_src', { dst: A, src: X });
  } else {
    // Linux accepts these (netlink attributes, payload offset, device type) but they read
    // kernel state a packet filter here does not have.
    throw new CompileError('CBPF_UNSUPPORTED_ANCILLARY', `ancillary load ${anc ? anc.name : k} is not supported`);
  }
}

function translateAlu(sem: Extract<CbpfSemantics, { kind: 'alu' }>, k: number, emit: Emit): void {
  if (sem.op === 'neg') {
    emit('neg32', 'dst', { dst: A });
    return;
  }
  if (sem.source === 'k') {
    emit(`${sem.op}32`, 'dst_imm', { dst: A, imm: k });
    return;
  }
  if (sem.op === 'div' || sem.op === 'mod') {
    // if (X != 0) skip the early "return 0"
    emit('jne32', 'jmp_imm', { dst: X, imm: 0, off: 2 });
    emit('mov32', 'dst_imm', { dst: A, imm: 0 });
    emit('exit', 'none');
  }
  emit(`${sem.op}32`, 'dst_src', { dst: A, src: X });
}

function translateJump(insn: CbpfInsn, sem: Extract<CbpfSemantics, { kind: 'jmp' }>, pc: number, emit: Emit): void {
  const whenTrue = pc + 1 + insn.jt;
  const whenFalse = pc + 1 + insn.jf;
  const operand = sem.source === 'k' ? { form: 'jmp_imm' as const, fields: { dst: A, imm: insn.k | 0 } }
    : { form: 'jmp_reg' as const, fields: { dst: A, src: X } };
  if (whenTrue === whenFalse) {
    if (insn.jt !== 0) emit('ja', 'ja_off', {}, whenTrue);
    return;
  }
  const inverse = INVERSE[sem.cond];
  if (insn.jt === 0 && inverse) {
    emit(inverse, operand.form, operand.fields, whenFalse);
    return;
  }
  emit(`j${sem.cond}32`, operand.form, operand.fields, whenTrue);
  if (insn.jf !== 0) emit('ja', 'ja_off', {}, whenFalse);
}
