/**
 * Hand-written classic programs, each pinning one rule of the kernel's cBPF semantics, with
 * the verdict they must give on `frame` (an IPv4/UDP frame to a multicast MAC). Used by the
 * one-packet (cbpf-translate) and batch (packet-batch) tests.
 */
import { cbpfInsn, type CbpfInsn } from '../../src/index.js';

// Codes spelled out (filter.h), independent of the table under test.
export const C = {
  LD_W: 0x20, LD_H: 0x28, LD_B: 0x30, LD_IND_W: 0x40, LD_IND_H: 0x48, LD_IND_B: 0x50, LD_LEN: 0x80, LD_IMM: 0x00,
  LD_MEM: 0x60, LDX_IMM: 0x01, LDX_MEM: 0x61, LDX_LEN: 0x81, LDX_MSH: 0xb1, ST: 0x02, STX: 0x03,
  ADD_K: 0x04, SUB_K: 0x14, MUL_K: 0x24, DIV_K: 0x34, DIV_X: 0x3c, MOD_K: 0x94, MOD_X: 0x9c, NEG: 0x84,
  LSH_X: 0x6c, RSH_K: 0x74, XOR_K: 0xa4, AND_X: 0x5c, OR_K: 0x44,
  JA: 0x05, JEQ_K: 0x15, JGT_K: 0x25, JGE_K: 0x35, JSET_K: 0x45, JGT_X: 0x2d, RET_K: 0x06, RET_A: 0x16, TAX: 0x07, TXA: 0x87,
} as const;
export const I = cbpfInsn;
export const SKF_AD_OFF = 0xfffff000;
export const SKF_NET_OFF = 0xfff00000;
export const SKF_LL_OFF = 0xffe00000;

/** An IPv4/UDP frame: 14 + 20 + 8 + 4 bytes, dst MAC multicast. */
export const frame = Uint8Array.from([
  0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
  0x46, 0, 0, 32, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 224, 0, 0, 251,
  0x13, 0x88, 0x00, 0x35, 0, 12, 0, 0, 0xde, 0xad, 0xbe, 0xef,
]);

export const cases: [string, CbpfInsn[], number, Uint8Array?][] = [
  ['ret #k is the accepted length, a u32', [I(C.RET_K, 0, 0, 0xffffffff)], 0xffffffff],
  ['ld [k] reads network order', [I(C.LD_W, 0, 0, 42), I(C.RET_A)], 0xdeadbeef],
  ['ldh and ldb', [I(C.LD_H, 0, 0, 12), I(C.TAX), I(C.LD_B, 0, 0, 23), I(C.ADD_K, 0, 0, 0), I(C.TXA), I(C.RET_A)], 0x0800],
  ['a load past the end returns 0, whatever came before', [I(C.LD_W, 0, 0, 43), I(C.RET_K, 0, 0, 7)], 0],
  ['a load ending exactly at the end works', [I(C.LD_B, 0, 0, 45), I(C.RET_A)], 0xef],
  ['ld [x + k]', [I(C.LDX_IMM, 0, 0, 40), I(C.LD_IND_H, 0, 0, 2), I(C.RET_A)], 0xdead],
  ['ld [x + k] past the end returns 0', [I(C.LDX_IMM, 0, 0, 44), I(C.LD_IND_W, 0, 0, 0), I(C.RET_K, 0, 0, 9)], 0],
  ['ld [x + k] with a wrapping sum reads below the packet: 0', [I(C.LDX_IMM, 0, 0, 0xfffffff0), I(C.LD_IND_B, 0, 0, 4), I(C.RET_K, 0, 0, 9)], 0],
  ['ldxb 4*([k]&0xf) keeps A', [I(C.LD_IMM, 0, 0, 77), I(C.LDX_MSH, 0, 0, 14), I(C.TXA), I(C.ADD_K, 0, 0, 0), I(C.RET_A)], 24],
  ['ldxb 4*([k]&0xf) leaves A alone', [I(C.LD_IMM, 0, 0, 77), I(C.LDX_MSH, 0, 0, 14), I(C.RET_A)], 77],
  ['ldxb past the end returns 0', [I(C.LDX_MSH, 0, 0, 46), I(C.RET_K, 0, 0, 1)], 0],
  ['ld #len and ldx #len', [I(C.LD_LEN), I(C.LDX_LEN), I(C.ADD_K, 0, 0, 1), I(C.RET_A)], 47],
  ['M[] round trip', [I(C.LD_IMM, 0, 0, 5), I(C.ST, 0, 0, 15), I(C.LDX_IMM, 0, 0, 6), I(C.STX, 0, 0, 0),
    I(C.LD_MEM, 0, 0, 0), I(C.LDX_MEM, 0, 0, 15), I(C.MUL_K, 0, 0, 10), I(C.RET_A)], 60],
  ['sub wraps to a u32', [I(C.LD_IMM, 0, 0, 1), I(C.SUB_K, 0, 0, 2), I(C.RET_A)], 0xffffffff],
  ['neg', [I(C.LD_IMM, 0, 0, 1), I(C.NEG), I(C.RET_A)], 0xffffffff],
  ['div by k is unsigned for k >= 2^31', [I(C.LD_IMM, 0, 0, 0xffffffff), I(C.DIV_K, 0, 0, 0x80000000), I(C.RET_A)], 1],
  ['mod by k', [I(C.LD_IMM, 0, 0, 100), I(C.MOD_K, 0, 0, 7), I(C.RET_A)], 2],
  ['div by X = 0 returns 0', [I(C.LD_IMM, 0, 0, 100), I(C.DIV_X), I(C.RET_K, 0, 0, 5)], 0],
  ['mod by X = 0 returns 0', [I(C.LD_IMM, 0, 0, 100), I(C.MOD_X), I(C.RET_K, 0, 0, 5)], 0],
  ['div by X', [I(C.LDX_IMM, 0, 0, 7), I(C.LD_IMM, 0, 0, 100), I(C.DIV_X), I(C.RET_A)], 14],
  ['shift by X masks the count (the kernel\'s eBPF)', [I(C.LDX_IMM, 0, 0, 33), I(C.LD_IMM, 0, 0, 1), I(C.LSH_X), I(C.RET_A)], 2],
  ['rsh, xor, or, and', [I(C.LD_IMM, 0, 0, 0xf0), I(C.RSH_K, 0, 0, 4), I(C.XOR_K, 0, 0, 0xff), I(C.OR_K, 0, 0, 0x100),
    I(C.LDX_IMM, 0, 0, 0x1f3), I(C.AND_X), I(C.RET_A)], 0x1f0],
  ['jeq with both targets', [I(C.LD_H, 0, 0, 12), I(C.JEQ_K, 1, 2, 0x800), I(C.RET_K, 0, 0, 0), I(C.RET_K, 0, 0, 1), I(C.RET_K, 0, 0, 2)], 1],
  ['jeq false edge', [I(C.LD_H, 0, 0, 12), I(C.JEQ_K, 1, 2, 0x86dd), I(C.RET_K, 0, 0, 0), I(C.RET_K, 0, 0, 1), I(C.RET_K, 0, 0, 2)], 2],
  ['jgt with only jf (inverted)', [I(C.LD_IMM, 0, 0, 5), I(C.JGT_K, 0, 1, 4), I(C.RET_K, 0, 0, 1), I(C.RET_K, 0, 0, 2)], 1],
  ['jgt with only jf, A = k: false', [I(C.LD_IMM, 0, 0, 4), I(C.JGT_K, 0, 1, 4), I(C.RET_K, 0, 0, 1), I(C.RET_K, 0, 0, 2)], 2],
  ['jge with only jf, A = k: true', [I(C.LD_IMM, 0, 0, 4), I(C.JGE_K, 0, 1, 4), I(C.RET_K, 0, 0, 1), I(C.RET_K, 0, 0, 2)], 1],
  ['jeq with only jf, A != k', [I(C.LD_IMM, 0, 0, 4), I(C.JEQ_K, 0, 1, 5), I(C.RET_K, 0, 0, 1), I(C.RET_K, 0, 0, 2)], 2],
  ['jge compares unsigned for k >= 2^31', [I(C.LD_IMM, 0, 0, 0x80000000), I(C.JGE_K, 0, 1, 0x80000000), I(C.RET_K, 0, 0, 1), I(C.RET_K, 0, 0, 2)], 1],
  ['jgt with k >= 2^31 is false for small A', [I(C.LD_IMM, 0, 0, 5), I(C.JGT_K, 0, 1, 0xfffffffe), I(C.RET_K, 0, 0, 1), I(C.RET_K, 0, 0, 2)], 2],
  ['jset with only jf (no inverse in eBPF)', [I(C.LD_IMM, 0, 0, 6), I(C.JSET_K, 0, 1, 1), I(C.RET_K, 0, 0, 1), I(C.RET_K, 0, 0, 2)], 2],
  ['jgt x', [I(C.LDX_IMM, 0, 0, 3), I(C.LD_IMM, 0, 0, 4), I(C.JGT_X, 1, 0), I(C.RET_K, 0, 0, 1), I(C.RET_K, 0, 0, 2)], 2],
  ['jt = jf: always the same place', [I(C.JEQ_K, 1, 1, 0), I(C.RET_K, 0, 0, 1), I(C.RET_K, 0, 0, 2)], 2],
  ['ja', [I(C.JA, 0, 0, 1), I(C.RET_K, 0, 0, 1), I(C.RET_K, 0, 0, 2)], 2],
  ['SKF_NET_OFF reads after the Ethernet header', [I(C.LD_B, 0, 0, SKF_NET_OFF + 9), I(C.RET_A)], 17],
  ['SKF_NET_OFF through X', [I(C.LDX_IMM, 0, 0, SKF_NET_OFF), I(C.LD_IND_B, 0, 0, 9), I(C.RET_A)], 17],
  ['SKF_LL_OFF through X', [I(C.LDX_IMM, 0, 0, 12), I(C.LD_IND_H, 0, 0, SKF_LL_OFF), I(C.RET_A)], 0x0800],
  ['SKF_LL_OFF reads from the frame start', [I(C.LD_H, 0, 0, SKF_LL_OFF + 12), I(C.RET_A)], 0x0800],
  ['below SKF_LL_OFF nothing: 0', [I(C.LD_B, 0, 0, 0x80000000), I(C.RET_K, 0, 0, 1)], 0],
  ['ancillary protocol, host order', [I(C.LD_H, 0, 0, SKF_AD_OFF + 0), I(C.RET_A)], 0x0800],
  ['ancillary pkttype: multicast', [I(C.LD_B, 0, 0, SKF_AD_OFF + 4), I(C.RET_A)], 2],
  ['ancillary ifindex: loopback', [I(C.LD_W, 0, 0, SKF_AD_OFF + 8), I(C.RET_A)], 1],
  ['ancillary vlan_avail: none', [I(C.LD_W, 0, 0, SKF_AD_OFF + 48), I(C.RET_A)], 0],
  ['ancillary A ^= X', [I(C.LDX_IMM, 0, 0, 0xff), I(C.LD_IMM, 0, 0, 0x0f), I(C.LD_W, 0, 0, SKF_AD_OFF + 40), I(C.RET_A)], 0xf0],
  ['tax / txa', [I(C.LD_IMM, 0, 0, 9), I(C.TAX), I(C.LD_IMM, 0, 0, 1), I(C.TXA), I(C.RET_A)], 9],
  ['A and X start at 0', [I(C.TXA), I(C.ADD_K, 0, 0, 0), I(C.RET_A)], 0],
];

