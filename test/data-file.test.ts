import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  conformanceTestsDir, DataFileError, listDataFiles, parseDataFile, programOf, readDataFile,
} from '../conformance/data-file.js';
import { AsmError } from '../src/errors.js';

const SAMPLE = [
  '# Copyright line',          // 1
  '# SPDX line',               // 2
  '-- asm',                    // 3
  '# a comment inside asm',    // 4
  'mov %r0, 1 # trailing',     // 5
  'exit',                      // 6
  '-- mem',                    // 7
  '00 01 # inline comment',    // 8
  '  ff\tAB',                  // 9
  '-- c',                      // 10
  'int main() { return 1; }',  // 11
  '-- result',                 // 12
  '0x1  # expected',           // 13
  '-- no register offset',     // 14
  'call instruction',          // 15
].join('\n');

describe('parseDataFile', () => {
  it('reads asm verbatim, mem bytes, the result, and ignores -- c and -- no register offset', () => {
    const file = parseDataFile(SAMPLE, 'sample.data');
    expect(file).toEqual({
      name: 'sample.data',
      asm: '# a comment inside asm\nmov %r0, 1 # trailing\nexit',
      asmFirstLine: 4,
      mem: Uint8Array.from([0x00, 0x01, 0xff, 0xab]),
      result: 1n,
    });
    expect(Buffer.from(programOf(file)).toString('hex')).toBe('b7000000010000009500000000000000');
  });

  it('raw words replace asm as the program, little-endian per slot', () => {
    const file = parseDataFile('-- asm\nexit\n-- raw\n0x5566778800000018\n0x1122334400000000\n0x95\n-- result\n0x1', 'raw.data');
    expect(file.raw).toEqual([0x5566778800000018n, 0x1122334400000000n, 0x95n]);
    expect(Buffer.from(programOf(file)).toString('hex')).toBe(
      '1800000088776655' + '0000000044332211' + '9500000000000000');
  });

  it.each([
    ['0x1122334455667788', 0x1122334455667788n],
    ['0xFFFFFFFFFFFFFFF6', 0xfffffffffffffff6n],
    ['0', 0n],
    ['42', 42n],
    ['-1', 0xffffffffffffffffn],
    ['18446744073709551615', 0xffffffffffffffffn],
  ])('result %s is %s (hex with 0x, else decimal, as u64)', (text, value) => {
    expect(parseDataFile(`-- asm\nexit\n-- result\n${text}\n`, 'r.data').result).toBe(value);
  });

  it('keeps the expected error text without comments', () => {
    const file = parseDataFile('-- asm\nja +5\n-- error\n# why\nJump out of bounds at PC 0  # note\n', 'e.data');
    expect(file.error).toBe('Jump out of bounds at PC 0');
    expect(file.result).toBeUndefined();
    expect(file.mem).toEqual(new Uint8Array(0));
  });

  it('accepts CRLF files', () => {
    const file = parseDataFile('-- asm\r\nexit\r\n-- result\r\n0x0\r\n', 'crlf.data');
    expect(file.result).toBe(0n);
    expect(programOf(file)).toHaveLength(8);
  });

  it('reads the -- budget extension as a decimal instruction count', () => {
    expect(parseDataFile('-- asm\nja -1\n-- budget\n1000 # small\n-- error\nbudget', 'b.data').budget).toBe(1000);
    expect(parseDataFile('-- asm\nexit\n-- result\n0', 'b.data').budget).toBeUndefined();
  });

  it('accepts files without a program or an expectation when not strict', () => {
    const noExpectation = parseDataFile('-- asm\nexit\n', 'n.data', { strict: false });
    expect([noExpectation.asm, noExpectation.result, noExpectation.error]).toEqual(['exit\n', undefined, undefined]);
    const noProgram = parseDataFile('-- result\n1', 'n.data', { strict: false });
    expect([noProgram.asm, noProgram.raw, noProgram.result]).toEqual([undefined, undefined, 1n]);
  });

  const malformed: readonly [what: string, text: string, line: number, message: RegExp][] = [
    ['unknown section', '-- asm\nexit\n-- results\n1', 3, /unknown section '-- results'/],
    ['a bare -- line', '-- asm\nexit\n--\n-- result\n1', 3, /unknown section '-- '/],
    ['a C line starting with -- is not a header', '-- c\n--i;\n-- asm\nexit\n-- result\nx', 6, /'x' is not a 64-bit decimal/],
    ['repeated section', '-- asm\nexit\n-- result\n1\n-- asm\nexit', 5, /appears twice/],
    ['text before any section', '# ok\nmov %r0, 1\n-- asm\nexit\n-- result\n1', 2, /before the first section/],
    ['a bad mem byte', '-- asm\nexit\n-- mem\n00 11\n0g\n-- result\n1', 5, /'0g' is not a hex byte/],
    ['a three-digit mem byte', '-- asm\nexit\n-- mem\n001\n-- result\n1', 4, /'001' is not a hex byte/],
    ['a bad raw word', '-- raw\n0x95\n95\n-- result\n1', 3, /'95' is not a 64-bit hex word/],
    ['a raw word over 64 bits', '-- raw\n0x11112222333344445\n-- result\n1', 2, /not a 64-bit hex word/],
    ['two results', '-- asm\nexit\n-- result\n1\n2', 3, /one value, found 2/],
    ['no result value', '-- asm\nexit\n-- result\n# nothing', 3, /one value, found 0/],
    ['a bad decimal result', '-- asm\nexit\n-- result\n12a', 4, /'12a' is not a 64-bit decimal result/],
    ['a bad hex result', '-- asm\nexit\n-- result\n0xzz', 4, /'0xzz' is not a 64-bit hex result/],
    ['a result over 64 bits', '-- asm\nexit\n-- result\n0x10000000000000000', 4, /not a 64-bit hex result/],
    ['a budget that is not a count', '-- asm\nexit\n-- budget\n1e6\n-- result\n1', 4, /-- budget must hold one decimal/],
    ['two budgets', '-- asm\nexit\n-- budget\n1\n2\n-- result\n1', 4, /-- budget must hold one decimal/],
    ['no program', '# nothing\n-- result\n1', 1, /no program/],
    ['no expectation', '-- asm\nexit', 1, /no expectation/],
  ];

  it.each(malformed)('rejects %s with the file name and line', (_what, text, line, message) => {
    let caught: unknown;
    try {
      parseDataFile(text, 'bad.data');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DataFileError);
    expect(caught).toMatchObject({ file: 'bad.data', line });
    expect((caught as Error).message).toMatch(new RegExp(`^bad\\.data:${line}: `));
    expect((caught as Error).message).toMatch(message);
  });
});

describe('programOf', () => {
  it('maps assembler errors to the line of the .data file', () => {
    const file = parseDataFile('# header\n-- asm\nmov %r0, 1\n\nmov %r11, 2\nexit\n-- result\n1', 'asm-error.data');
    let caught: unknown;
    try {
      programOf(file);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DataFileError);
    expect(caught).toMatchObject({ file: 'asm-error.data', line: 5 });
    expect((caught as Error).message).toMatch(/^asm-error\.data:5: BAD_REGISTER: line 3: /);
    expect((caught as DataFileError).cause).toBeInstanceOf(AsmError);
  });
});

describe('locating the suite', () => {
  const saved = process.env.BPF_CONFORMANCE_TESTS;
  afterEach(() => {
    if (saved === undefined) delete process.env.BPF_CONFORMANCE_TESTS;
    else process.env.BPF_CONFORMANCE_TESTS = saved;
  });

  it('defaults to <repo root>/../shared/bpf_conformance/tests', () => {
    delete process.env.BPF_CONFORMANCE_TESTS;
    const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..');
    expect(conformanceTestsDir()).toBe(resolve(repoRoot, '..', 'shared', 'bpf_conformance', 'tests'));
  });

  it('honours BPF_CONFORMANCE_TESTS', () => {
    process.env.BPF_CONFORMANCE_TESTS = '/somewhere/else';
    expect(conformanceTestsDir()).toBe('/somewhere/else');
  });

  it('lists only .data files, sorted, as full paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'data-files-'));
    try {
      for (const name of ['b.data', 'a.data', 'notes.txt', 'c.data.bak']) writeFileSync(join(dir, name), '');
      expect(listDataFiles(dir)).toEqual([join(dir, 'a.data'), join(dir, 'b.data')]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  const suiteDir = conformanceTestsDir();
  it.skipIf(!existsSync(suiteDir))(`parses the upstream subnet.data and callx.data (needs the suite at ${suiteDir})`, () => {
    const subnet = readDataFile(join(suiteDir, 'subnet.data'));
    expect(subnet.name).toBe('subnet.data');
    expect(subnet.asmFirstLine).toBe(60);
    expect(subnet.asm?.split('\n')[0]).toBe('mov %r2, 0xe');
    expect(subnet.mem.length).toBe(74);
    expect(subnet.mem.subarray(0, 4)).toEqual(Uint8Array.from([0x00, 0x00, 0xc0, 0x9f]));
    expect(subnet.result).toBe(1n);
    const callx = readDataFile(join(suiteDir, 'callx.data'));
    expect(callx.result).toBe(2n);
    expect(callx.asm?.trim().split('\n')).toHaveLength(5);
  });
});
