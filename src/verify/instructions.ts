import { decode } from '../decode/decode.js';
import { encode } from '../decode/encode.js';
import type { Insn } from '../decode/insn.js';
import { DecodeError } from '../errors.js';

/**
 * The program's instructions, validated however they were made: bytes are decoded; an
 * `Insn[]` (assembled, or built by hand) is range-checked field by field and then round-
 * tripped through the encoder and decoder, so it gets exactly the decoder's validation
 * (registers, reserved fields, writes to r10, lddw slots, slot numbering).
 */
export function validInstructions(program: Uint8Array | readonly Insn[]): Insn[] {
  if (program instanceof Uint8Array) return decode(program);
  if (!Array.isArray(program)) {
    throw new DecodeError('BAD_INPUT', 'program must be a Uint8Array or an array of instructions');
  }
  let slot = 0;
  for (const insn of program as readonly Insn[]) {
    if (typeof insn !== 'object' || insn === null || typeof insn.spec !== 'object' || insn.spec === null
      || (insn.spec.slots !== 1 && insn.spec.slots !== 2)) {
      throw new DecodeError('BAD_INPUT', 'program array holds something that is not an instruction', slot);
    }
    const fieldsFit = Number.isInteger(insn.dst) && insn.dst >= 0 && insn.dst <= 15
      && Number.isInteger(insn.src) && insn.src >= 0 && insn.src <= 15
      && Number.isInteger(insn.off) && insn.off >= -0x8000 && insn.off <= 0x7fff
      && [insn.imm, insn.imm2].every((v) => Number.isInteger(v) && v >= -0x8000_0000 && v <= 0x7fff_ffff);
    if (!fieldsFit) throw new DecodeError('BAD_FIELD', 'instruction field out of range', slot);
    if (insn.pc !== slot) {
      throw new DecodeError('BAD_PC', `instruction has pc ${insn.pc}, but its slot index is ${slot}`, slot);
    }
    slot += insn.spec.slots;
  }
  return decode(encode(program));
}
