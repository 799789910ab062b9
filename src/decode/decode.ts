import { FP, MAX_REGISTER } from '../abi/registers.js';
import { DecodeError } from '../errors.js';
import { findSpec, SPECS_BY_OPCODE, type Field, type OpSpec } from './opcodes.js';
import type { Insn } from './insn.js';

export const SLOT_BYTES = 8;

/** Raw fields of one 8-byte slot (little-endian, as the kernel stores them). */
interface Slot {
  opcode: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

function readSlot(view: DataView, pc: number): Slot {
  const base = pc * SLOT_BYTES;
  const regs = view.getUint8(base + 1);
  return {
    opcode: view.getUint8(base),
    dst: regs & 0x0f,
    src: regs >> 4,
    off: view.getInt16(base + 2, true),
    imm: view.getInt32(base + 4, true),
  };
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(2, '0');
}

/** Reject values in fields the row does not use, and registers that do not exist. */
function validateFields(spec: OpSpec, slot: Slot, pc: number): void {
  for (const field of ['dst', 'src', 'off', 'imm'] as Field[]) {
    if (!spec.uses.has(field) && slot[field] !== 0) {
      throw new DecodeError('RESERVED_FIELD',
        `${spec.mnemonic} (opcode ${hex(slot.opcode)}) must have ${field} = 0, found ${slot[field]}`, pc);
    }
  }
  for (const field of ['dst', 'src'] as const) {
    if (spec.uses.has(field) && spec.match?.field !== field && slot[field] > MAX_REGISTER) {
      throw new DecodeError('BAD_REGISTER', `${field} register r${slot[field]} does not exist`, pc);
    }
  }
  if (spec.writes !== undefined && slot[spec.writes] === FP) {
    throw new DecodeError('WRITE_R10', `${spec.mnemonic} writes r10, the read-only frame pointer`, pc);
  }
}

/** Decode one instruction at slot `pc`. */
function decodeAt(view: DataView, pc: number, slotCount: number): Insn {
  const slot = readSlot(view, pc);
  const candidates = SPECS_BY_OPCODE[slot.opcode];
  if (candidates.length === 0) {
    throw new DecodeError('UNKNOWN_OPCODE', `unknown opcode ${hex(slot.opcode)}`, pc);
  }
  const spec = findSpec(slot.opcode, slot.src, slot.off, slot.imm);
  if (!spec) {
    const field = candidates[0].match!.field;
    throw new DecodeError('INVALID_FIELD',
      `opcode ${hex(slot.opcode)} (${candidates[0].mnemonic}) has no form with ${field} = ${slot[field]}`, pc);
  }
  validateFields(spec, slot, pc);
  let imm2 = 0;
  if (spec.slots === 2) {
    if (pc + 1 >= slotCount) throw new DecodeError('TRUNCATED_LDDW', 'lddw is missing its second slot', pc);
    const second = readSlot(view, pc + 1);
    if (second.opcode !== 0 || second.dst !== 0 || second.src !== 0 || second.off !== 0) {
      throw new DecodeError('BAD_LDDW', 'second slot of lddw must have opcode, registers and offset 0', pc);
    }
    imm2 = second.imm;
  }
  return { pc, spec, opcode: slot.opcode, dst: slot.dst, src: slot.src, off: slot.off, imm: slot.imm, imm2 };
}

/**
 * Decode a program: 8-byte little-endian slots into instructions. lddw becomes one
 * `Insn` spanning two slots; every `pc` is a slot index. Throws `DecodeError`.
 */
export function decode(bytes: Uint8Array): Insn[] {
  if (!(bytes instanceof Uint8Array)) {
    throw new DecodeError('BAD_INPUT', 'program must be a Uint8Array of 8-byte instructions');
  }
  const slotCount = Math.floor(bytes.length / SLOT_BYTES);
  if (bytes.length % SLOT_BYTES !== 0) {
    throw new DecodeError('TRAILING_BYTES',
      `program length ${bytes.length} is not a multiple of ${SLOT_BYTES} (${bytes.length % SLOT_BYTES} trailing bytes)`, slotCount);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const insns: Insn[] = [];
  for (let pc = 0; pc < slotCount;) {
    const insn = decodeAt(view, pc, slotCount);
    insns.push(insn);
    pc += insn.spec.slots;
  }
  return insns;
}
