import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceTestsDir, listDataFiles, programOf, readDataFile } from '../conformance/data-file.js';
import { formatResult, parseHexBytes, parsePluginArgs, PluginUsageError } from '../conformance/plugin-protocol.js';
import { assemble } from '../src/decode/asm.js';
import { encode } from '../src/decode/encode.js';
import { REPO, spawn } from './support/spawn.js';

const PLUGIN = join(REPO, 'bin', 'ebpf-wasm-plugin');

/** Hex exactly as the upstream runner writes memory and programs: each byte, then two spaces. */
const upstreamHex = (bytes: Uint8Array) => [...bytes].map((b) => `${b.toString(16).padStart(2, '0')}  `).join('');

/** What the upstream runner does with the plugin's stdout: `std::stoull(output, nullptr, 16)`. */
const parseLikeUpstream = (stdout: string) => BigInt(`0x${stdout.trim().replace(/^0x/i, '')}`);

describe('plugin protocol', () => {
  it('reads hex bytes in the runner format and tolerates other whitespace and runs of bytes', () => {
    expect([...parseHexBytes('01  ff  a  ', 'memory')]).toEqual([1, 255, 10]);
    expect([...parseHexBytes('\n b7000000 2a000000\t95\n', 'program')]).toEqual([0xb7, 0, 0, 0, 0x2a, 0, 0, 0, 0x95]);
    expect([...parseHexBytes('', 'memory')]).toEqual([]);
    expect(() => parseHexBytes('0g', 'program')).toThrow(PluginUsageError);
    expect(() => parseHexBytes('abc', 'program')).toThrow("program: 'abc' is not a hex byte");
  });

  it('takes memory from the first argument unless it is an option, and options joined or separate', () => {
    expect(parsePluginArgs([])).toEqual({ memory: new Uint8Array(0), engine: 'jit' });
    expect(parsePluginArgs(['', ''])).toEqual({ memory: new Uint8Array(0), engine: 'jit' });
    expect(parsePluginArgs(['01  02  ', '--interpret'])).toEqual({ memory: Uint8Array.of(1, 2), engine: 'interp' });
    expect(parsePluginArgs(['--interpret'])).toEqual({ memory: new Uint8Array(0), engine: 'interp' });
    expect(parsePluginArgs(['07  ', '--interpret --jit'])).toEqual({ memory: Uint8Array.of(7), engine: 'jit' });
    expect(() => parsePluginArgs(['--elf'])).toThrow(/ELF/);
    expect(() => parsePluginArgs(['', '--fast'])).toThrow("unknown option '--fast'");
  });

  it('prints r0 as unprefixed lowercase hex, all 64 bits', () => {
    expect(formatResult(0n)).toBe('0');
    expect(formatResult(0xffffffffffffffffn)).toBe('ffffffffffffffff');
  });
});

describe('bin/ebpf-wasm-plugin', () => {
  const run = (args: string[], program: Uint8Array | string) =>
    spawn(PLUGIN, args, { input: typeof program === 'string' ? program : `${upstreamHex(program)}\n` });

  it('runs a program from stdin and prints r0 in hex', () => {
    const program = encode(assemble('lddw %r0, 0x1122334455667788\nexit'));
    for (const options of [[], ['--jit'], ['--interpret']]) {
      const { status, stdout } = run(options, program);
      expect(stdout).toBe('1122334455667788\n');
      expect(status).toBe(0);
    }
  });

  it('passes the memory argument to the program (r1, r2) and uses the test helpers', () => {
    const program = encode(assemble('mov %r6, %r2\nmov %r2, 2\ncall 1\nldxw %r0, [%r1]\nlsh %r0, 8\nor %r0, %r6\nexit'));
    const memory = upstreamHex(Uint8Array.of(0x01, 0x02, 0x03, 0x04));
    // memfrob (helper 1) xors the first two bytes with 42: 0x2b 0x28 0x03 0x04, then r2 = 4 in the low byte.
    for (const args of [[memory], [memory, '--interpret']]) {
      const { status, stdout } = run(args, program);
      expect(parseLikeUpstream(stdout)).toBe(0x04032_82b04n);
      expect(status).toBe(0);
    }
  });

  it('reports a bad program on stdout with exit code 1', () => {
    const { status, stdout } = run(['', '--interpret'], 'ff 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00');
    expect(stdout).toBe('decode error: unknown opcode 0xff at pc 0 (UNKNOWN_OPCODE)\n');
    expect(status).toBe(1);
  });

  it('reports a run-time trap and an unknown option the same way', () => {
    const trap = run([], encode(assemble('mov %r1, 0\nldxb %r0, [%r1]\nexit')));
    expect(trap.stdout).toMatch(/^runtime error: access of 1 bytes at 0x0 .* \(OUT_OF_BOUNDS\)\n$/);
    expect(trap.status).toBe(1);
    const option = run(['--turbo'], encode(assemble('exit')));
    expect(option.stdout).toBe("unknown option '--turbo' (expected --jit or --interpret)\n");
    expect(option.status).toBe(1);
  });

  // A sample of the shared suite, fed exactly as the upstream runner feeds it.
  const suiteDir = conformanceTestsDir();
  const sample = existsSync(suiteDir) ? listDataFiles(suiteDir).filter((_, i) => i % 80 === 0) : [];
  it.skipIf(sample.length === 0).each(sample.map((p) => [p.split('/').pop(), p]))('suite file %s gives the expected r0', (_name, path) => {
    const file = readDataFile(path as string);
    const memory = file.mem.length > 0 ? [upstreamHex(file.mem)] : [];
    for (const options of [[], ['--interpret']]) {
      const { status, stdout } = run([...memory, ...options], programOf(file));
      expect(status).toBe(0);
      expect(parseLikeUpstream(stdout)).toBe(file.result);
    }
  });
});
