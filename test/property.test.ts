import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conformanceTestsDir, listDataFiles, readDataFile } from '../conformance/data-file.js';
import { assemble, assembleBytes } from '../src/decode/asm.js';
import { decode } from '../src/decode/decode.js';
import { disassemble } from '../src/decode/disasm.js';
import { encode } from '../src/decode/encode.js';
import type { Insn } from '../src/decode/insn.js';
import { OPCODES, type OpSpec } from '../src/decode/opcodes.js';
import { AsmError, DecodeError } from '../src/errors.js';
import { slot } from './support/slot.js';

const SEED = 0x5eed;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/**
 * Decode `bytes`; if they decode, check encode and disassemble -> assemble give them back.
 * Returns the instructions, or undefined if the bytes do not decode. Anything thrown other
 * than a DecodeError fails the property.
 */
function checkBytes(bytes: Uint8Array): Insn[] | undefined {
  let insns;
  try {
    insns = decode(bytes);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return undefined;
  }
  expect(hex(encode(insns))).toBe(hex(bytes));
  expect(hex(assembleBytes(disassemble(insns)))).toBe(hex(bytes));
  expect(hex(assembleBytes(disassemble(insns, { labels: true })))).toBe(hex(bytes));
  return insns;
}

const register = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 10 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) });
const offset = fc.oneof(fc.constant(0), fc.integer({ min: -8, max: 8 }), fc.integer({ min: -32768, max: 32767 }));
const imm32 = fc.oneof(fc.constant(0), fc.integer({ min: -300, max: 300 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));

/**
 * Instruction words built from a table row: the row's opcode and match value, random values
 * in the fields it uses, and (sometimes) garbage in the fields it does not use.
 */
const tableWord = fc
  .record({
    row: fc.integer({ min: 0, max: OPCODES.length - 1 }),
    dst: register, src: register, off: offset, imm: imm32, imm2: imm32,
    garbage: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.boolean() }),
    secondSlot: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 8, maxLength: 8 }) }),
  })
  .map(({ row, dst, src, off, imm, imm2, garbage, secondSlot }) => {
    const spec = OPCODES[row];
    const f = { dst, src, off, imm };
    for (const field of ['dst', 'src', 'off', 'imm'] as const) {
      if (!spec.uses.has(field) && !garbage) f[field] = 0;
    }
    if (spec.match) f[spec.match.field] = spec.match.value;
    const bytes = slot(spec.opcode, f.dst, f.src, f.off, f.imm);
    if (spec.slots === 2) bytes.push(...(secondSlot ? [...secondSlot] : slot(0, 0, 0, 0, imm2)));
    return Uint8Array.from(bytes);
  });

describe('decode on arbitrary input', () => {
  it('random byte strings: only DecodeError escapes; what decodes round-trips', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => { checkBytes(bytes); }), { seed: SEED, numRuns: 20_000 });
  });

  it('random 8-byte words: only DecodeError escapes; what decodes round-trips', () => {
    let decoded = 0;
    fc.assert(fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
      if (checkBytes(bytes)) decoded++;
    }), { seed: SEED, numRuns: 20_000 });
    // some hundreds of uniformly random words are valid instructions, so the round trip was exercised
    expect(decoded).toBeGreaterThan(100);
  });

  it('table-guided words cover every row and round-trip when valid', () => {
    let decoded = 0;
    const rows = new Set<OpSpec>();
    fc.assert(fc.property(tableWord, (bytes) => {
      const insns = checkBytes(bytes);
      if (insns) decoded++;
      insns?.forEach((insn) => rows.add(insn.spec));
    }), { seed: SEED, numRuns: 20_000 });
    expect(decoded).toBeGreaterThan(10_000);
    expect(rows.size).toBe(OPCODES.length);
  });

  it('table-guided programs of several instructions round-trip', () => {
    const program = fc.array(tableWord, { minLength: 1, maxLength: 12 }).map((words) => {
      const out = new Uint8Array(words.reduce((n, w) => n + w.length, 0));
      let at = 0;
      for (const w of words) { out.set(w, at); at += w.length; }
      return out;
    });
    fc.assert(fc.property(program, (bytes) => { checkBytes(bytes); }), { seed: SEED, numRuns: 3_000 });
  });
});

/** Assemble `text`; only AsmError may escape, and whatever assembles must round-trip. */
function checkText(text: string): boolean {
  let bytes: Uint8Array;
  try {
    bytes = assembleBytes(text);
  } catch (e) {
    if (!(e instanceof AsmError)) throw e;
    expect(Number.isInteger(e.line)).toBe(true);
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(text.split('\n').length);
    return false;
  }
  expect(hex(assembleBytes(disassemble(assemble(text))))).toBe(hex(bytes));
  return true;
}

const TOKENS = [
  'mov', 'add32', 'lddw', 'ldxw', 'stxdw', 'stw', 'jeq', 'ja', 'ja32', 'call', 'local', 'exit', 'lock', 'fetch',
  'cmpxchg', 'be16', 'swap32', 'movsx832', 'neg', 'ldabsb', 'ldindw', 'map_fd', 'map_value', 'func',
  '%r0', '%r1', 'r10', '%r11', '%', '[', ']', '(', ')', '+', '-', ',', ':', '#', ' ', '\n', '\t',
  '0', '1', '-1', '0x', 'ff', '0xffffffff', '4294967296', '32767', '-32769', 'L1', 'exit:', 'L1:',
];

describe('assemble on arbitrary text', () => {
  it('random strings: only AsmError escapes', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => { checkText(text); }),
      { seed: SEED, numRuns: 5_000 });
  });

  it('random token soup: only AsmError escapes; what assembles round-trips', () => {
    let assembled = 0;
    const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }).map((t) => t.join(''));
    const spaced = fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }).map((t) => t.join(' '));
    fc.assert(fc.property(fc.oneof(soup, spaced), (text) => {
      if (checkText(text)) assembled++;
    }), { seed: SEED, numRuns: 10_000 });
    expect(assembled).toBeGreaterThan(100);
  });

  const dir = conformanceTestsDir();
  const programs = existsSync(dir)
    ? listDataFiles(dir).map((p) => readDataFile(p).asm).filter((a): a is string => a !== undefined)
    : [];

  it.skipIf(programs.length === 0)(`mutated suite programs: only AsmError escapes (needs the suite at ${dir})`, () => {
    const alphabet = fc.constantFrom(...'%r0123456789xabcdefl+-[],():# \tlockfetch'.split(''), 'r11', '0x100000000', 'exit');
    const mutation = fc.record({
      program: fc.integer({ min: 0, max: programs.length - 1 }),
      line: fc.nat(),
      at: fc.nat(),
      kind: fc.constantFrom('insert', 'delete', 'replace'),
      text: alphabet,
    });
    let failed = 0;
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
      const lines = programs[mutations[0].program].split('\n');
      for (const m of mutations) {
        const i = m.line % lines.length;
        const at = m.at % (lines[i].length + 1);
        const removed = m.kind === 'insert' ? 0 : 1;
        lines[i] = lines[i].slice(0, at) + (m.kind === 'delete' ? '' : m.text) + lines[i].slice(at + removed);
      }
      if (!checkText(lines.join('\n'))) failed++;
    }), { seed: SEED, numRuns: 4_000 });
    // mutations break some programs and leave others valid: both paths were exercised
    expect(failed).toBeGreaterThan(200);
    expect(failed).toBeLessThan(4_000);
  });
});
