import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listDataFiles, parseDataFile } from '../conformance/data-file.js';
import { compareOutcomes, judge, runCase, runOnEngine, type EngineOutcome } from '../conformance/run-case.js';
import { RuntimeTrap } from '../src/errors.js';
import { assembleBytes } from '../src/decode/asm.js';
import { node, REPO } from './support/spawn.js';

const data = (text: string, name = 't.data') => parseDataFile(text, name, { strict: false });

describe('runCase', () => {
  it('passes a matching result and fails a different one, comparing 64-bit unsigned', () => {
    const program = '-- asm\nmov %r0, -1\nexit\n';
    expect(runCase(data(`${program}-- result\n0xffffffffffffffff`), 'jit')).toEqual({ status: 'pass' });
    expect(runCase(data(`${program}-- result\n-1`), 'interp')).toEqual({ status: 'pass' });
    expect(runCase(data(`${program}-- result\n0xffffffff`), 'jit'))
      .toEqual({ status: 'fail', reason: 'expected r0 = 0xffffffff, got r0 = 0xffffffffffffffff' });
  });

  it('matches -- error against the code or the message, case-insensitively, at load or run time', () => {
    const load = '-- raw\n0x00000000000000ff\n0x0000000000000095\n';
    expect(runCase(data(`${load}-- error\nunknown_opcode`), 'both')).toEqual({ status: 'pass' });
    expect(runCase(data(`${load}-- error\nUnknown Opcode 0xFF`), 'both')).toEqual({ status: 'pass' });
    const run = '-- asm\nmov %r1, 0\nldxw %r0, [%r1]\nexit\n';
    expect(runCase(data(`${run}-- error\nOUT_OF_BOUNDS`), 'both')).toEqual({ status: 'pass' });
    expect(runCase(data(`${run}-- error\nBUDGET_EXHAUSTED`), 'jit')).toMatchObject({ status: 'fail' });
  });

  it('fails an expected error when the program returns normally', () => {
    const verdict = runCase(data('-- asm\nmov %r0, 3\nexit\n-- error\nOUT_OF_BOUNDS'), 'interp');
    expect(verdict).toEqual({ status: 'fail', reason: "expected an error containing 'OUT_OF_BOUNDS', got r0 = 0x3" });
  });

  it('names each failing engine with --engine both', () => {
    const verdict = runCase(data('-- asm\nmov %r0, 3\nexit\n-- result\n4'), 'both');
    expect(verdict).toEqual({
      status: 'fail',
      reason: '[jit] expected r0 = 0x4, got r0 = 0x3; [interp] expected r0 = 0x4, got r0 = 0x3',
    });
  });

  it('skips files without a program or an expectation, with the reason', () => {
    expect(runCase(data('-- asm\nexit\n'), 'jit')).toEqual({ status: 'skip', reason: 'no expectation (needs -- result or -- error)' });
    expect(runCase(data('-- result\n0'), 'jit')).toEqual({ status: 'skip', reason: 'no program (needs -- asm or -- raw)' });
  });

  it('fails a test whose program does not assemble, naming the file line', () => {
    const verdict = runCase(data('# one\n-- asm\nmov %r0, 1\nfrob %r0\nexit\n-- result\n1'), 'jit');
    expect(verdict.status).toBe('fail');
    expect(verdict.status === 'fail' && verdict.reason).toMatch(/does not assemble: t\.data:4: UNKNOWN_MNEMONIC/);
  });

  it('uses -- budget for the run', () => {
    const loop = '-- asm\nmov %r0, 0\nmov %r1, 1000\nl:\nadd %r0, 1\nsub %r1, 1\njne %r1, 0, l\nexit\n';
    expect(runCase(data(`${loop}-- budget\n100\n-- error\nBUDGET_EXHAUSTED`), 'both')).toEqual({ status: 'pass' });
    expect(runCase(data(`${loop}-- budget\n100000\n-- result\n1000`), 'both')).toEqual({ status: 'pass' });
  });
});

describe('judge', () => {
  const file = data('-- asm\nexit\n-- result\n0');
  const outcome = (o: Partial<EngineOutcome>): EngineOutcome =>
    ({ engine: 'jit', loaded: true, input: new Uint8Array(0), stack: new Uint8Array(0), ...o });

  it('fails untyped errors even when an error is expected', () => {
    const verdict = judge(data('-- asm\nexit\n-- error\nboom'), outcome({ error: new TypeError('boom') }));
    expect(verdict).toEqual({ status: 'fail', reason: 'untyped error: TypeError: boom (programs must only raise typed errors)' });
  });

  it('fails a typed error when a result is expected', () => {
    const verdict = judge(file, outcome({ error: new RuntimeTrap('OUT_OF_BOUNDS', 'bad access', 3) }));
    expect(verdict).toEqual({ status: 'fail', reason: 'expected r0 = 0x0, got runtime error: bad access at pc 3 (OUT_OF_BOUNDS)' });
  });
});

describe('compareOutcomes', () => {
  const base: EngineOutcome = { engine: 'jit', r0: 1n, loaded: true, input: Uint8Array.of(1, 2), stack: Uint8Array.of(0, 0, 0, 0) };
  const other = (o: Partial<EngineOutcome>): EngineOutcome => ({ ...base, engine: 'interp', ...o });

  it('accepts identical outcomes', () => {
    expect(compareOutcomes(base, other({}))).toBeUndefined();
  });

  it('reports a different r0, input byte or stack byte', () => {
    expect(compareOutcomes(base, other({ r0: 2n }))).toBe('jit gave r0 = 0x1, interp gave r0 = 0x2');
    expect(compareOutcomes(base, other({ input: Uint8Array.of(1, 3) }))).toBe('input memory differs at byte 1: jit 0x2, interp 0x3');
    expect(compareOutcomes(base, other({ stack: Uint8Array.of(0, 0, 9, 0) }))).toBe('stack differs at byte -2 from the top: jit 0x0, interp 0x9');
  });

  it('compares error codes, pcs and fault addresses, but not budget pcs or messages', () => {
    const trap = (code: string, pc: number, address?: bigint) => new RuntimeTrap(code, `message ${pc}`, pc, address, 4);
    const jit = { ...base, r0: undefined, error: trap('OUT_OF_BOUNDS', 3, 0x10n) };
    expect(compareOutcomes(jit, other({ r0: undefined, error: trap('OUT_OF_BOUNDS', 3, 0x10n) }))).toBeUndefined();
    expect(compareOutcomes(jit, other({ r0: undefined, error: trap('OUT_OF_BOUNDS', 4, 0x10n) }))).toMatch(/at pc 3 .* at pc 4/);
    expect(compareOutcomes(jit, other({ r0: undefined, error: trap('OUT_OF_BOUNDS', 3, 0x14n) }))).toMatch(/0x10.*0x14/);
    const budget = (pc: number) => ({ r0: undefined, error: trap('BUDGET_EXHAUSTED', pc) });
    expect(compareOutcomes({ ...base, ...budget(1) }, other(budget(7)))).toBeUndefined();
  });
});

describe('runOnEngine', () => {
  it('returns the memory a trapping program wrote before the trap', () => {
    const file = data('-- asm\nstb [%r1], 7\nstb [%r1+2], 7\nexit\n-- mem\n00 00\n-- error\nOUT_OF_BOUNDS');
    for (const engine of ['jit', 'interp'] as const) {
      const outcome = runOnEngine(file, assembleBytes(file.asm ?? ''), engine);
      expect(outcome.error).toBeInstanceOf(RuntimeTrap);
      expect([...outcome.input]).toEqual([7, 0]);
    }
  });
});

describe('npm run conformance (dist/conformance/run.js)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-wasm-runner-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  write('a-pass.data', '-- asm\nmov %r0, 2\nexit\n-- result\n2\n');
  write('b-wrong.data', '-- asm\nmov %r0, 2\nexit\n-- result\n3\n');
  write('c-no-expectation.data', '-- asm\nmov %r0, 2\nexit\n');
  write('d-malformed.data', '-- asm\nexit\n-- result\nfour\n');
  write('ignored.txt', 'not a test');

  it('prints one line per file and the summary, exiting 1 on failures', () => {
    const { status, stdout } = node('conformance/run.js', [dir, '--engine', 'both']);
    expect(stdout.trimEnd().split('\n')).toEqual([
      'PASS a-pass.data',
      'FAIL b-wrong.data: [jit] expected r0 = 0x3, got r0 = 0x2; [interp] expected r0 = 0x3, got r0 = 0x2',
      'SKIP c-no-expectation.data: no expectation (needs -- result or -- error)',
      "FAIL d-malformed.data: cannot read test file: d-malformed.data:4: 'four' is not a 64-bit decimal result",
      '1 passed, 2 failed, 1 skipped',
    ]);
    expect(status).toBe(1);
  });

  it('runs only the files matching --filter and exits 0 when all pass', () => {
    const { status, stdout } = node('conformance/run.js', [dir, '--filter', 'pass', '--engine', 'interp']);
    expect(stdout).toBe('PASS a-pass.data\n1 passed, 0 failed, 0 skipped\n');
    expect(status).toBe(0);
  });

  it('passes every file of conformance/tests with --engine both', () => {
    const { status, stdout } = node('conformance/run.js', ['conformance/tests', '--engine', 'both']);
    const count = listDataFiles(join(REPO, 'conformance', 'tests')).length;
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(`${count} passed, 0 failed, 0 skipped`);
    expect(status).toBe(0);
  });

  it('refuses an unknown engine with usage and exit code 2', () => {
    const { status, stderr } = node('conformance/run.js', [dir, '--engine', 'wasm3']);
    expect(stderr).toMatch(/^error: unknown engine 'wasm3'\nusage: /);
    expect(status).toBe(2);
  });
});
