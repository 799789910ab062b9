import { describe, expect, it } from 'vitest';
import { assembleBytes } from '../src/decode/asm.js';
import { decode } from '../src/decode/decode.js';
import { formatInsn } from '../src/decode/disasm.js';
import { encode } from '../src/decode/encode.js';
import { makeInsn, type InsnFields } from '../src/decode/insn.js';
import { OPCODES, type OpSpec } from '../src/decode/opcodes.js';
import { DecodeError } from '../src/errors.js';
import { slot } from './support/slot.js';

/** Distinct non-zero values for every field the row uses (the row's match is set by makeInsn). */
function sampleFields(spec: OpSpec): InsnFields {
  const f: InsnFields = {};
  if (spec.uses.has('dst')) f.dst = 3;
  if (spec.uses.has('src')) f.src = 7;
  if (spec.uses.has('off')) f.off = -5;
  if (spec.uses.has('imm')) f.imm = 0x12345;
  if (spec.slots === 2) f.imm2 = -2;
  return f;
}

function rowName(spec: OpSpec): string {
  return `${spec.mnemonic} (${spec.form}, 0x${spec.opcode.toString(16).padStart(2, '0')}${
    spec.match ? `, ${spec.match.field}=${spec.match.value}` : ''})`;
}

describe('every row of OPCODES survives encode -> decode', () => {
  it.each(OPCODES.map((spec) => [rowName(spec), spec] as const))('%s', (_name, spec) => {
    const insn = makeInsn(spec, sampleFields(spec));
    const bytes = encode([insn]);
    expect(bytes.length).toBe(8 * spec.slots);
    const [back, ...rest] = decode(bytes);
    expect(rest).toEqual([]);
    expect(back.spec).toBe(spec);
    expect(back).toEqual(insn);
    // and the text form names the same row
    expect(decode(assembleBytes(formatInsn(back)))[0].spec).toBe(spec);
  });

  it('rows are distinguishable: no two rows decode from the same fields', () => {
    const keys = OPCODES.map((s) => `${s.opcode}/${s.match ? `${s.match.field}=${s.match.value}` : '*'}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

const MOV_R0_0 = slot(0xb7);
const EXIT = slot(0x95);

function decodeError(bytes: number[]): DecodeError {
  try {
    decode(Uint8Array.from(bytes));
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('decode accepted invalid bytes');
}

describe('DecodeError codes and positions', () => {
  const cases: readonly [code: string, bytes: number[], pc: number][] = [
    ['UNKNOWN_OPCODE', [...MOV_R0_0, ...slot(0x00), ...EXIT], 1],
    ['UNKNOWN_OPCODE', [...slot(0xff)], 0],
    ['INVALID_FIELD', [...MOV_R0_0, ...MOV_R0_0, ...slot(0x3f, 1, 2, 2)], 2], // div/sdiv with off = 2
    ['INVALID_FIELD', [...slot(0xd4, 1, 0, 0, 8)], 0], // le8 does not exist
    ['INVALID_FIELD', [...slot(0xdb, 1, 2, 0, 0x02)], 0], // unknown atomic op
    ['INVALID_FIELD', [...slot(0x85, 0, 2, 0, 1)], 0], // call with src = 2 (kfunc) is not supported
    ['RESERVED_FIELD', [...MOV_R0_0, ...slot(0x95, 1)], 1], // exit with dst = 1
    ['RESERVED_FIELD', [...slot(0x07, 1, 2, 0, 5)], 0], // add imm with a src register
    ['RESERVED_FIELD', [...slot(0x18, 1, 0, 4, 1), ...slot(0, 0, 0, 0, 0)], 0], // lddw with off
    ['BAD_REGISTER', [...slot(0xb7, 11)], 0],
    ['BAD_REGISTER', [...MOV_R0_0, ...slot(0x0f, 1, 12)], 1],
    ['WRITE_R10', [...MOV_R0_0, ...slot(0xb7, 10)], 1],
    ['WRITE_R10', [...slot(0x61, 10, 1)], 0],
    ['TRUNCATED_LDDW', [...MOV_R0_0, ...slot(0x18, 1)], 1],
    ['BAD_LDDW', [...slot(0x18, 1), ...slot(0x95)], 0],
    ['BAD_LDDW', [...MOV_R0_0, ...slot(0x18, 1), ...slot(0, 1)], 1],
    ['TRAILING_BYTES', [...MOV_R0_0, ...EXIT, 0, 0, 0, 0], 2],
    ['TRAILING_BYTES', [1, 2, 3], 0],
  ];

  it.each(cases)('%s (case %#)', (code, bytes, pc) => {
    const e = decodeError(bytes);
    expect(e.code).toBe(code);
    expect(e.pc).toBe(pc);
    expect(e.message).toMatch(new RegExp(`at pc ${pc}$`));
  });

  it('decode of a non-Uint8Array is a DecodeError, not a TypeError', () => {
    expect(() => decode([1, 2] as unknown as Uint8Array)).toThrow(DecodeError);
  });

  it('decodes an empty program to no instructions', () => {
    expect(decode(new Uint8Array(0))).toEqual([]);
  });

  it('gives every instruction its slot index, counting lddw as two', () => {
    const insns = decode(Uint8Array.from([...slot(0x18, 1, 0, 0, 1), ...slot(0, 0, 0, 0, 2), ...EXIT]));
    expect(insns.map((i) => [i.pc, i.spec.mnemonic, i.imm, i.imm2])).toEqual([[0, 'lddw', 1, 2], [2, 'exit', 0, 0]]);
  });
});
