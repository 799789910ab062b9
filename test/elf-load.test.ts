import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble, disassemble, encode, load, loadProgram, parseObject, bindMapFds, ElfError, EbpfError, Runtime, decode, type Insn, type MapSpec } from '../src/index.js';

/**
 * The ELF loader on the checked-in clang-14 objects (test/fixtures/elf, built by
 * build.sh). Expected instructions come from `llvm-objdump-14 -dr` of the same objects,
 * with the relocations applied by hand; the map definitions are what libbpf 1.1
 * (`bpf_object__open_file`) reports for them.
 */

const fixture = (name: string) => readFileSync(new URL(`./fixtures/elf/${name}.o`, import.meta.url));
const ENGINES = ['jit', 'interp'] as const;

function program(object: ReturnType<typeof parseObject>, name: string) {
  const p = object.programs.find((q) => q.name === name);
  if (!p) throw new Error(`no program ${name}`);
  return p;
}

/** Instructions must number their slots consecutively from 0 and encode to the expected text. */
function expectLinked(insns: readonly Insn[], expected: string): void {
  let slot = 0;
  for (const insn of insns) {
    expect(insn.pc).toBe(slot);
    slot += insn.spec.slots;
  }
  expect(disassemble(insns)).toBe(disassemble(assemble(expected)));
  expect(encode(insns)).toEqual(encode(assemble(expected)));
}

function lddws(insns: readonly Insn[]): string[] {
  return insns.filter((i) => i.spec.sem.kind === 'lddw').map((i) => disassemble([i]).trim());
}

function words(...values: bigint[]): Uint8Array {
  return new Uint8Array(new BigUint64Array(values).buffer);
}

const SUM_SQUARES = `
  mov %r6, %r1
  mov %r0, 0
  jeq32 %r2, 0, +14
  mov %r7, 0
  mov32 %r1, %r2
  stxdw [%r10-8], %r1
  mov %r8, 0
  mov %r9, %r7
  ldxdw %r1, [%r6]
  call local +8          # square, resolved by clang (no relocation), follows sum_squares
  add %r0, %r8
  add %r7, 1
  ldxdw %r1, [%r10-8]
  jge %r7, %r1, +3
  add %r6, 8
  mov %r8, %r0
  jlt %r9, 7, -10
  exit
`;
const SQUARE = `
  mov %r0, %r1
  mul %r0, %r0
  exit
`;

describe('programs.o: several programs, a .text subprogram shared by two of them', () => {
  const object = parseObject(fixture('programs'));

  it('finds the programs by symbol, with their SEC() names, in section order', () => {
    expect(object.programs.map((p) => [p.name, p.section])).toEqual([['first', 'raw'], ['second', 'raw'], ['third', 'raw/sum']]);
    expect(object.maps).toEqual([]);
    expect(object.license).toBe('Dual MIT/GPL');
  });

  it('appends sum_squares and the static square it calls after first, and points the call at it', () => {
    expectLinked(program(object, 'first').insns, `
      mov %r0, 0
      jlt %r2, 16, +2
      mov32 %r2, 2
      call local +1          # slot 3 -> 5, sum_squares
      exit
      ${SUM_SQUARES}
      ${SQUARE}
    `);
  });

  it('appends its own copy of sum_squares to second, after second\'s 7 slots', () => {
    expectLinked(program(object, 'second').insns, `
      mov %r0, 1
      jlt %r2, 24, +4
      mov32 %r2, 3
      call local +3          # slot 3 -> 7
      mul %r0, 31            # mix(), inlined
      add %r0, 7
      exit
      ${SUM_SQUARES}
      ${SQUARE}
    `);
  });

  it('leaves a program without calls as it is', () => {
    expectLinked(program(object, 'third').insns, 'mov %r0, %r2\nmul %r0, 31\nadd %r0, 7\nexit');
  });

  for (const engine of ENGINES) {
    it(`runs every program in the ${engine} engine`, () => {
      const loaded = load(fixture('programs'), { engine });
      const mem = words(3n, 4n, 5n, 6n);
      const first = loaded.program('first');
      expect(first.engine).toBe(engine);
      expect([first.name, first.section]).toEqual(['first', 'raw']);
      expect(first(mem)).toBe(3n * 3n + 4n * 4n);
      expect(first(mem.subarray(0, 8))).toBe(0n);
      expect(loaded.program('second')(mem)).toBe((9n + 16n + 25n) * 31n + 7n);
      expect(loaded.program('raw/sum')(mem)).toBe(32n * 31n + 7n);
      expect([...loaded.programs.keys()]).toEqual(['first', 'second', 'third']);
      expect(loaded.maps.size).toBe(0);
      expect(loaded.license).toBe('Dual MIT/GPL');
      // All programs share the one runtime (and would share its maps).
      expect(loaded.program('third').runtime).toBe(first.runtime);
    });
  }

  it('program() names the candidates when a section holds several programs, and lists programs when none matches', () => {
    const loaded = load(fixture('programs'), { engine: 'interp' });
    expect(() => loaded.program('raw')).toThrow(/section 'raw' holds 2 programs \(first, second\)/);
    expect(() => loaded.program('kprobe')).toThrow(/no program or section named 'kprobe' \(programs: first, second, third\)/);
    try {
      loaded.program('nope');
    } catch (e) {
      expect(e).toBeInstanceOf(ElfError);
      expect((e as ElfError).code).toBe('NO_PROGRAM');
    }
  });

  it('uses the given runtime and budget', () => {
    const runtime = new Runtime();
    const loaded = load(fixture('programs'), { runtime, budget: 5, engine: 'interp' });
    expect(loaded.runtime).toBe(runtime);
    expect(loaded.program('third').runtime).toBe(runtime);
    expect(() => loaded.program('first')(words(1n, 2n))).toThrow(/budget/i);
  });
});

describe('loop_callback.o: bpf_loop with a static callback in .text', () => {
  const object = parseObject(fixture('loop_callback'));

  it('turns the callback address into an lddw func (BPF_PSEUDO_FUNC) pointing at the appended callback', () => {
    expectLinked(program(object, 'weighted_sum').insns, `
      stxdw [%r10-8], %r2
      mov %r1, 0
      stxdw [%r10-16], %r1
      mov %r3, %r10
      add %r3, -16
      mov32 %r1, 10
      lddw %r2, func(+5)     # slots 6-7; 6 + 1 + 5 = 12, the callback
      mov %r4, 0
      call 181               # bpf_loop
      ldxdw %r0, [%r10-16]
      exit
      ldxdw %r3, [%r2+8]     # add_step
      mul %r3, %r1
      ldxdw %r1, [%r2]
      add %r1, %r3
      stxdw [%r2], %r1
      mov32 %r0, 1
      jgt %r1, 100000, +1
      mov32 %r0, 0
      exit
    `);
  });

  for (const engine of ENGINES) {
    it(`runs the callback through bpf_loop (a default runtime has the kernel helpers), ${engine}`, () => {
      const loaded = load(fixture('loop_callback'), { engine });
      // sum of index * len over index 0..9, with len = 8
      expect(loaded.program('weighted_sum')(words(0n))).toBe(45n * 8n);
      // add_step stops the loop once the sum passes 100000: with len = 5000, after index 6
      expect(loaded.program('weighted_sum')(new Uint8Array(5000))).toBe((1n + 2n + 3n + 4n + 5n + 6n) * 5000n);
    });
  }
});

/** libbpf 1.1 (bpf_object__open_file) on globals.o; libbpf prefixes the object name to .data/.rodata/.bss. */
const GLOBAL_MAPS: Partial<MapSpec>[] = [
  { name: '.data', type: 'array', keySize: 4, valueSize: 12, maxEntries: 1 },
  { name: '.rodata', type: 'array', keySize: 4, valueSize: 24, maxEntries: 1, readonly: true },
  { name: '.bss', type: 'array', keySize: 4, valueSize: 32, maxEntries: 1 },
  { name: '.rodata.str1.1', type: 'array', keySize: 4, valueSize: 28, maxEntries: 1, readonly: true },
];

describe('globals.o: .data, .rodata, .bss and string literals as one-entry array maps', () => {
  const object = parseObject(fixture('globals'));

  it('makes a map of each global-variable section, with its contents as the initial value', () => {
    expect(object.maps.map(({ initial, ...spec }) => spec)).toEqual(GLOBAL_MAPS);
    const [data, rodata, bss, strings] = object.maps;
    expect(data.initial).toEqual(Uint8Array.from([5, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0]));        // counter = 5, hits = 3
    expect(rodata.initial).toEqual(Uint8Array.from([
      0xe8, 0x03, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]));          // limit = 1000, scale
    expect(bss.initial).toBeUndefined();                                                          // starts zeroed
    expect(new TextDecoder().decode(strings.initial)).toBe('hello, loader\0merged string\0');
    expect(object.license).toBe('GPL');
  });

  it('relocates global symbols (offset from the symbol) and static ones (offset in the instruction) to map_idx_value', () => {
    expect(lddws(program(object, 'bump').insns)).toEqual([
      'lddw %r1, map_idx_value(2, 0)',   // seen (static, .bss + 0)
      'lddw %r1, map_idx_value(0, 8)',   // hits (static, .data + 8)
      'lddw %r1, map_idx_value(0, 0)',   // counter
      'lddw %r1, map_idx_value(2, 8)',   // scratch (symbol value 8)
      'lddw %r1, map_idx_value(1, 0)',   // limit
    ]);
    expect(lddws(program(object, 'scaled').insns)).toEqual(['lddw %r1, map_idx_value(1, 8)', 'lddw %r2, map_idx_value(1, 0)']);
    expect(lddws(program(object, 'message_byte').insns)).toEqual(['lddw %r1, map_idx_value(3, 14)', 'lddw %r3, map_idx_value(3, 0)']);
  });

  it('keeps everything else as clang emitted it', () => {
    const bump = program(object, 'bump').insns;
    const raw = decode(readRawSection(fixture('globals'), 'raw').subarray(0, 23 * 8));
    expect(bump.length).toBe(raw.length);
    bump.forEach((insn, i) => {
      if (insn.spec.sem.kind === 'lddw') expect(raw[i].spec.sem.kind).toBe('lddw');
      else expect(insn).toEqual(raw[i]);
    });
  });

  it('binds map indexes to fds: map_idx_value(i, off) -> map_value(fd, off)', () => {
    const bound = bindMapFds(program(object, 'bump').insns, [10, 11, 12, 13]);
    expect(lddws(bound)).toEqual([
      'lddw %r1, map_value(12, 0)', 'lddw %r1, map_value(10, 8)', 'lddw %r1, map_value(10, 0)',
      'lddw %r1, map_value(12, 8)', 'lddw %r1, map_value(11, 0)',
    ]);
    expect(() => bindMapFds(program(object, 'bump').insns, [10])).toThrow(ElfError);
  });

  /**
   * Without the maps runtime, place each global-variable map's value in runtime memory
   * by hand and turn map_idx_value(i, off) into the constant address + off: the
   * programs then run and show that every relocation points at the right variable.
   */
  function placeGlobals(runtime: Runtime): (insns: readonly Insn[]) => Insn[] {
    const addresses = object.maps.map((spec) => {
      const addr = runtime.allocate(spec.valueSize);
      if (spec.initial) runtime.bytes().set(spec.initial, addr);
      return addr;
    });
    const [lddwImm] = assemble('lddw %r0, 0');
    return (insns) => insns.map((insn) => {
      const sem = insn.spec.sem;
      if (sem.kind !== 'lddw' || sem.pseudo !== 'map_idx_value') return insn;
      return { ...lddwImm, pc: insn.pc, dst: insn.dst, imm: addresses[insn.imm] + insn.imm2, imm2: 0 };
    });
  }

  for (const engine of ENGINES) {
    it(`runs with the variables the relocations point at (values placed by hand), ${engine}`, () => {
      const runtime = new Runtime();
      const place = placeGlobals(runtime);
      const run = (name: string, mem: Uint8Array) => loadProgram(place(program(object, name).insns), { engine, runtime })(mem);
      expect(run('bump', new Uint8Array(16))).toBe(21n);                             // counter = 5 + 16, under limit
      expect(run('read_back', new Uint8Array(0))).toBe(21n * 1_000_000n + 4n * 1000n + 21n + 1n);
      expect(run('bump', new Uint8Array(1000))).toBe(1000n);                         // capped by .rodata limit
      expect(run('scaled', new Uint8Array(2))).toBe(3n * 1000n);                     // scale[2] * limit
      expect(run('message_byte', new Uint8Array(0))).toBe(BigInt('h'.charCodeAt(0) + 'm'.charCodeAt(0)));
      expect(run('message_byte', new Uint8Array(20))).toBe(BigInt('r'.charCodeAt(0) + 'g'.charCodeAt(0)));
    });
  }
});

describe('btf_maps.o: BTF-defined maps of six types', () => {
  const object = parseObject(fixture('btf_maps'));

  it('reads type, key/value sizes (from __type() or __uint()), max_entries and map_flags as libbpf does', () => {
    expect(object.maps).toEqual([
      { name: 'flows', type: 'hash', keySize: 16, valueSize: 8, maxEntries: 1024, flags: 1 },     // typedef struct; const volatile typedef
      { name: 'totals', type: 'array', keySize: 4, valueSize: 32, maxEntries: 8, flags: 0 },      // __u64[4]
      { name: 'percpu', type: 'percpu_array', keySize: 4, valueSize: 64, maxEntries: 1, flags: 0 }, // key_size / value_size
      { name: 'verdicts', type: 'lru_hash', keySize: 16, valueSize: 4, maxEntries: 128, flags: 0 }, // union key, enum value
      { name: 'pending', type: 'queue', keySize: 0, valueSize: 4, maxEntries: 16, flags: 0 },
      { name: 'events', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096, flags: 0 },
    ]);
  });

  it('relocates each map reference to map_idx with the map\'s index', () => {
    expect(object.programs.map((p) => [p.name, p.section, lddws(p.insns)])).toEqual([
      ['count_flow', 'raw', ['lddw %r1, map_idx(0)', 'lddw %r1, map_idx(0)']],
      ['add_total', 'raw', ['lddw %r1, map_idx(1)', 'lddw %r1, map_idx(2)']],
      ['remember', 'raw', ['lddw %r1, map_idx(3)', 'lddw %r1, map_idx(4)', 'lddw %r1, map_idx(5)']],
    ]);
  });
});

describe('legacy_maps.o: struct bpf_map_def in the "maps" section', () => {
  const object = parseObject(fixture('legacy_maps'));

  it('reads each 20-byte definition at its symbol', () => {
    expect(object.maps).toEqual([
      { name: 'packets', type: 'array', keySize: 4, valueSize: 8, maxEntries: 4, flags: 0 },
      { name: 'by_port', type: 'hash', keySize: 2, valueSize: 4, maxEntries: 256, flags: 1 },
    ]);
    expect(lddws(program(object, 'count').insns)).toEqual(['lddw %r1, map_idx(0)', 'lddw %r1, map_idx(1)']);
  });
});

describe('load() and maps', () => {
  it('creates every map through createMap, in map-index order, on the runtime, before compiling', () => {
    const runtime = new Runtime();
    const created: [MapSpec, Runtime][] = [];
    const createMap = (spec: MapSpec, rt: Runtime) => {
      created.push([spec, rt]);
      return { fd: 100 + created.length };
    };
    // The fds are made up, so no engine can resolve them: loading stops at the first program.
    expect(() => load(fixture('globals'), { runtime, createMap })).toThrow(EbpfError);
    expect(created.map(([spec]) => spec.name)).toEqual(['.data', '.rodata', '.bss', '.rodata.str1.1']);
    expect(created.every(([, rt]) => rt === runtime)).toBe(true);
  });

  describe('global variables through map_value', () => {
    for (const engine of ENGINES) {
      it(`reads and writes .data, .rodata, .bss and strings in the ${engine} engine`, () => {
        const loaded = load(fixture('globals'), { engine });
        const mem = new Uint8Array(16);
        expect(loaded.program('bump')(mem)).toBe(21n);                        // counter = 5 + 16
        expect(loaded.program('read_back')(mem)).toBe(21n * 1_000_000n + 4n * 1000n + 21n + 1n);
        expect(loaded.program('scaled')(new Uint8Array(2))).toBe(3n * 1000n); // scale[2] * limit
        expect(loaded.program('message_byte')(new Uint8Array(0))).toBe(BigInt('h'.charCodeAt(0) + 'm'.charCodeAt(0)));
        expect(loaded.maps.get('.data')?.fd).toEqual(expect.any(Number));
      });
    }
  });

  describe('map helpers on BTF and legacy maps', () => {
    for (const engine of ENGINES) {
      it(`counts in a legacy array map in the ${engine} engine`, () => {
        const loaded = load(fixture('legacy_maps'), { engine });
        const count = loaded.program('count');
        expect(count(new Uint8Array(5))).toBe(1n);
        expect(count(new Uint8Array(5))).toBe(2n);
        expect(count(new Uint8Array(6))).toBe(1n);
      });

      it(`counts flows in a BTF hash map in the ${engine} engine`, () => {
        const loaded = load(fixture('btf_maps'), { engine });
        const flow = new Uint8Array(16).fill(7);
        expect(loaded.program('count_flow')(flow)).toBe(1n);
        expect(loaded.program('count_flow')(flow)).toBe(2n);
        expect(loaded.program('add_total')(new Uint8Array(9))).toBe(9n);
      });
    }
  });
});

describe('bench/programs objects (no relocations)', () => {
  const names = ['big_switch', 'byte_copy', 'checksum', 'helper_loop', 'log2_sum', 'port_filter', 'sieve', 'string_compare', 'trial_primes'];
  for (const name of names) {
    it(`${name}.o links to exactly the instructions of ${name}.bin`, () => {
      const object = parseObject(readFileSync(new URL(`../bench/programs/${name}.o`, import.meta.url)));
      expect(object.programs.map((p) => [p.name, p.section])).toEqual([['entry', 'prog']]);
      const bin = readFileSync(new URL(`../bench/programs/${name}.bin`, import.meta.url));
      expect(encode(object.programs[0].insns)).toEqual(new Uint8Array(bin));
    });
  }
});

/** The bytes of a named section, found with a minimal independent walk of the section headers. */
function readRawSection(file: Uint8Array, name: string): Uint8Array {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const shoff = Number(v.getBigUint64(40, true));
  const shnum = v.getUint16(60, true);
  const shstrndx = v.getUint16(62, true);
  const header = (i: number) => shoff + 64 * i;
  const strOff = Number(v.getBigUint64(header(shstrndx) + 24, true));
  for (let i = 0; i < shnum; i++) {
    const nameOff = strOff + v.getUint32(header(i), true);
    const end = file.indexOf(0, nameOff);
    if (new TextDecoder().decode(file.subarray(nameOff, end)) !== name) continue;
    const offset = Number(v.getBigUint64(header(i) + 24, true));
    return file.subarray(offset, offset + Number(v.getBigUint64(header(i) + 32, true)));
  }
  throw new Error(`no section ${name}`);
}
