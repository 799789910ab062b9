/**
 * `ebpf-wasm run` on ELF objects and C sources, with the checked-in objects of
 * test/fixtures/elf (no compiler needed: the `.c` path runs a fake clang), and the
 * `--dump-maps` format on maps of every type.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { machine } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpMap, dumpMaps, hex } from '../src/cli/dump-maps.js';
import { assembleBytes } from '../src/decode/asm.js';
import { interpreter } from '../src/interp/interpreter.js';
import { Runtime } from '../src/runtime/runtime.js';
import { buildElf, code, func } from './support/elf-builder.js';
import { expectOneErrorLine, scratchDir } from './support/cli.js';
import { node, REPO } from './support/spawn.js';

const FIXTURES = join(REPO, 'test', 'fixtures', 'elf');
const { dir, file } = scratchDir('ebpf-wasm-cli-elf-');

const cli = (args: string[], env?: NodeJS.ProcessEnv) => node('src/cli/main.js', args, { cwd: FIXTURES, env });

/** An Ethernet frame of 14 bytes whose EtherType is IPv4 (0x0800). */
const FRAME = file('frame.bin', Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00));
const HELLO_TRACE = 'hello: 14 bytes, ethertype 0x800\n';

/** What hello.bpf.o leaves in its maps after one run over FRAME. */
const HELLO_MAPS = `
1: hash  name ethertypes  flags 0x0  key 4B  value 8B  max_entries 64
key: 00 08 00 00  value: 01 00 00 00 00 00 00 00
Found 1 element

2: array  name .bss  flags 0x0  key 4B  value 8B  max_entries 1
key: 00 00 00 00  value: 01 00 00 00 00 00 00 00
Found 1 element

3: array  name .rodata  flags 0x0  key 4B  value 34B  max_entries 1
key:
00 00 00 00
value:
68 65 6c 6c 6f 3a 20 25  6c 6c 75 20 62 79 74 65
73 2c 20 65 74 68 65 72  74 79 70 65 20 30 78 25
78 00
Found 1 element
`;

/** A one-program object written by the test ELF builder. */
function object(name: string, asm: string): string {
  const insns = assembleBytes(asm);
  return file(name, buildElf({ sections: [code('raw', insns)], symbols: [func('prog', 'raw', insns.length)] }));
}

describe('ebpf-wasm run <object.o>', () => {
  it('runs the only program: r0 on stdout, bpf_trace_printk on stderr, on both engines', () => {
    for (const engine of ['jit', 'interp']) {
      expect(cli(['run', 'hello.bpf.o', '--mem', FRAME, '--engine', engine])).toEqual({ status: 0, stdout: '2048\n', stderr: HELLO_TRACE });
    }
    // Shorter than an Ethernet header: the program returns 0 before printing.
    expect(cli(['run', 'hello.bpf.o'])).toEqual({ status: 0, stdout: '0\n', stderr: '' });
  });

  it('picks a program by function name or by a SEC() name that holds one program', () => {
    const words = file('words.bin', new Uint8Array(new BigUint64Array([3n, 4n, 5n]).buffer));
    expect(cli(['run', 'programs.o', '--section', 'first', '--mem', words]).stdout).toBe('25\n'); // 3*3 + 4*4
    expect(cli(['run', 'programs.o', '--section', 'second', '--mem', words]).stdout).toBe(`${(9 + 16 + 25) * 31 + 7}\n`);
    expect(cli(['run', 'programs.o', '--section', 'raw/sum', '--mem', words, '--engine', 'interp']).stdout).toBe(`${24 * 31 + 7}\n`);
    expect(cli(['run', 'hello.bpf.o', '--section', 'raw', '--mem', FRAME]).stdout).toBe('2048\n');
  });

  it('lists the programs when the object has several and no --section names one', () => {
    expectOneErrorLine(cli(['run', 'programs.o']),
      /^error: programs\.o: the object has 3 programs, pick one with --section <name>: first \(raw\), second \(raw\), third \(raw\/sum\)\n$/);
  });

  it('reports an unknown or ambiguous --section with the programs there are', () => {
    expectOneErrorLine(cli(['run', 'programs.o', '--section', 'frob']),
      /programs\.o: elf error: no program or section named 'frob' \(programs: first, second, third\) \(NO_PROGRAM\)/);
    expectOneErrorLine(cli(['run', 'programs.o', '--section', 'raw']),
      /programs\.o: elf error: section 'raw' holds 2 programs \(first, second\); name one \(AMBIGUOUS_PROGRAM\)/);
  });

  it('reports a malformed object on one line with its ElfError code', () => {
    const truncated = file('truncated.o', readFileSync(join(FIXTURES, 'globals.o')).subarray(0, 100));
    expectOneErrorLine(cli(['run', truncated]), /truncated\.o: elf error: section header table .* \(BAD_SECTION_HEADERS\)/);
  });

  it('reports programs the engines reject, and runtime traps, on one line with the pc', () => {
    const badJump = object('jump.o', 'ja +5\nexit');
    expectOneErrorLine(cli(['run', badJump]), /jump\.o: verifier error: .* at pc 0 \(JUMP_OUT_OF_RANGE\)/);
    expectOneErrorLine(cli(['run', badJump, '--engine', 'interp']), /jump\.o: verifier error: .* at pc 0 \(JUMP_OUT_OF_RANGE\)/);
    expectOneErrorLine(cli(['run', object('oob.o', 'ldxw %r0, [%r1+2]\nexit')]), /oob\.o: runtime error: access of 4 bytes .* at pc 0 \(OUT_OF_BOUNDS\)/);
    expectOneErrorLine(cli(['run', object('unknown.o', 'call 9999\nexit')]), /unknown\.o: verifier error: .*9999.* \(UNKNOWN_HELPER\)/);
    for (const engine of ['jit', 'interp']) {
      const loop = cli(['run', object('loop.o', 'ja -1'), '--budget', '1000', '--engine', engine]);
      expectOneErrorLine(loop, /loop\.o: runtime error: .*budget.* \(BUDGET_EXHAUSTED\)/);
    }
  });

  it('adds --helpers to the kernel helpers, replacing those with the same id', () => {
    file('extra.mjs', 'export default { 9999: (a) => a * 2n };');
    const double = object('double.o', 'mov %r1, 21\ncall 9999\nexit');
    for (const engine of ['jit', 'interp']) {
      expect(cli(['run', double, '--helpers', join(dir, 'extra.mjs'), '--engine', engine]).stdout).toBe('42\n');
    }
    // Helper 6 is bpf_trace_printk; the map helpers (1, 2) stay the kernel's.
    file('printk.mjs', "export default { 6: (fmt, size, len, type) => { process.stderr.write(`custom ${len} ${type}\\n`); return 0; } };");
    const result = cli(['run', 'hello.bpf.o', '--mem', FRAME, '--helpers', join(dir, 'printk.mjs'), '--dump-maps']);
    expect(result.stderr).toBe('custom 14 2048\n');
    expect(result.stdout).toBe(`2048\n${HELLO_MAPS}`);
  });

  it('rejects --section and --dump-maps for raw programs, and ELF objects in other commands', () => {
    const raw = file('raw.s', 'mov %r0, 1\nexit');
    expectOneErrorLine(cli(['run', raw, '--dump-maps']), /raw\.s: --section and --dump-maps apply to ELF objects and C sources/);
    expectOneErrorLine(cli(['run', raw, '--section', 'xdp']), /raw\.s: --section and --dump-maps apply to ELF objects/);
    expectOneErrorLine(cli(['disasm', 'hello.bpf.o']), /hello\.bpf\.o: only 'ebpf-wasm run' takes ELF objects/);
    expectOneErrorLine(cli(['wat', 'hello.bpf.c']), /hello\.bpf\.c: only 'ebpf-wasm run' takes C sources/);
  });
});

describe('ebpf-wasm run --dump-maps', () => {
  it('prints every map of the object after r0: hash, .bss and .rodata', () => {
    for (const engine of ['jit', 'interp']) {
      const result = cli(['run', 'hello.bpf.o', '--mem', FRAME, '--dump-maps', '--engine', engine]);
      expect(result).toEqual({ status: 0, stdout: `2048\n${HELLO_MAPS}`, stderr: HELLO_TRACE });
    }
  });

  it('shows what a program left in hash, array, per-CPU, LRU, queue and ring buffer maps', () => {
    const { status, stdout } = cli(['run', 'btf_maps.o', '--section', 'remember', '--mem', FRAME, '--dump-maps']);
    expect(status).toBe(0);
    const blocks = stdout.split('\n\n');
    expect(blocks[0]).toBe('0');
    expect(blocks.map((b) => b.split('\n')[0])).toEqual([
      '0',
      '1: hash  name flows  flags 0x1  key 16B  value 8B  max_entries 1024',
      '2: array  name totals  flags 0x0  key 4B  value 32B  max_entries 8',
      '3: percpu_array  name percpu  flags 0x0  key 4B  value 64B  max_entries 1',
      '4: lru_hash  name verdicts  flags 0x0  key 16B  value 4B  max_entries 128',
      '5: queue  name pending  flags 0x0  key 0B  value 4B  max_entries 16',
      '6: ringbuf  name events  flags 0x0  key 0B  value 0B  max_entries 4096',
    ]);
    expect(blocks[1].split('\n').slice(1)).toEqual(['Found 0 elements']);
    const zeros16 = '00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00';
    expect(blocks[2].split('\n').slice(1, 6)).toEqual(['key:', '00 00 00 00', 'value:', zeros16, zeros16]);
    expect(blocks[2]).toMatch(/\nkey:\n07 00 00 00\nvalue:\n[^]*\nFound 8 elements$/);
    expect(blocks[3].split('\n').slice(1)).toEqual(['key:', '00 00 00 00', 'value (CPU 00):', zeros16, zeros16, zeros16, zeros16, 'Found 1 element']);
    // remember(len = 14): verdicts[14] = DROP (1), push 14, ringbuf_output 14.
    expect(blocks[4].split('\n').slice(1)).toEqual(['key: 0e 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  value: 01 00 00 00', 'Found 1 element']);
    expect(blocks[5].split('\n').slice(1)).toEqual(['value: 0e 00 00 00', 'Found 1 element']);
    expect(blocks[6].split('\n').slice(1)).toEqual(['record: 0e 00 00 00', 'Found 1 record', '']);
  });

  it('says so when the object has no maps', () => {
    expect(cli(['run', 'programs.o', '--section', 'third', '--dump-maps']).stdout).toBe(`${7}\n\nNo maps\n`);
  });
});

describe('ebpf-wasm run <source.c>', () => {
  /** A directory holding fake compilers, to be the whole PATH. */
  function fakeBin(scripts: Record<string, string>): string {
    const bin = mkdtempSync(join(dir, 'bin-'));
    for (const [name, body] of Object.entries(scripts)) {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    }
    return bin;
  }

  /** Records its arguments in $0.args and copies hello.bpf.o to its -o argument, as clang would write the object. */
  const FAKE_CLANG = `printf '%s\\n' "$@" > "$0.args"
while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
exec /bin/cp "${join(FIXTURES, 'hello.bpf.o')}" "$out"`;

  it('compiles with clang from PATH, with the flags libbpf users build with, then runs the object', () => {
    const bin = fakeBin({ clang: FAKE_CLANG });
    const result = cli(['run', 'hello.bpf.c', '--mem', FRAME, '--dump-maps'], { PATH: bin });
    expect(result).toEqual({ status: 0, stdout: `2048\n${HELLO_MAPS}`, stderr: HELLO_TRACE });
    const args = readFileSync(join(bin, 'clang.args'), 'utf8').trimEnd().split('\n');
    expect(args.slice(0, -1)).toEqual(['-O2', '-g', '-target', 'bpf', `-I/usr/include/${machine()}-linux-gnu`, '-c', 'hello.bpf.c', '-o']);
    expect(args.at(-1)).toMatch(/ebpf-wasm-cc-.*\/hello\.bpf\.o$/);
  });

  it('falls back to clang-14 when there is no clang', () => {
    const bin = fakeBin({ 'clang-14': FAKE_CLANG });
    expect(cli(['run', 'hello.bpf.c', '--mem', FRAME], { PATH: bin })).toEqual({ status: 0, stdout: '2048\n', stderr: HELLO_TRACE });
  });

  it('passes on clang\'s diagnostics and ends with one error line when the compile fails', () => {
    const bin = fakeBin({ clang: `echo "hello.bpf.c:3:1: error: unknown type name 'frob'" >&2\necho "1 error generated." >&2\nexit 1` });
    const result = cli(['run', 'hello.bpf.c'], { PATH: bin });
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: "hello.bpf.c:3:1: error: unknown type name 'frob'\n1 error generated.\nerror: cannot compile hello.bpf.c: clang failed with exit status 1\n",
    });
  });

  it('says clang is missing when no clang is on PATH', () => {
    const empty = join(dir, 'empty-bin');
    mkdirSync(empty, { recursive: true });
    expectOneErrorLine(cli(['run', 'hello.bpf.c'], { PATH: empty }),
      /^error: cannot compile hello\.bpf\.c: clang not found on PATH \(install clang, or compile with clang -O2 -g -target bpf -c and run the \.o\)\n$/);
  });

  it('reports a missing source without running clang', () => {
    expectOneErrorLine(cli(['run', 'missing.c'], { PATH: join(dir, 'empty-bin') }), /^error: missing\.c: no such file\n$/);
  });
});

describe('dumpMaps', () => {
  const bytes = (...b: number[]) => Uint8Array.from(b);

  it('prints hex as bpftool does: 16 bytes a line, a wider gap after the eighth', () => {
    expect(hex(bytes())).toBe('');
    expect(hex(Uint8Array.from({ length: 18 }, (_, i) => i * 15))).toBe(
      '00 0f 1e 2d 3c 4b 5a 69  78 87 96 a5 b4 c3 d2 e1\nf0 ff');
  });

  it('shows every CPU\'s value of a per-CPU map', () => {
    const runtime = new Runtime({ cpus: 2 });
    const map = runtime.createMap({ type: 'percpu_hash', keySize: 2, valueSize: 4, maxEntries: 4, name: 'per' });
    map.update(bytes(1, 0), bytes(1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0));
    expect(dumpMap(map)).toEqual([
      '1: percpu_hash  name per  flags 0x0  key 2B  value 4B  max_entries 4',
      'key:', '01 00', 'value (CPU 00): 01 00 00 00', 'value (CPU 01): 02 00 00 00', 'Found 1 element',
    ]);
  });

  it('shows a stack and a queue in pop order and leaves them as they were', () => {
    const runtime = new Runtime();
    const stack = runtime.createMap({ type: 'stack', keySize: 0, valueSize: 2, maxEntries: 4, name: 'stk' });
    const queue = runtime.createMap({ type: 'queue', keySize: 0, valueSize: 2, maxEntries: 4, name: 'q' });
    for (const v of [1, 2, 3]) {
      stack.push(bytes(v, 0));
      queue.push(bytes(v, 0));
    }
    for (let round = 0; round < 2; round++) {
      expect(dumpMap(stack).slice(1)).toEqual(['value: 03 00', 'value: 02 00', 'value: 01 00', 'Found 3 elements']);
      expect(dumpMap(queue).slice(1)).toEqual(['value: 01 00', 'value: 02 00', 'value: 03 00', 'Found 3 elements']);
    }
    expect(stack.pop()).toEqual(bytes(3, 0));
    expect(queue.pop()).toEqual(bytes(1, 0));
  });

  it('shows pending perf records with their CPU and the lost count', () => {
    const runtime = new Runtime();
    const perf = runtime.createMap({ type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: 1, name: 'perf' });
    perf.capacity = 2;
    for (const b of [1, 2, 3]) perf.output(0xffff_ffffn, bytes(b, b));
    expect(dumpMap(perf).slice(1)).toEqual(['record (CPU 00): 01 01', 'record (CPU 00): 02 02', 'Found 2 records', 'Lost 1 record']);
  });

  it('shows the occupied slots of a program array', () => {
    const runtime = new Runtime();
    const jumps = runtime.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 8, name: 'jumps' });
    const program = interpreter(assembleBytes('mov %r0, 0\nexit'), { runtime });
    Object.defineProperty(program, 'name', { value: 'parser' });
    jumps.set(5, program);
    expect(dumpMap(jumps).slice(1)).toEqual(["key: 05 00 00 00  value: program 'parser'", 'Found 1 element']);
  });

  it('prints an error in place of the entries of a map the host may not read', () => {
    const runtime = new Runtime();
    const map = runtime.createMap({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 4, name: 'secret', flags: 1 << 4 });
    map.update(bytes(1, 0, 0, 0), bytes(2, 0, 0, 0));
    expect(dumpMap(map)).toEqual([
      '1: hash  name secret  flags 0x10  key 4B  value 4B  max_entries 4',
      "Error: read on hash map 'secret' (fd 1): the map was created with BPF_F_WRONLY",
    ]);
  });

  it('separates the blocks with a blank line, and gives nothing for no maps', () => {
    const runtime = new Runtime();
    const a = runtime.createMap({ type: 'array', keySize: 4, valueSize: 1, maxEntries: 1, name: 'a' });
    const b = runtime.createMap({ type: 'hash', keySize: 4, valueSize: 1, maxEntries: 1, name: 'b' });
    expect(dumpMaps([a, b])).toBe([
      '1: array  name a  flags 0x0  key 4B  value 1B  max_entries 1', 'key: 00 00 00 00  value: 00', 'Found 1 element', '',
      '2: hash  name b  flags 0x0  key 4B  value 1B  max_entries 1', 'Found 0 elements', '',
    ].join('\n'));
    expect(dumpMaps([])).toBe('');
  });
});
