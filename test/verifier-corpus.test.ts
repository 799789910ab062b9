import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assembleBytes } from '../src/decode/asm.js';
import {
  hexBytes, KPROBE_CTX_SIZE, messageMatches, namesNoInstruction, parseHeader, programFiles, RUN_PACKETS, TYPES,
  // @ts-expect-error -- plain .mjs fixture module without type declarations
} from './fixtures/verifier/corpus.mjs';
// @ts-expect-error -- plain .mjs fixture module without type declarations
import { PACKETS } from './fixtures/program-types/packets.mjs';

/**
 * The kernel verifier corpus of test/fixtures/verifier (recorded by its record.sh as
 * root; see its README.md) is complete and consistent with its program files: every
 * file recorded with its header, every verdict as its header expects, every .s and .hex
 * file giving exactly the bytes the kernel was given. Checks the fixture only, needs no
 * root, clang or kernel.
 */

const DIR = new URL('./fixtures/verifier/', import.meta.url);
const DIR_PATH = fileURLToPath(DIR);

interface MapDef { type: string; key: number; value: number; max: number }
interface Kernel { verdict: 'accept' | 'reject'; errno: number; pc: number | null; message: string; processed: number | null }
interface Run { packet: string; input: string; retval?: number; dataOut?: string; errno?: number }
interface Program {
  file: string; type: string; maps: MapDef[]; expect: 'accept' | 'reject'; rejects?: string; checks: string;
  btf?: string; insns: string; kernel: Kernel; runs: Run[];
}
interface Recording { kernel: string; recorded: string; clang: string; programs: Program[] }

const rec = JSON.parse(readFileSync(new URL('recording.json', DIR), 'utf8')) as Recording;
const files = programFiles(DIR_PATH) as string[];
const packets = new Map((PACKETS as [string, Uint8Array][]).map(([n, b]) => [n, Buffer.from(b).toString('hex')]));
const source = (file: string): string => readFileSync(new URL(file, DIR), 'utf8');
const ENOTSUPP = 524;

describe('verifier corpus recording', () => {
  it('has the documented top-level fields', () => {
    expect(Object.keys(rec)).toEqual(['kernel', 'recorded', 'clang', 'programs']);
    expect(rec.kernel).not.toBe('');
    expect(rec.recorded).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(rec.clang).toMatch(/clang version 14/);
  });

  it('records every program file, in order, and nothing else', () => {
    expect(rec.programs.map((p) => p.file)).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(200);
  });

  it('holds each file\'s header: type, maps, expectation, what it checks', () => {
    for (const p of rec.programs) {
      const { section: _section, ...header } = parseHeader(source(p.file), p.file);
      const { insns: _i, kernel: _k, runs: _r, file: _f, ...recorded } = p;
      expect(recorded, p.file).toEqual(header);
      expect(TYPES).toContain(p.type);
    }
  });

  it('agrees with the kernel: every expectation is the kernel\'s verdict', () => {
    for (const p of rec.programs) {
      expect(p.kernel.verdict, `${p.file}: ${p.kernel.message}`).toBe(p.expect);
      expect(Object.keys(p.kernel)).toEqual(['verdict', 'errno', 'pc', 'message', 'processed']);
    }
  });

  it('gives every rejection an errno, the message the header names, and a pc unless the kernel names none', () => {
    for (const p of rec.programs.filter((x) => x.kernel.verdict === 'reject')) {
      const k = p.kernel;
      expect(k.errno, p.file).toBeGreaterThan(0);
      expect(k.message, p.file).not.toBe('');
      expect(messageMatches(k.message, p.rejects), `${p.file}: "${p.rejects}" not in "${k.message}"`).toBe(true);
      if (k.pc === null) expect(namesNoInstruction(k.message), `${p.file} has no pc: ${k.message}`).toBe(true);
      else {
        expect(namesNoInstruction(k.message), p.file).toBe(false);
        expect(Number.isInteger(k.pc) && k.pc >= 0 && k.pc < p.insns.length / 16, p.file).toBe(true);
      }
      expect(k.processed === null || (Number.isInteger(k.processed) && k.processed >= 0), p.file).toBe(true);
      expect(p.runs, p.file).toEqual([]);
    }
  });

  it('gives every accepted program a count and no message', () => {
    for (const p of rec.programs.filter((x) => x.kernel.verdict === 'accept')) {
      expect(p.kernel.errno, p.file).toBe(0);
      expect(p.kernel.pc, p.file).toBeNull();
      expect(p.kernel.message, p.file).toBe('');
      expect(Number.isInteger(p.kernel.processed) && p.kernel.processed! > 0, p.file).toBe(true);
    }
  });

  it('runs every accepted packet program on the packets, and tries kprobe programs on a zeroed context', () => {
    for (const p of rec.programs.filter((x) => x.kernel.verdict === 'accept')) {
      if (p.type === 'kprobe') {
        // BPF_PROG_TEST_RUN has no kprobe support: ENOTSUPP, recorded as such.
        expect(p.runs, p.file).toEqual([{ packet: 'zero_pt_regs', input: '00'.repeat(KPROBE_CTX_SIZE), errno: ENOTSUPP }]);
        continue;
      }
      expect(p.runs.map((r) => r.packet), p.file).toEqual(RUN_PACKETS);
      for (const r of p.runs) {
        expect(r.input, `${p.file} ${r.packet}`).toBe(packets.get(r.packet));
        expect(Object.keys(r), `${p.file} ${r.packet}`).toEqual(['packet', 'input', 'retval', 'dataOut']);
        expect(Number.isInteger(r.retval) && r.retval! >= 0 && r.retval! < 2 ** 32).toBe(true);
        expect(r.dataOut).toMatch(/^([0-9a-f]{2})+$/);
      }
    }
  });

  it('assembles every .s file to exactly the bytes the kernel was given (and reads every .hex file the same)', () => {
    for (const p of rec.programs) {
      expect(p.insns, p.file).toMatch(/^([0-9a-f]{16})+$/);
      if (p.file.endsWith('.s')) expect(Buffer.from(assembleBytes(source(p.file))).toString('hex'), p.file).toBe(p.insns);
      if (p.file.endsWith('.hex')) expect(hexBytes(source(p.file), p.file).toString('hex'), p.file).toBe(p.insns);
    }
  });

  it('covers every category with accepted and rejected programs, and every program type', () => {
    const byCategory = new Map<string, Set<string>>();
    for (const p of rec.programs) {
      const c = p.file.split('/')[0];
      byCategory.set(c, (byCategory.get(c) ?? new Set()).add(p.kernel.verdict));
    }
    for (const [c, verdicts] of byCategory) expect([...verdicts].sort(), c).toEqual(['accept', 'reject']);
    expect(new Set(rec.programs.map((p) => p.type))).toEqual(new Set(TYPES));
    const accepted = rec.programs.filter((p) => p.kernel.verdict === 'accept').length;
    expect(accepted / rec.programs.length).toBeGreaterThan(0.4);
    expect(accepted / rec.programs.length).toBeLessThan(0.6);
  });
});
