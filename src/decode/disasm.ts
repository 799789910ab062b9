/**
 * Disassembler: instructions back to the assembler's syntax, printed from the table row's
 * `mnemonic` and `form` (no opcode list here). The default output reassembles to the same
 * bytes; `labels: true` names jump targets (`L7:` for slot 7) for reading.
 */

import { checkOptions } from '../arguments.js';
import { checkInsns, encode } from './encode.js';
import { branchTarget, lddwValue, type Insn } from './insn.js';

export interface DisasmOptions {
  /** Print `L<pc>` labels at jump/call targets instead of relative offsets (still reassembles). */
  labels?: boolean;
}

/** Small values in decimal, large ones as the hex bit pattern of the 32-bit field. */
function formatImm(value: number): string {
  return value > -0x10000 && value < 0x10000 ? String(value) : '0x' + (value >>> 0).toString(16);
}

function formatImm64(bits: bigint): string {
  const signed = BigInt.asIntN(64, bits);
  return signed > -0x10000n && signed < 0x10000n ? String(signed) : '0x' + bits.toString(16);
}

function signed(n: number): string {
  return n < 0 ? String(n) : `+${n}`;
}

function reg(n: number): string {
  return `%r${n}`;
}

function mem(base: number, off: number): string {
  return off === 0 ? `[${reg(base)}]` : `[${reg(base)}${signed(off)}]`;
}

/** Maps a branch target slot to its label; undefined means print the relative offset. */
type LabelOf = (target: number) => string | undefined;

function lddwOperand(insn: Insn, target: (offset: number) => string): string {
  const sem = insn.spec.sem;
  if (sem.kind !== 'lddw' || sem.pseudo === 'imm64') return formatImm64(lddwValue(insn));
  const first = sem.pseudo === 'func' ? target(insn.imm) : formatImm(insn.imm);
  // map_value/map_idx_value always carry a second value; the others only when it is set.
  const withSecond = sem.pseudo === 'map_value' || sem.pseudo === 'map_idx_value' || insn.imm2 !== 0;
  return `${sem.pseudo}(${withSecond ? `${first}, ${formatImm(insn.imm2)}` : first})`;
}

function format(insn: Insn, labelOf: LabelOf): string {
  const m = insn.spec.mnemonic;
  const target = (offset: number) => labelOf(insn.pc + 1 + offset) ?? signed(offset);
  switch (insn.spec.form) {
    case 'dst_src': return `${m} ${reg(insn.dst)}, ${reg(insn.src)}`;
    case 'dst_imm': return `${m} ${reg(insn.dst)}, ${formatImm(insn.imm)}`;
    case 'dst': return `${m} ${reg(insn.dst)}`;
    case 'jmp_reg': return `${m} ${reg(insn.dst)}, ${reg(insn.src)}, ${target(insn.off)}`;
    case 'jmp_imm': return `${m} ${reg(insn.dst)}, ${formatImm(insn.imm)}, ${target(insn.off)}`;
    case 'ja_off': return `${m} ${target(insn.off)}`;
    case 'ja_imm': return `${m} ${target(insn.imm)}`;
    case 'call_helper': return `${m} ${formatImm(insn.imm)}`;
    case 'call_local': return `${m} local ${target(insn.imm)}`;
    case 'call_reg': return `${m} ${reg(insn.dst)}`;
    case 'none': return m;
    case 'lddw': return `${m} ${reg(insn.dst)}, ${lddwOperand(insn, target)}`;
    case 'load': return `${m} ${reg(insn.dst)}, ${mem(insn.src, insn.off)}`;
    case 'store_imm': return `${m} ${mem(insn.dst, insn.off)}, ${formatImm(insn.imm)}`;
    case 'store_reg': return `${m} ${mem(insn.dst, insn.off)}, ${reg(insn.src)}`;
    case 'ld_abs': return `${m} ${formatImm(insn.imm)}`;
    case 'ld_ind': return `${m} ${reg(insn.src)}, ${formatImm(insn.imm)}`;
  }
}

const noLabels: LabelOf = () => undefined;

/** One instruction as assembler text; jumps print relative offsets (`+3`, `-2`). */
export function formatInsn(insn: Insn): string {
  return format(insn, noLabels);
}

/** Slot targets of jumps, local calls and `lddw func(...)`, in this instruction. */
function branchTargetOf(insn: Insn): number | undefined {
  const sem = insn.spec.sem;
  if (sem.kind === 'jmp' || sem.kind === 'ja' || sem.kind === 'may_goto' || (sem.kind === 'call' && sem.target === 'local')) return branchTarget(insn);
  if (sem.kind === 'lddw' && sem.pseudo === 'func') return insn.pc + 1 + insn.imm;
  return undefined;
}

/**
 * Labels `L<pc>` for every branch target that starts an instruction (or is the end of the
 * program); targets elsewhere keep their numeric offset so the text still reassembles.
 */
function labelTargets(insns: readonly Insn[]): Map<number, string> {
  const starts = new Set(insns.map((i) => i.pc));
  const last = insns[insns.length - 1];
  if (last) starts.add(last.pc + last.spec.slots);
  const targets = insns.map(branchTargetOf).filter((t): t is number => t !== undefined && starts.has(t));
  return new Map([...new Set(targets)].sort((a, b) => a - b).map((t) => [t, `L${t}`]));
}

interface Line {
  /** Absent on label lines. */
  insn?: Insn;
  text: string;
}

/** Shared by `disassemble` and `listing`: label lines interleaved with instruction lines. */
function lines(insns: readonly Insn[], options: DisasmOptions): Line[] {
  const labels = options.labels ? labelTargets(insns) : new Map<number, string>();
  const labelOf: LabelOf = (t) => labels.get(t);
  const out: Line[] = [];
  for (const insn of insns) {
    const label = labels.get(insn.pc);
    if (label) out.push({ text: `${label}:` });
    out.push({ insn, text: format(insn, labelOf) });
  }
  const last = insns[insns.length - 1];
  const endLabel = last && labels.get(last.pc + last.spec.slots);
  if (endLabel) out.push({ text: `${endLabel}:` });
  return out;
}

/** The program as assembler text, one instruction per line (newline-terminated). */
export function disassemble(insns: readonly Insn[], options: DisasmOptions = {}): string {
  checkInsns('disassemble(insns)', insns);
  return lines(insns, checkOptions('disassemble()', options)).map((l) => l.text + '\n').join('');
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * A listing in the style of `llvm-objdump -d`: slot index, the raw bytes of the slot in
 * hex, then the text. lddw takes two lines, the second showing its second slot.
 *
 *    0:	b7 01 00 00 05 00 00 00	mov %r1, 5
 */
export function listing(insns: readonly Insn[], options: DisasmOptions = {}): string {
  checkInsns('listing(insns)', insns);
  checkOptions('listing()', options);
  const last = insns[insns.length - 1];
  const width = Math.max(4, String(last ? last.pc + last.spec.slots - 1 : 0).length);
  const pcColumn = (pc: number) => `${String(pc).padStart(width)}:`;
  return lines(insns, options).map((l) => {
    if (!l.insn) return `${l.text}\n`;
    const bytes = encode([l.insn]);
    const first = `${pcColumn(l.insn.pc)}\t${hexBytes(bytes.subarray(0, 8))}\t${l.text}\n`;
    return l.insn.spec.slots === 1 ? first : first + `${pcColumn(l.insn.pc + 1)}\t${hexBytes(bytes.subarray(8))}\n`;
  }).join('');
}
