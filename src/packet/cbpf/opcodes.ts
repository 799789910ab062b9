/**
 * The classic BPF (cBPF) instruction set as Linux accepts it for socket filters: one table
 * from which decoding, validation, the translation to eBPF and the listing all read.
 * Codes follow include/uapi/linux/filter.h and bpf_common.h; the mnemonics are those of
 * `tcpdump -d`. Linux accepts exactly these codes (net/core/filter.c, chk_code_allowed):
 * no `ret x`, and MOD/XOR/NEG (Linux extensions) are in.
 */

export type CbpfAluOp = 'add' | 'sub' | 'mul' | 'div' | 'or' | 'and' | 'lsh' | 'rsh' | 'neg' | 'mod' | 'xor';
export type CbpfCond = 'eq' | 'gt' | 'ge' | 'set';
/** Where a load takes its value from. */
export type CbpfLoadSource = 'abs' | 'ind' | 'len' | 'imm' | 'mem' | 'msh';

/** What an instruction does; the validator and the translator switch on `kind`. */
export type CbpfSemantics =
  | { kind: 'ld'; dst: 'A' | 'X'; source: CbpfLoadSource; size: 1 | 2 | 4 }
  | { kind: 'st'; src: 'A' | 'X' }
  | { kind: 'alu'; op: CbpfAluOp; source: 'k' | 'x' }
  | { kind: 'ja' }
  | { kind: 'jmp'; cond: CbpfCond; source: 'k' | 'x' }
  | { kind: 'ret'; source: 'k' | 'a' }
  | { kind: 'tax' }
  | { kind: 'txa' };

export interface CbpfSpec {
  readonly code: number;
  readonly mnemonic: string;
  readonly sem: CbpfSemantics;
}

export const CBPF_CLASS = { LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, RET: 0x06, MISC: 0x07 } as const;
const SIZE = { 4: 0x00, 2: 0x08, 1: 0x10 } as const;
const MODE = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, LEN: 0x80, MSH: 0xa0 } as const;
const SRC_K = 0x00;
const SRC_X = 0x08;
const SIZE_SUFFIX = { 4: '', 2: 'h', 1: 'b' } as const;

/** Scratch memory cells M[0..15] (BPF_MEMWORDS). */
export const CBPF_MEMWORDS = 16;
/** The longest program Linux accepts (BPF_MAXINSNS). */
export const CBPF_MAXINSNS = 4096;

const ALU_OPS: readonly [CbpfAluOp, number][] = [
  ['add', 0x00], ['sub', 0x10], ['mul', 0x20], ['div', 0x30], ['or', 0x40], ['and', 0x50],
  ['lsh', 0x60], ['rsh', 0x70], ['mod', 0x90], ['xor', 0xa0],
];
const JMP_OPS: readonly [CbpfCond, number][] = [['eq', 0x10], ['gt', 0x20], ['ge', 0x30], ['set', 0x40]];

function buildTable(): CbpfSpec[] {
  const t: CbpfSpec[] = [];
  const row = (code: number, mnemonic: string, sem: CbpfSemantics) => t.push({ code, mnemonic, sem });
  for (const size of [4, 2, 1] as const) {
    const s = SIZE_SUFFIX[size];
    row(CBPF_CLASS.LD | SIZE[size] | MODE.ABS, `ld${s}`, { kind: 'ld', dst: 'A', source: 'abs', size });
    row(CBPF_CLASS.LD | SIZE[size] | MODE.IND, `ld${s}`, { kind: 'ld', dst: 'A', source: 'ind', size });
  }
  row(CBPF_CLASS.LD | SIZE[4] | MODE.LEN, 'ld', { kind: 'ld', dst: 'A', source: 'len', size: 4 });
  row(CBPF_CLASS.LD | MODE.IMM, 'ld', { kind: 'ld', dst: 'A', source: 'imm', size: 4 });
  row(CBPF_CLASS.LD | MODE.MEM, 'ld', { kind: 'ld', dst: 'A', source: 'mem', size: 4 });
  row(CBPF_CLASS.LDX | SIZE[4] | MODE.LEN, 'ldx', { kind: 'ld', dst: 'X', source: 'len', size: 4 });
  row(CBPF_CLASS.LDX | MODE.IMM, 'ldx', { kind: 'ld', dst: 'X', source: 'imm', size: 4 });
  row(CBPF_CLASS.LDX | MODE.MEM, 'ldx', { kind: 'ld', dst: 'X', source: 'mem', size: 4 });
  row(CBPF_CLASS.LDX | SIZE[1] | MODE.MSH, 'ldxb', { kind: 'ld', dst: 'X', source: 'msh', size: 1 });
  row(CBPF_CLASS.ST, 'st', { kind: 'st', src: 'A' });
  row(CBPF_CLASS.STX, 'stx', { kind: 'st', src: 'X' });
  for (const [op, code] of ALU_OPS) {
    row(CBPF_CLASS.ALU | code | SRC_K, op, { kind: 'alu', op, source: 'k' });
    row(CBPF_CLASS.ALU | code | SRC_X, op, { kind: 'alu', op, source: 'x' });
  }
  row(CBPF_CLASS.ALU | 0x80, 'neg', { kind: 'alu', op: 'neg', source: 'k' });
  row(CBPF_CLASS.JMP | 0x00, 'ja', { kind: 'ja' });
  for (const [cond, code] of JMP_OPS) {
    row(CBPF_CLASS.JMP | code | SRC_K, `j${cond}`, { kind: 'jmp', cond, source: 'k' });
    row(CBPF_CLASS.JMP | code | SRC_X, `j${cond}`, { kind: 'jmp', cond, source: 'x' });
  }
  row(CBPF_CLASS.RET | 0x00, 'ret', { kind: 'ret', source: 'k' });
  row(CBPF_CLASS.RET | 0x10, 'ret', { kind: 'ret', source: 'a' });
  row(CBPF_CLASS.MISC | 0x00, 'tax', { kind: 'tax' });
  row(CBPF_CLASS.MISC | 0x80, 'txa', { kind: 'txa' });
  return t;
}

/** Every classic instruction Linux accepts, one row each. */
export const CBPF_OPCODES: readonly CbpfSpec[] = Object.freeze(buildTable());

/** Rows by their 16-bit code (one row per code). */
export const CBPF_SPECS: ReadonlyMap<number, CbpfSpec> = new Map(CBPF_OPCODES.map((s) => [s.code, s]));

/**
 * Ancillary loads: `ld [SKF_AD_OFF + n]` (any size) reads a socket buffer field instead of
 * the packet (include/uapi/linux/filter.h). Linux refuses any other load at or above
 * SKF_AD_OFF. `field` names the `__sk_buff` field a translation reads, `helper` the
 * helper it calls; those with neither are kernel internals this library does not run.
 */
export const SKF_AD_OFF = -0x1000;
export interface AncillarySpec {
  readonly name: string;
  readonly offset: number;
  /** The struct __sk_buff field holding the value (u32), and whether the kernel converts it from network order. */
  readonly field?: { readonly name: 'protocol' | 'pkt_type' | 'ifindex' | 'mark' | 'queue_mapping' | 'hash' | 'vlan_tci' | 'vlan_present' | 'vlan_proto'; readonly ntohs: boolean };
  readonly helper?: 'get_prandom_u32' | 'get_smp_processor_id';
  /** SKF_AD_ALU_XOR_X: A ^= X. */
  readonly xorX?: true;
}

export const ANCILLARY: readonly AncillarySpec[] = [
  { name: 'proto', offset: 0, field: { name: 'protocol', ntohs: true } },
  { name: 'type', offset: 4, field: { name: 'pkt_type', ntohs: false } },
  { name: 'ifidx', offset: 8, field: { name: 'ifindex', ntohs: false } },
  { name: 'nla', offset: 12 },
  { name: 'nlan', offset: 16 },
  { name: 'mark', offset: 20, field: { name: 'mark', ntohs: false } },
  { name: 'queue', offset: 24, field: { name: 'queue_mapping', ntohs: false } },
  { name: 'hatype', offset: 28 },
  { name: 'rxhash', offset: 32, field: { name: 'hash', ntohs: false } },
  { name: 'cpu', offset: 36, helper: 'get_smp_processor_id' },
  { name: 'xor_x', offset: 40, xorX: true },
  { name: 'vlan_tci', offset: 44, field: { name: 'vlan_tci', ntohs: false } },
  { name: 'vlan_avail', offset: 48, field: { name: 'vlan_present', ntohs: false } },
  { name: 'poff', offset: 52 },
  { name: 'rand', offset: 56, helper: 'get_prandom_u32' },
  { name: 'vlan_tpid', offset: 60, field: { name: 'vlan_proto', ntohs: true } },
];

/** The ancillary load an LD_ABS's k names, undefined below SKF_AD_OFF or for an unknown one. */
export function ancillaryOf(k: number): AncillarySpec | undefined {
  const n = (k | 0) - SKF_AD_OFF;
  if ((k | 0) < SKF_AD_OFF) return undefined;
  return ANCILLARY.find((a) => a.offset === n);
}

/** Whether k (as the s32 the kernel compares) lies in the ancillary range. */
export function isAncillaryRange(k: number): boolean {
  return (k | 0) >= SKF_AD_OFF && (k | 0) < 0;
}
