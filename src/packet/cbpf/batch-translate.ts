import { HELPER_IDS } from '../../abi/kernel-ids.js';
import { SKF_LL_OFF, SKF_NET_OFF } from '../../abi/program-types.js';
import type { Insn } from '../../decode/insn.js';
import { A, DROP, translateBody, X, type PacketAccess } from './body.js';
import { EbpfBuilder } from './builder.js';
import type { CbpfInsn } from './insn.js';
import type { CbpfSpec } from './opcodes.js';

/**
 * A classic filter as one `raw` eBPF program that filters a whole batch of packets in one
 * run: the loop is in the program, so a batch costs one call into the engine, and each
 * packet is read where it lies in the input area (no copy per packet). The batch, at the
 * input (r1), laid out by src/packet/batch/layout.ts:
 *
 *   +0                 u32 count, u32 bias
 *   +8                 count x { u32 offset, u32 length }: at input + (u32)(offset + bias)
 *   +8 + 8 count       count x u32 verdict, written by the program
 *
 * r0 at exit is the number of packets whose verdict is not 0.
 *
 * Each packet gets the semantics of translate.ts's sched_cls run (body.ts for the rules),
 * with packet bytes read through r9 (its start) and bounded by r8 (its length):
 *   - a load at a constant offset checks `o + size <= len` and drops the packet if not;
 *     LD_IND computes (s32)(X + k) and maps SKF_NET_OFF/SKF_LL_OFF offsets at run time;
 *     the network header is 14 bytes in, as in a test run;
 *   - `ld #len` is the packet's length; ancillary loads give what a test run's skb holds,
 *     computed from the frame: protocol from the EtherType (802.3 lengths as
 *     ETH_P_802_2/ETH_P_802_3, as eth_type_trans), pkt_type from the destination MAC,
 *     ifindex 1 (loopback), mark/queue/hash/vlan 0; cpu and random call their helpers;
 *   - unlike a one-packet run, frames under 14 bytes (or IP frames without their header)
 *     are filtered rather than refused: loads past their end drop them, and their
 *     protocol and pkt_type read as 0.
 * Registers: A = r0, X = r7, r6 the batch, r9/r8 the packet, r1-r5 scratch within one
 * classic instruction; the loop's index, count and matches live on the stack below M[].
 */
const BATCH = 6;
const LEN = 8;
const PKT = 9;
const COUNT_SLOT = -72;
const INDEX_SLOT = -80;
const MATCHES_SLOT = -88;
const STORE = 'store';
const NEXT = 'next';
const DONE = 'done';
export const ETH_HLEN = 14;
const SIZE_SUFFIX = { 1: 'b', 2: 'h', 4: 'w' } as const;
export const S32_MAX = 0x7fffffff;

/** The frame offset a constant LD_ABS offset reads (legacyLoadOffset for sched_cls), undefined if none. */
export function frameOffset(k: number): number | undefined {
  if (k >= 0) return k;
  if (k >= SKF_NET_OFF) return ETH_HLEN + (k - SKF_NET_OFF);
  if (k >= SKF_LL_OFF) return k - SKF_LL_OFF;
  return undefined;
}

/** dst = the `size` bytes at PKT + o (o a checked constant), converted from network order. */
function loadAt(b: EbpfBuilder, dst: number, size: 1 | 2 | 4, o: number): void {
  if (o <= 0x7fff) {
    b.emit(`ldx${SIZE_SUFFIX[size]}`, 'load', { dst, src: PKT, off: o });
  } else {
    b.emit('mov', 'dst_src', { dst: 1, src: PKT });
    b.emit('add', 'dst_imm', { dst: 1, imm: o });
    b.emit(`ldx${SIZE_SUFFIX[size]}`, 'load', { dst, src: 1, off: 0 });
  }
  if (size !== 1) b.emit(`be${size * 8}`, 'dst', { dst });
}

/** Drop unless the packet holds bytes [o, o + size): `if len < o + size goto drop`. */
function checkConstant(b: EbpfBuilder, size: number, k: number): number | undefined {
  const o = frameOffset(k);
  if (o === undefined || o + size > S32_MAX) {
    b.emit('ja', 'ja_off', {}, { label: DROP });
    return undefined;
  }
  b.emit('jlt', 'jmp_imm', { dst: LEN, imm: o + size }, { label: DROP });
  return o;
}

const BATCH_ACCESS: PacketAccess = {
  loadAbs(b, size, k) {
    const o = checkConstant(b, size, k);
    if (o !== undefined) loadAt(b, A, size, o);
  },
  loadInd(b, size, k) {
    const ok = b.freshLabel('ind');
    const ll = b.freshLabel('ind.ll');
    // r1 = (u32)(X + k); negative as an s32: a header-relative offset, or nothing.
    b.emit('mov32', 'dst_src', { dst: 1, src: X });
    b.emit('add32', 'dst_imm', { dst: 1, imm: k });
    b.emit('jsge32', 'jmp_imm', { dst: 1, imm: 0 }, { label: ok });
    b.emit('jslt32', 'jmp_imm', { dst: 1, imm: SKF_LL_OFF }, { label: DROP });
    b.emit('jslt32', 'jmp_imm', { dst: 1, imm: SKF_NET_OFF }, { label: ll });
    b.emit('add32', 'dst_imm', { dst: 1, imm: ETH_HLEN - SKF_NET_OFF });
    b.emit('ja', 'ja_off', {}, { label: ok });
    b.label(ll);
    b.emit('add32', 'dst_imm', { dst: 1, imm: -SKF_LL_OFF });
    b.label(ok);
    // r1 is a u32 offset now: drop unless r1 + size <= len (64-bit, no overflow).
    b.emit('mov', 'dst_src', { dst: 2, src: 1 });
    b.emit('add', 'dst_imm', { dst: 2, imm: size });
    b.emit('jgt', 'jmp_reg', { dst: 2, src: LEN }, { label: DROP });
    b.emit('add', 'dst_src', { dst: 1, src: PKT });
    b.emit(`ldx${SIZE_SUFFIX[size]}`, 'load', { dst: A, src: 1, off: 0 });
    if (size !== 1) b.emit(`be${size * 8}`, 'dst', { dst: A });
  },
  loadMsh(b, k) {
    const o = checkConstant(b, 1, k);
    if (o === undefined) return;
    loadAt(b, X, 1, o);
    b.emit('and32', 'dst_imm', { dst: X, imm: 0xf });
    b.emit('lsh32', 'dst_imm', { dst: X, imm: 2 });
  },
  loadLength: (b, dst) => b.emit('mov32', 'dst_src', { dst, src: LEN }),
  loadAncillary(b, anc) {
    const end = b.freshLabel('anc');
    if (anc.helper) {
      b.emit('call', 'call_helper', { imm: HELPER_IDS[anc.helper] });
      b.emit('mov32', 'dst_src', { dst: A, src: A });
      return;
    }
    b.emit('mov32', 'dst_imm', { dst: A, imm: 0 });
    switch (anc.field?.name) {
      case 'protocol':
        // eth_type_trans: the EtherType, or for an 802.3 length ETH_P_802_3 (raw IPX, 0xffff next) else ETH_P_802_2.
        b.emit('jlt', 'jmp_imm', { dst: LEN, imm: ETH_HLEN }, { label: end });
        loadAt(b, A, 2, 12);
        b.emit('jge', 'jmp_imm', { dst: A, imm: 0x600 }, { label: end });
        b.emit('mov32', 'dst_imm', { dst: A, imm: 4 });
        b.emit('jlt', 'jmp_imm', { dst: LEN, imm: ETH_HLEN + 2 }, { label: end });
        b.emit('ldxh', 'load', { dst: 1, src: PKT, off: ETH_HLEN });
        b.emit('jne', 'jmp_imm', { dst: 1, imm: 0xffff }, { label: end });
        b.emit('mov32', 'dst_imm', { dst: A, imm: 1 });
        break;
      case 'pkt_type':
        // PACKET_HOST (0) for loopback's all-zero address, PACKET_MULTICAST (2) for a group bit, else PACKET_OTHERHOST (3).
        b.emit('jlt', 'jmp_imm', { dst: LEN, imm: ETH_HLEN }, { label: end });
        b.emit('ldxw', 'load', { dst: 1, src: PKT, off: 0 });
        b.emit('ldxh', 'load', { dst: 2, src: PKT, off: 4 });
        b.emit('or', 'dst_src', { dst: 1, src: 2 });
        b.emit('jeq', 'jmp_imm', { dst: 1, imm: 0 }, { label: end });
        b.emit('mov32', 'dst_imm', { dst: A, imm: 2 });
        b.emit('ldxb', 'load', { dst: 1, src: PKT, off: 0 });
        b.emit('jset', 'jmp_imm', { dst: 1, imm: 1 }, { label: end });
        b.emit('mov32', 'dst_imm', { dst: A, imm: 3 });
        break;
      case 'ifindex':
        b.emit('mov32', 'dst_imm', { dst: A, imm: 1 });
        break;
      default:
        break; // mark, queue_mapping, hash, vlan_*: 0 in a test run's skb
    }
    b.label(end);
  },
  ret: (b) => b.emit('ja', 'ja_off', {}, { label: STORE }),
};

export function translateCbpfBatch(insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): Insn[] {
  const b = new EbpfBuilder();
  const slot = (off: number) => ({ src: 10, off });
  b.emit('mov', 'dst_src', { dst: BATCH, src: 1 });
  b.emit('ldxw', 'load', { dst: 1, src: BATCH, off: 0 });
  b.emit('stxdw', 'store_reg', { dst: 10, src: 1, off: COUNT_SLOT });
  b.emit('mov', 'dst_imm', { dst: 1, imm: 0 });
  b.emit('stxdw', 'store_reg', { dst: 10, src: 1, off: INDEX_SLOT });
  b.emit('stxdw', 'store_reg', { dst: 10, src: 1, off: MATCHES_SLOT });

  // next: if (i >= count) goto done; r9 = batch + (u32)(desc[i].offset + bias); r8 = desc[i].length; A = X = 0
  b.label(NEXT);
  b.emit('ldxdw', 'load', { dst: 1, ...slot(INDEX_SLOT) });
  b.emit('ldxdw', 'load', { dst: 2, ...slot(COUNT_SLOT) });
  b.emit('jge', 'jmp_reg', { dst: 1, src: 2 }, { label: DONE });
  b.emit('lsh', 'dst_imm', { dst: 1, imm: 3 });
  b.emit('add', 'dst_src', { dst: 1, src: BATCH });
  b.emit('ldxw', 'load', { dst: PKT, src: 1, off: 8 });
  b.emit('ldxw', 'load', { dst: 2, src: BATCH, off: 4 });
  b.emit('add32', 'dst_src', { dst: PKT, src: 2 });
  b.emit('add', 'dst_src', { dst: PKT, src: BATCH });
  b.emit('ldxw', 'load', { dst: LEN, src: 1, off: 12 });
  b.emit('mov32', 'dst_imm', { dst: A, imm: 0 });
  b.emit('mov32', 'dst_imm', { dst: X, imm: 0 });

  translateBody(b, insns, specs, BATCH_ACCESS);

  // drop: A = 0; store: verdict[i] = A; i++; if (A) matches++; goto next
  b.label(DROP);
  b.emit('mov32', 'dst_imm', { dst: A, imm: 0 });
  b.label(STORE);
  b.emit('ldxdw', 'load', { dst: 1, ...slot(INDEX_SLOT) });
  b.emit('ldxdw', 'load', { dst: 2, ...slot(COUNT_SLOT) });
  b.emit('lsh', 'dst_imm', { dst: 2, imm: 3 });
  b.emit('add', 'dst_src', { dst: 2, src: BATCH });
  b.emit('mov', 'dst_src', { dst: 3, src: 1 });
  b.emit('lsh', 'dst_imm', { dst: 3, imm: 2 });
  b.emit('add', 'dst_src', { dst: 2, src: 3 });
  b.emit('stxw', 'store_reg', { dst: 2, src: A, off: 8 });
  b.emit('add', 'dst_imm', { dst: 1, imm: 1 });
  b.emit('stxdw', 'store_reg', { dst: 10, src: 1, off: INDEX_SLOT });
  b.emit('jeq', 'jmp_imm', { dst: A, imm: 0 }, { label: NEXT });
  b.emit('ldxdw', 'load', { dst: 1, ...slot(MATCHES_SLOT) });
  b.emit('add', 'dst_imm', { dst: 1, imm: 1 });
  b.emit('stxdw', 'store_reg', { dst: 10, src: 1, off: MATCHES_SLOT });
  b.emit('ja', 'ja_off', {}, { label: NEXT });

  b.label(DONE);
  b.emit('ldxdw', 'load', { dst: A, ...slot(MATCHES_SLOT) });
  b.emit('exit', 'none');
  return b.finish();
}
