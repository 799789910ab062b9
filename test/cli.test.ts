import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { encode } from '../src/decode/encode.js';
import { expectOneErrorLine, scratchDir } from './support/cli.js';
import { node } from './support/spawn.js';

const { dir, file } = scratchDir('ebpf-wasm-cli-');

const cli = (...args: string[]) => node('src/cli/main.js', args, { cwd: dir });

// r0 = the 32-bit word at input offset 2, plus 1.
const SOURCE = 'ldxw %r0, [%r1+2]\nadd %r0, 1\nexit\n';
const BYTES = encode(assemble(SOURCE));
const MEM = Uint8Array.of(1, 2, 3, 4, 5, 6);
const EXPECTED_R0 = String(0x06050403 + 1);

describe('ebpf-wasm asm', () => {
  it('writes the bytecode of a .s file', () => {
    const out = join(dir, 'out.bin');
    const result = cli('asm', file('prog.s', SOURCE), '-o', out);
    expect(result).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(new Uint8Array(readFileSync(out))).toEqual(BYTES);
  });

  it('reports an assembler error with its line and code', () => {
    const result = cli('asm', file('bad.s', 'mov %r0, 1\nfrob %r0\nexit\n'), '-o', join(dir, 'x.bin'));
    expectOneErrorLine(result, /bad\.s: asm error: line 2: .*frob.* \(UNKNOWN_MNEMONIC\)/);
  });

  it('requires -o', () => {
    expectOneErrorLine(cli('asm', file('prog.s', SOURCE)), /asm: missing -o/);
  });
});

describe('ebpf-wasm disasm', () => {
  it('disassembles bytecode', () => {
    expect(cli('disasm', file('prog.bin', BYTES))).toEqual({ status: 0, stdout: SOURCE, stderr: '' });
  });

  it('prints a listing with slots and bytes', () => {
    const { status, stdout } = cli('disasm', file('prog.bin', BYTES), '--listing');
    expect(status).toBe(0);
    expect(stdout.split('\n')[0]).toBe('   0:\t61 10 02 00 00 00 00 00\tldxw %r0, [%r1+2]');
  });

  it('detects assembler text in a file without a .s extension', () => {
    expect(cli('disasm', file('prog.txt', 'mov %r0,   7   # seven\nexit')).stdout).toBe('mov %r0, 7\nexit\n');
  });

  it('reports the assembler error for text that neither assembles nor decodes', () => {
    expectOneErrorLine(cli('disasm', file('typo.txt', 'mov %r0, 1\nexitt\n')), /typo\.txt: asm error: line 2: .*\(UNKNOWN_MNEMONIC\)/);
  });

  it('treats a .s file as text even when it holds bytes', () => {
    expectOneErrorLine(cli('disasm', file('bytes.s', BYTES)), /bytes\.s: not assembler text/);
  });

  it('reports undecodable bytes with the pc and code', () => {
    const bad = Uint8Array.of(0x95, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0);
    expectOneErrorLine(cli('disasm', file('bad.bin', bad)), /bad\.bin: decode error: unknown opcode 0xff at pc 1 \(UNKNOWN_OPCODE\)/);
  });
});

describe('ebpf-wasm run', () => {
  it('prints r0 as unsigned decimal on both engines, from bytes or text', () => {
    const mem = file('mem.bin', MEM);
    for (const [program, engine] of [['prog.bin', 'jit'], ['prog.bin', 'interp'], ['prog.s', 'jit']]) {
      file('prog.bin', BYTES);
      file('prog.s', SOURCE);
      expect(cli('run', program, '--mem', mem, '--engine', engine)).toEqual({ status: 0, stdout: `${EXPECTED_R0}\n`, stderr: '' });
    }
    expect(cli('run', file('neg.s', 'mov %r0, -1\nexit')).stdout).toBe('18446744073709551615\n');
  });

  it('registers helpers from a --helpers module (default export or named helpers)', () => {
    const prog = file('call.s', 'mov %r1, 20\nmov %r2, 2\ncall 7\nmov %r6, %r0\ncall 8\nadd %r0, %r6\nexit');
    file('default.mjs', 'export default { 7: (a, b) => a * 2n + b, 8: () => 5 };');
    file('named.mjs', 'export const helpers = new Map([[7, (a, b) => a * 2n + b], [8, (_a, _b, _c, _d, _e, env) => env.pc]]);');
    expect(cli('run', prog, '--helpers', 'default.mjs').stdout).toBe('47\n');
    expect(cli('run', prog, '--helpers', 'default.mjs', '--engine', 'interp').stdout).toBe('47\n');
    expect(cli('run', prog, '--helpers', 'named.mjs').stdout).toBe('46\n'); // 42 + the pc of `call 8`
  });

  it('gives programs the kernel helpers; --seed makes bpf_get_prandom_u32 repeatable in both engines', () => {
    const prog = file('random.s', 'call 7\nmov %r6, %r0\ncall 7\nlsh %r6, 32\nor %r0, %r6\nexit');
    const runs = ['jit', 'interp', 'jit'].map((engine) => cli('run', prog, '--seed', '42', '--engine', engine));
    for (const run of runs) expect(run).toEqual({ status: 0, stdout: runs[0].stdout, stderr: '' });
    expect(runs[0].stdout).not.toBe(cli('run', prog, '--seed', '43').stdout);
    // bpf_get_smp_processor_id is 0; --cpus is checked.
    expect(cli('run', file('cpu.s', 'call 8\nexit'), '--cpus', '4').stdout).toBe('0\n');
    expectOneErrorLine(cli('run', file('cpu.s', 'call 8\nexit'), '--cpus', '0'), /--cpus must be an integer from 1 to 1024, got '0'/);
  });

  it('rejects a helpers module without a usable table', () => {
    file('empty.mjs', 'export const x = 1;');
    file('badid.mjs', 'export default { frob: () => 1 };');
    expectOneErrorLine(cli('run', file('p.s', 'exit'), '--helpers', 'empty.mjs'), /--helpers empty\.mjs: expected a default export/);
    expectOneErrorLine(cli('run', file('p.s', 'exit'), '--helpers', 'badid.mjs'), /'frob' is not a helper id/);
  });

  it('reports each kind of bad input on one line with its code', () => {
    expectOneErrorLine(cli('run', 'missing.bin'), /^error: missing\.bin: no such file\n$/);
    expectOneErrorLine(cli('run', file('oob.s', SOURCE)), /oob\.s: runtime error: access of 4 bytes at 0x20002 is outside program memory at pc 0 \(OUT_OF_BOUNDS\)/);
    expectOneErrorLine(cli('run', file('jmp.s', 'ja +5\nexit')), /jmp\.s: verifier error: .* at pc 0 \(JUMP_OUT_OF_RANGE\)/);
    expectOneErrorLine(cli('run', file('jmp.s', 'ja +5\nexit'), '--engine', 'interp'), /jmp\.s: verifier error: .* at pc 0 \(JUMP_OUT_OF_RANGE\)/);
    expectOneErrorLine(cli('run', file('call.s', 'call 99\nexit')), /call\.s: verifier error: .*99.* \(UNKNOWN_HELPER\)/);
    expectOneErrorLine(cli('run', file('loop.s', 'ja -1'), '--budget', '1000'), /loop\.s: runtime error: .*budget.* \(BUDGET_EXHAUSTED\)/);
    expectOneErrorLine(cli('run', file('p.s', 'exit'), '--engine', 'v8'), /--engine must be one of jit, interp, got 'v8'/);
    expectOneErrorLine(cli('run', file('p.s', 'exit'), '--frob'), /run: Unknown option '--frob'/);
  });
});

describe('ebpf-wasm wat', () => {
  it('prints the module text with the run export', () => {
    const { status, stdout } = cli('wat', file('prog.bin', BYTES));
    expect(status).toBe(0);
    expect(stdout).toMatch(/^\(module\n/);
    expect(stdout).toContain('(export "run"');
  });
});

describe('ebpf-wasm bench', () => {
  it('prints the compile time, the return value and the average duration, bpftool style', () => {
    for (const engine of ['jit', 'interp']) {
      const { status, stdout } = cli('bench', file('prog.bin', BYTES), '--mem', file('mem.bin', MEM), '--repeat', '50', '--warmup', '20', '--engine', engine);
      expect(status).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^Engine: ${engine}, 50 timed runs after \\d+ untimed warm-up runs$`));
      expect(lines[1]).toMatch(/^Compile time: \d+\.\d{3} ms \(first compile in this process: \d+\.\d{3} ms\)$/);
      expect(lines[2]).toMatch(new RegExp(`^Return value: ${EXPECTED_R0}, duration \\(average\\): \\d+ns$`));
    }
  });

  it('rejects a non-positive --repeat', () => {
    expectOneErrorLine(cli('bench', file('prog.bin', BYTES), '--repeat', '0'), /--repeat must be an integer from 1 to 9007199254740991, got '0'/);
  });

  it('times by duration without --repeat, so a tiny program is not timed over a thousand runs', () => {
    const { status, stdout } = cli('bench', file('tiny.s', 'mov %r0, 42\nexit\n'), '--time', '50', '--warmup', '10');
    expect(status).toBe(0);
    const [first, , last] = stdout.trimEnd().split('\n');
    const runs = Number(/^Engine: jit, (\d+) timed runs \(at least 50 ms\) after \d+ untimed warm-up runs$/.exec(first)?.[1]);
    // A run of this program is tens of nanoseconds at most: 50 ms hold far more than 1000.
    expect(runs).toBeGreaterThan(10_000);
    expect(last).toMatch(/^Return value: 42, duration \(average\): \d+ns$/);
    expectOneErrorLine(cli('bench', file('tiny.s', 'exit'), '--time', '5', '--repeat', '5'), /bench: give --time or --repeat, not both/);
  });
});

describe('numeric flags', () => {
  const prog = () => file('prog.bin', BYTES);
  // parseArgs used to call '-5' an ambiguous argument, and 2^53+1 "not an integer".
  it.each([
    ['run', '--budget', '-5', "--budget must be an integer from 0 to 9007199254740991, got '-5'"],
    ['run', '--budget', '9007199254740993', "--budget must be an integer from 0 to 9007199254740991, got '9007199254740993'"],
    ['run', '--budget', '1.5', "--budget must be an integer from 0 to 9007199254740991, got '1.5'"],
    ['run', '--cpus', '-2', "--cpus must be an integer from 1 to 1024, got '-2'"],
    ['run', '--cpus', '99999999999999999999', "--cpus must be an integer from 1 to 1024, got '99999999999999999999'"],
    ['run', '--seed', '-1', "--seed must be an integer from 0 to 4294967295, got '-1'"],
    ['run', '--seed', '4294967296', "--seed must be an integer from 0 to 4294967295, got '4294967296'"],
    ['bench', '--repeat', '-1', "--repeat must be an integer from 1 to 9007199254740991, got '-1'"],
    ['bench', '--warmup', '-10', "--warmup must be an integer from 0 to 3600000, got '-10'"],
  ])('%s %s %s: one line with the range', (command, flag, value, message) => {
    expectOneErrorLine(cli(command, prog(), flag, value), new RegExp(`^error: ${message.replace(/[()^$.]/g, '\\$&')}$`, 'm'));
    expectOneErrorLine(cli(command, prog(), `${flag}=${value}`), new RegExp(message.replace(/[()^$.]/g, '\\$&')));
  });

  it('accepts the ends of each range', () => {
    expect(cli('run', prog(), '--mem', file('mem.bin', MEM), '--budget', '9007199254740991', '--cpus', '1024', '--seed', '4294967295'))
      .toEqual({ status: 0, stdout: `${EXPECTED_R0}\n`, stderr: '' });
  });

  it('a flag\'s value that starts with a dash but is no number is still refused', () => {
    expectOneErrorLine(cli('run', prog(), '--mem', '-x'), /run: Option '--mem' argument is ambiguous/);
  });
});

describe('files that are not what they are named', () => {
  const PNG = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1);

  it('a .o that is no ELF object says so, in every command', () => {
    for (const command of ['run', 'disasm', 'wat', 'bench']) {
      expectOneErrorLine(cli(command, file('x.o', PNG)), /x\.o: not an ELF object \(it starts 89 50 4e 47 0d 0a 1a 0a \.\.\., not 7f 45 4c 46, \\x7fELF\)$/m);
    }
  });

  it('binary that decodes to nothing says what it is not, with the decoder\'s reason', () => {
    expectOneErrorLine(cli('run', file('x.bin', PNG)),
      /x\.bin: not bytecode, assembler text or an ELF object \(it starts 89 50 4e 47 .*\): decode error: program length 20 is not a multiple of 8 .*\(TRAILING_BYTES\)$/m);
    // Bytecode with one bad instruction past the first keeps the plain decode error.
    const bad = Uint8Array.of(...BYTES.subarray(0, 8), 0xff, 0, 0, 0, 0, 0, 0, 0);
    expectOneErrorLine(cli('run', file('bad.bin', bad)), /bad\.bin: decode error: .*at pc 1 \(UNKNOWN_OPCODE\)$/m);
  });
});

describe('ebpf-wasm', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V', 'version']) expect(cli(flag)).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('lists the commands with --help and prints each command\'s help', () => {
    const top = cli('--help');
    expect(top.status).toBe(0);
    for (const name of ['asm', 'disasm', 'run', 'verify', 'wat', 'bench', 'filter']) {
      expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
      const help = cli(name, '--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: ebpf-wasm ${name} `));
      expect(cli('help', name).stdout).toBe(help.stdout);
    }
  }, 180_000); // 15 processes

  it('rejects an unknown or missing command', () => {
    expectOneErrorLine(cli('frob'), /unknown command 'frob'/);
    expectOneErrorLine(cli(), /missing command/);
  });
});
