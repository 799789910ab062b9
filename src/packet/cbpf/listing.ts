import { checkCbpfInsns, type CbpfInsn } from './insn.js';
import { CBPF_SPECS } from './opcodes.js';

/**
 * A classic program as `tcpdump -d` prints it (libpcap's bpf_image): `(pc) mnemonic
 * operand`, jumps with absolute `jt`/`jf` targets, so listings can be compared with
 * tcpdump's by eye or by diff.
 */
export function formatCbpfListing(insns: readonly CbpfInsn[]): string {
  return checkCbpfInsns('formatCbpfListing(insns)', insns).map((insn, pc) => `${formatCbpfInsn(insn, pc)}\n`).join('');
}

const hex = (k: number) => `#0x${k.toString(16)}`;

export function formatCbpfInsn(insn: CbpfInsn, pc: number): string {
  const spec = CBPF_SPECS.get(insn.code);
  const head = `(${String(pc).padStart(3, '0')})`;
  if (!spec) return `${head} unimp    0x${insn.code.toString(16)}`;
  const { sem } = spec;
  const k = insn.k;
  let operand: string;
  switch (sem.kind) {
    case 'ld':
      operand = { abs: `[${k}]`, ind: `[x + ${k}]`, len: '#pktlen', imm: hex(k), mem: `M[${k}]`, msh: `4*([${k}]&0xf)` }[sem.source];
      break;
    case 'st': operand = `M[${k}]`; break;
    case 'alu':
      // libpcap prints the bitwise operations' constants in hex, the arithmetic ones in decimal.
      operand = sem.op === 'neg' ? '' : sem.source === 'x' ? 'x' : ['and', 'or', 'xor'].includes(sem.op) ? hex(k) : `#${k}`;
      break;
    case 'ja': operand = `${pc + 1 + k}`; break;
    case 'jmp':
      return `${head} ${spec.mnemonic.padEnd(8)} ${(sem.source === 'x' ? 'x' : hex(k)).padEnd(16)} jt ${pc + 1 + insn.jt}\tjf ${pc + 1 + insn.jf}`;
    case 'ret': operand = sem.source === 'a' ? 'a' : `#${k}`; break;
    case 'tax': case 'txa': operand = ''; break;
  }
  return `${head} ${spec.mnemonic.padEnd(8)} ${operand}`;
}
