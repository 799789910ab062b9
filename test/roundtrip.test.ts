import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceTestsDir, listDataFiles, programOf, readDataFile } from '../conformance/data-file.js';
import { assemble, assembleBytes } from '../src/decode/asm.js';
import { decode } from '../src/decode/decode.js';
import { disassemble, listing } from '../src/decode/disasm.js';
import { encode } from '../src/decode/encode.js';

const dir = conformanceTestsDir();
const present = existsSync(dir);
const files = present ? listDataFiles(dir) : [];
const suite = files.map((path) => [basename(path), path] as const);

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe.skipIf(!present)(`bpf_conformance suite round trips (skipped if ${dir} is missing)`, () => {
  it('finds the whole suite', () => {
    expect(files.length).toBeGreaterThanOrEqual(313);
  });

  it.each(suite)('%s', (_name, path) => {
    const file = readDataFile(path);
    const bytes = programOf(file);
    expect(bytes.length).toBeGreaterThan(0);

    // bytes -> Insn[] -> bytes
    const insns = decode(bytes);
    expect(hex(encode(insns))).toBe(hex(bytes));

    // asm -> bytes -> asm -> bytes, in both disassembly styles
    expect(hex(assembleBytes(disassemble(insns)))).toBe(hex(bytes));
    expect(hex(assembleBytes(disassemble(insns, { labels: true })))).toBe(hex(bytes));

    // the assembler agrees with the hand-written words where the file has both
    if (file.raw && file.asm !== undefined) {
      expect(hex(assembleBytes(file.asm))).toBe(hex(programOf(file)));
    }
  });

  it('the suite has a -- raw program and our assembler reproduces its words', () => {
    const withRaw = files.map(readDataFile).filter((f) => f.raw);
    expect(withRaw.map((f) => f.name)).toContain('lddw.data');
    for (const f of withRaw) {
      const words = assemble(f.asm ?? '').flatMap((insn) => {
        const bytes = encode([insn]);
        const view = new DataView(bytes.buffer);
        return Array.from({ length: insn.spec.slots }, (_, i) => view.getBigUint64(i * 8, true));
      });
      expect(words).toEqual(f.raw);
    }
  });

  it('listing of subnet.data', () => {
    const insns = decode(programOf(readDataFile(`${dir}/subnet.data`)));
    expect(listing(insns)).toBe([
      '   0:\tb7 02 00 00 0e 00 00 00\tmov %r2, 14',
      '   1:\t69 13 0c 00 00 00 00 00\tldxh %r3, [%r1+12]',
      '   2:\t55 03 03 00 81 00 00 00\tjne %r3, 129, +3',
      '   3:\tb7 02 00 00 12 00 00 00\tmov %r2, 18',
      '   4:\t69 13 10 00 00 00 00 00\tldxh %r3, [%r1+16]',
      '   5:\t57 03 00 00 ff ff 00 00\tand %r3, 65535',
      '   6:\t55 03 05 00 08 00 00 00\tjne %r3, 8, +5',
      '   7:\t0f 21 00 00 00 00 00 00\tadd %r1, %r2',
      '   8:\tb7 00 00 00 01 00 00 00\tmov %r0, 1',
      '   9:\t61 11 10 00 00 00 00 00\tldxw %r1, [%r1+16]',
      '  10:\t57 01 00 00 ff ff ff 00\tand %r1, 0xffffff',
      '  11:\t15 01 01 00 c0 a8 01 00\tjeq %r1, 0x1a8c0, +1',
      '  12:\tb7 00 00 00 00 00 00 00\tmov %r0, 0',
      '  13:\t95 00 00 00 00 00 00 00\texit',
      '',
    ].join('\n'));
    expect(disassemble(insns, { labels: true })).toBe([
      'mov %r2, 14', 'ldxh %r3, [%r1+12]', 'jne %r3, 129, L6', 'mov %r2, 18', 'ldxh %r3, [%r1+16]',
      'and %r3, 65535', 'L6:', 'jne %r3, 8, L12', 'add %r1, %r2', 'mov %r0, 1', 'ldxw %r1, [%r1+16]',
      'and %r1, 0xffffff', 'jeq %r1, 0x1a8c0, L13', 'L12:', 'mov %r0, 0', 'L13:', 'exit', '',
    ].join('\n'));
  });

  it('listing of lock_fetch_add32.data shows both slots of each lddw', () => {
    const insns = decode(programOf(readDataFile(`${dir}/lock_fetch_add32.data`)));
    expect(listing(insns)).toBe([
      '   0:\t18 00 00 00 f0 de bc 9a\tlddw %r0, 0x123456789abcdef0',
      '   1:\t00 00 00 00 78 56 34 12',
      '   2:\t7b 0a f8 ff 00 00 00 00\tstxdw [%r10-8], %r0',
      '   3:\tb7 01 00 00 01 00 00 00\tmov %r1, 1',
      '   4:\tc3 1a f8 ff 01 00 00 00\tlock fetch add32 [%r10-8], %r1',
      '   5:\t5e 01 05 00 00 00 00 00\tjne32 %r1, %r0, +5',
      '   6:\t79 a1 f8 ff 00 00 00 00\tldxdw %r1, [%r10-8]',
      '   7:\t18 00 00 00 f1 de bc 9a\tlddw %r0, 0x123456789abcdef1',
      '   8:\t00 00 00 00 78 56 34 12',
      '   9:\t5d 10 01 00 00 00 00 00\tjne %r0, %r1, +1',
      '  10:\tb7 00 00 00 00 00 00 00\tmov %r0, 0',
      '  11:\t95 00 00 00 00 00 00 00\texit',
      '',
    ].join('\n'));
  });
});

describe('disassembler output independent of the suite', () => {
  it('prints every pseudo lddw form the assembler reads, and reassembles it', () => {
    const text = [
      'lddw %r1, map_fd(3)',
      'lddw %r2, map_value(3, 16)',
      'lddw %r3, btf_id(5)',
      'lddw %r3, btf_id(5, 7)',
      'lddw %r4, func(+2)',
      'lddw %r5, map_idx(0)',
      'lddw %r6, map_idx_value(0, 8)',
      'lddw %r7, -1',
      'lddw %r7, 0x8000000000000000',
      'exit',
      '',
    ].join('\n');
    const insns = assemble(text);
    expect(disassemble(insns)).toBe(text);
  });

  it('prints immediates small in decimal, large as the hex bit pattern, offsets signed', () => {
    const text = [
      'mov %r0, -65535', 'mov %r0, 65535', 'mov %r0, 0x10000', 'mov %r0, 0xffff0000',
      'stw [%r10-8], 0x80000000', 'jsgt %r1, -1, -1', 'ja32 +0', 'call local -3', 'call 6',
      'ldabsw 12', 'ldindb %r3, 0x12345', '',
    ].join('\n');
    expect(disassemble(assemble(text))).toBe(text);
  });

  it('labels mode names targets by slot and keeps out-of-program targets numeric', () => {
    const insns = assemble('call local f\nja +5\nlddw %r1, func(f)\nexit\nf: exit');
    expect(disassemble(insns, { labels: true })).toBe(
      'call local L5\nja +5\nlddw %r1, func(L5)\nexit\nL5:\nexit\n');
  });

  it('listing widens the pc column for long programs and is empty for no instructions', () => {
    const insns = assemble('mov %r0, 0\n'.repeat(10001) + 'exit');
    const lines = listing(insns).split('\n');
    expect(lines[0]).toBe('    0:\tb7 00 00 00 00 00 00 00\tmov %r0, 0');
    expect(lines[10001]).toBe('10001:\t95 00 00 00 00 00 00 00\texit');
    expect(listing([])).toBe('');
    expect(disassemble([])).toBe('');
  });
});
