import { SK_BUFF } from '../../abi/program-types.js';
import { HELPER_IDS } from '../../abi/kernel-ids.js';
import type { Insn } from '../../decode/insn.js';
import { A, DROP, translateBody, X, type PacketAccess } from './body.js';
import { EbpfBuilder } from './builder.js';
import type { CbpfInsn } from './insn.js';
import type { CbpfSpec } from './opcodes.js';

/**
 * Classic BPF to eBPF with the kernel's semantics (net/core/filter.c, bpf_convert_filter),
 * for a program whose r1 is a `struct __sk_buff` with the packet's first byte at LD_ABS
 * offset 0 (sched_cls: the Ethernet header, where tcpdump's filters start). body.ts has
 * the registers and the rules; here the packet side, as the kernel converts it:
 *   - the context in r6 (LD_ABS's implicit skb), a temporary r8; A = X = 0 first;
 *   - `ld [k]`, `ld [x + k]`: eBPF LD_ABS/LD_IND, network order; a load past the packet's
 *     end ends the program with r0 = 0, the filter's "drop";
 *   - `ldxb 4*([k]&0xf)` (MSH): A is saved in r8 around the byte load into r0;
 *   - `ld #len`: skb->len; ancillary loads read their __sk_buff field (ntohs where the
 *     kernel converts) or call their helper;
 *   - `ret`: exit with A.
 * The input must have passed validateCbpf (its table rows are `specs`).
 */
export interface CbpfTranslation {
  readonly insns: Insn[];
  /** The eBPF pc where each classic instruction's code starts. */
  readonly starts: readonly number[];
}

const CTX = 6;
const TMP = 8;
const SIZE_SUFFIX = { 1: 'b', 2: 'h', 4: 'w' } as const;

const SKB_ACCESS: PacketAccess = {
  loadAbs: (b, size, k) => b.emit(`ldabs${SIZE_SUFFIX[size]}`, 'ld_abs', { imm: k }),
  loadInd: (b, size, k) => b.emit(`ldind${SIZE_SUFFIX[size]}`, 'ld_ind', { src: X, imm: k }),
  loadMsh(b, k) {
    // X = 4 * (P[k] & 0xf); LD_ABS writes r0, so A waits in r8.
    b.emit('mov', 'dst_src', { dst: TMP, src: A });
    b.emit('ldabsb', 'ld_abs', { imm: k });
    b.emit('and32', 'dst_imm', { dst: A, imm: 0xf });
    b.emit('lsh32', 'dst_imm', { dst: A, imm: 2 });
    b.emit('mov', 'dst_src', { dst: X, src: A });
    b.emit('mov', 'dst_src', { dst: A, src: TMP });
  },
  loadLength: (b, dst) => b.emit('ldxw', 'load', { dst, src: CTX, off: SK_BUFF.len }),
  loadAncillary(b, anc) {
    if (anc.field) {
      b.emit('ldxw', 'load', { dst: A, src: CTX, off: SK_BUFF[anc.field.name] });
      if (anc.field.ntohs) b.emit('be16', 'dst', { dst: A });
    } else if (anc.helper) {
      b.emit('call', 'call_helper', { imm: HELPER_IDS[anc.helper] });
      b.emit('mov32', 'dst_src', { dst: A, src: A });
    }
  },
  ret: (b) => b.emit('exit', 'none'),
};

export function translateCbpf(insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): CbpfTranslation {
  const b = new EbpfBuilder();
  b.emit('mov', 'dst_src', { dst: CTX, src: 1 });
  b.emit('mov32', 'dst_imm', { dst: A, imm: 0 });
  b.emit('mov32', 'dst_imm', { dst: X, imm: 0 });
  translateBody(b, insns, specs, SKB_ACCESS);
  if (b.isJumpedTo(DROP)) {
    // Division by X = 0 jumps here (the validator made sure the body ends in a ret).
    b.label(DROP);
    b.emit('mov32', 'dst_imm', { dst: A, imm: 0 });
    b.emit('exit', 'none');
  }
  return { insns: b.finish(), starts: b.starts };
}
