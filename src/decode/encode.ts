import { checkItems, describeValue } from '../arguments.js';
import { SLOT_BYTES } from './decode.js';
import type { Insn } from './insn.js';

/** An instruction's shape, enough to encode or print it (the load stage checks its fields). */
function isInsn(item: unknown): boolean {
  const spec = (item as Partial<Insn> | null)?.spec;
  return typeof item === 'object' && item !== null && typeof spec === 'object' && spec !== null && (spec.slots === 1 || spec.slots === 2);
}

/** `what` (e.g. "formatInsn(insn)") must be one instruction: a TypeError naming it otherwise. */
export function checkInsn(what: string, insn: Insn): Insn {
  if (!isInsn(insn)) throw new TypeError(`${what} must be an instruction (from decode() or assemble()), got ${describeValue(insn)}`);
  return insn;
}

/** `what` (e.g. "encode(insns)") must be an array of instructions: a TypeError naming it otherwise. */
export function checkInsns(what: string, insns: readonly Insn[]): readonly Insn[] {
  return checkItems(what, insns, { items: 'instructions (from decode() or assemble())', item: 'an instruction' }, isInsn);
}

/** Total number of 8-byte slots the instructions occupy. */
export function slotCount(insns: readonly Insn[]): number {
  return checkInsns('slotCount(insns)', insns).reduce((n, insn) => n + insn.spec.slots, 0);
}

function writeSlot(view: DataView, slot: number, opcode: number, dst: number, src: number, off: number, imm: number): void {
  const base = slot * SLOT_BYTES;
  view.setUint8(base, opcode);
  view.setUint8(base + 1, ((src & 0xf) << 4) | (dst & 0xf));
  view.setInt16(base + 2, off, true);
  view.setInt32(base + 4, imm, true);
}

/** Encode instructions into little-endian bytecode (the inverse of `decode`). */
export function encode(insns: readonly Insn[]): Uint8Array {
  checkInsns('encode(insns)', insns);
  const bytes = new Uint8Array(slotCount(insns) * SLOT_BYTES);
  const view = new DataView(bytes.buffer);
  let slot = 0;
  for (const insn of insns) {
    writeSlot(view, slot, insn.opcode, insn.dst, insn.src, insn.off, insn.imm);
    if (insn.spec.slots === 2) writeSlot(view, slot + 1, 0, 0, 0, 0, insn.imm2);
    slot += insn.spec.slots;
  }
  return bytes;
}
