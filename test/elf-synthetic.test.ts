import { describe, expect, it } from 'vitest';
import { assemble, assembleBytes, disassemble, ElfError, load, parseObject, Runtime } from '../src/index.js';
import { parseBtf } from '../src/elf/btf.js';
import {
  btfType, BtfStrings, buildBtf, buildElf, code, func, R_BPF_64_32, R_BPF_64_64, SHF, SHT, STB, STT,
  type ElfDef, type SymbolDef,
} from './support/elf-builder.js';
import { section, setU32 } from './support/elf-edit.js';

/**
 * The loader on objects written by test/support/elf-builder.ts: the cases clang does not
 * produce on demand (calls across sections, recursion, externs, bad definitions), each
 * with the exact outcome or `ElfError` code expected.
 */

function elfError(f: () => unknown): ElfError {
  try {
    f();
  } catch (e) {
    if (e instanceof ElfError) return e;
    throw new Error(`expected ElfError, got ${String(e)}`);
  }
  throw new Error('expected ElfError, nothing was thrown');
}

function expectElfError(def: ElfDef | Uint8Array, code: string, message?: RegExp): void {
  const bytes = def instanceof Uint8Array ? def : buildElf(def);
  const e = elfError(() => parseObject(bytes));
  expect(e.code).toBe(code);
  if (message) expect(e.message).toMatch(message);
}

function listing(bytes: Uint8Array, name: string): string {
  const p = parseObject(bytes).programs.find((q) => q.name === name);
  if (!p) throw new Error(`no program ${name}`);
  return disassemble(p.insns);
}

const asm = (text: string) => assembleBytes(text);
const EXIT0 = asm('mov %r0, 0\nexit');

describe('programs and calls', () => {
  it('loads a minimal object: one program, no maps, no license', () => {
    const bytes = buildElf({ sections: [code('xdp', EXIT0)], symbols: [func('prog', 'xdp', 16)] });
    expect(parseObject(bytes)).toEqual({
      programs: [{ name: 'prog', section: 'xdp', insns: expect.any(Array) }], maps: [], license: '',
    });
    // SEC("xdp"): an XDP program, run on a minimal Ethernet frame.
    const prog = load(bytes, { engine: 'interp' }).program('prog');
    expect([prog.type, prog(new Uint8Array(14))]).toEqual(['xdp', 0n]);
  });

  it('treats functions in .text as subprograms only, and accepts static programs in other sections', () => {
    const bytes = buildElf({
      sections: [code('.text', EXIT0), code('socket', EXIT0)],
      symbols: [func('helper', '.text', 16), func('local_prog', 'socket', 16, 0, STB.LOCAL)],
    });
    expect(parseObject(bytes).programs.map((p) => p.name)).toEqual(['local_prog']);
  });

  it('appends each callee once, following calls across sections, chains and a diamond', () => {
    // main -> a, main -> b, a -> c, b -> c; a lives in another executable section.
    const text = asm('call local -1\nexit\nmov %r0, 7\nexit');          // b (calls c), c
    const other = asm('call local -1\nadd %r0, 1\nexit');               // a (calls c)
    const main = asm('call local -1\nmov %r6, %r0\ncall local -1\nadd %r0, %r6\nexit');
    const bytes = buildElf({
      sections: [code('.text', text), code('.text.other', other), code('tc', main)],
      symbols: [
        func('b', '.text', 16), func('c', '.text', 16, 16), func('a', '.text.other', 24), func('main', 'tc', 40),
      ],
      relocations: [
        { section: 'tc', offset: 0, symbol: 'a', type: R_BPF_64_32 },
        { section: 'tc', offset: 16, symbol: 'b', type: R_BPF_64_32 },
        { section: '.text.other', offset: 0, symbol: 'c', type: R_BPF_64_32 },
        { section: '.text', offset: 0, symbol: 'c', type: R_BPF_64_32 },
      ],
    });
    expect(listing(bytes, 'main')).toBe(disassemble(assemble(`
      call local +4          # 0 -> 5: a
      mov %r6, %r0
      call local +5          # 2 -> 8: b
      add %r0, %r6
      exit
      call local +4          # a at 5 (callees are placed in the order their calls are met); 5 -> 10: c
      add %r0, 1
      exit
      call local +1          # b at 8; 8 -> 10: c, placed once
      exit
      mov %r0, 7             # c at 10
      exit
    `)));
    for (const engine of ['jit', 'interp'] as const) {
      expect(load(bytes, { engine }).program('main')(new Uint8Array(14))).toBe(8n + 7n);
    }
  });

  it('keeps a recursive call pointing at the function\'s own copy', () => {
    // countdown(n): n == 0 ? 0 : 1 + countdown(n - 1), in .text, called from the program.
    const text = asm('mov %r0, 0\njeq %r1, 0, +3\nsub %r1, 1\ncall local -1\nadd %r0, 1\nexit');
    const bytes = buildElf({
      sections: [code('.text', text), code('prog', asm('mov %r1, 5\ncall local -1\nexit'))],
      symbols: [func('countdown', '.text', 48), func('entry', 'prog', 24)],
      relocations: [
        { section: 'prog', offset: 8, symbol: 'countdown', type: R_BPF_64_32 },
        { section: '.text', offset: 24, symbol: 'countdown', type: R_BPF_64_32 },
      ],
    });
    expect(listing(bytes, 'entry')).toContain('call local -4');          // slot 6 -> 3, countdown's own start
    for (const engine of ['jit', 'interp'] as const) expect(load(bytes, { engine }).program('entry')()).toBe(5n);
  });

  it('rejects a call that lands outside every function, and one into the middle of an lddw', () => {
    expectElfError({ sections: [code('prog', asm('call local +5\nexit'))], symbols: [func('p', 'prog', 16)] }, 'BAD_CALL',
      /targets slot 6 of 'prog', which is inside no function/);
    expectElfError({
      sections: [code('.text', asm('lddw %r0, 1\nexit')), code('prog', asm('call local +0\nexit'))],
      symbols: [{ name: '.text', section: '.text', type: STT.SECTION, bind: STB.LOCAL }, func('f', '.text', 24), func('p', 'prog', 16)],
      relocations: [{ section: 'prog', offset: 0, symbol: '.text', type: R_BPF_64_32 }],
    }, 'BAD_CALL', /second half of an lddw/);
  });

  it('rejects two programs with the same name', () => {
    expectElfError({
      sections: [code('a', EXIT0), code('b', EXIT0)],
      symbols: [func('p', 'a', 16, 0, STB.LOCAL), func('p', 'b', 16, 0, STB.LOCAL)],
    }, 'DUPLICATE_NAME', /two programs are named 'p'/);
  });

  it('rejects function symbols that are not whole instructions of their section', () => {
    expectElfError({ sections: [code('a', EXIT0)], symbols: [func('p', 'a', 12)] }, 'BAD_SYMBOL', /not a whole number of instructions/);
    expectElfError({ sections: [code('a', EXIT0)], symbols: [func('p', 'a', 24)] }, 'BAD_SYMBOL', /extends past/);
    expectElfError({ sections: [code('a', asm('lddw %r0, 1\nexit'))], symbols: [func('p', 'a', 16, 8)] }, 'BAD_SYMBOL', /inside an lddw/);
  });

  it('reports undecodable code as BAD_INSTRUCTIONS, with the section and pc', () => {
    const e = elfError(() => parseObject(buildElf({
      sections: [code('a', Uint8Array.of(0xb7, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0))], symbols: [func('p', 'a', 16)],
    })));
    expect([e.code, e.pc]).toEqual(['BAD_INSTRUCTIONS', 1]);
    expect(e.message).toMatch(/section 'a': unknown opcode 0xff/);
  });
});

describe('relocations', () => {
  const data = { name: '.data', flags: SHF.ALLOC | SHF.WRITE, data: new Uint8Array(16) };
  const lddwProg = asm('lddw %r1, 0\nmov %r0, 0\nexit');
  const base = (extra: Partial<ElfDef> & { symbols: SymbolDef[] }, offset = 0): ElfDef => ({
    sections: [code('prog', lddwProg), data, { name: 'license', flags: SHF.ALLOC | SHF.WRITE, data: new TextEncoder().encode('GPL\0') }],
    relocations: [{ section: 'prog', offset, symbol: 'target', type: R_BPF_64_64 }],
    ...extra,
    symbols: [func('p', 'prog', 32), ...extra.symbols],
  });

  it('resolves a global variable to map_idx_value with its offset', () => {
    const bytes = buildElf(base({ symbols: [{ name: 'target', section: '.data', value: 8, size: 8, type: STT.OBJECT }] }));
    expect(listing(bytes, 'p')).toMatch(/^lddw %r1, map_idx_value\(0, 8\)/);
    expect(parseObject(bytes).license).toBe('GPL');
  });

  it('rejects a relocation on an instruction that is neither lddw nor a call', () => {
    expectElfError(base({ symbols: [{ name: 'target', section: '.data', type: STT.OBJECT }] }, 16), 'BAD_RELOCATION',
      /'target' at 'prog'\+0x10 is on 'mov'; only lddw/);
  });

  it('rejects relocations into the second slot of an lddw, off the instruction grid or past the section', () => {
    const sym = { name: 'target', section: '.data', type: STT.OBJECT };
    expectElfError(base({ symbols: [sym] }, 8), 'BAD_RELOCATION', /second half of an lddw/);
    expectElfError(base({ symbols: [sym] }, 4), 'BAD_RELOCATION', /not on an instruction/);
    expectElfError(base({ symbols: [sym] }, 32), 'BAD_RELOCATION', /not on an instruction/);
  });

  it('rejects relocation types other than R_BPF_64_64 and R_BPF_64_32 in code', () => {
    const def = base({ symbols: [{ name: 'target', section: '.data', type: STT.OBJECT }] });
    expectElfError({ ...def, relocations: [{ ...def.relocations![0], type: 3 }] }, 'BAD_RELOCATION', /has type 3/);
  });

  it('rejects externs (kconfig/ksym), naming them', () => {
    expectElfError(base({ symbols: [{ name: 'target', type: STT.NOTYPE }] }), 'UNSUPPORTED_EXTERN', /extern 'target'/);
  });

  it('rejects a symbol in a section that holds neither code, maps nor variables', () => {
    expectElfError(base({ symbols: [{ name: 'target', section: 'license', type: STT.OBJECT }] }), 'BAD_RELOCATION_TARGET',
      /'target' in section 'license', which holds neither code, maps nor global variables/);
  });

  it('rejects an offset outside the variable section', () => {
    expectElfError(base({ symbols: [{ name: 'target', section: '.data', value: 24, type: STT.OBJECT }] }), 'BAD_RELOCATION',
      /offset 24 is outside '.data' \(16 bytes\)/);
  });

  it('rejects RELA relocations for code', () => {
    const bytes = buildElf(base({ symbols: [{ name: 'target', section: '.data', type: STT.OBJECT }] }));
    setU32(bytes, section(bytes, '.relprog').at + 4, SHT.RELA);
    expectElfError(bytes, 'UNSUPPORTED_RELA');
  });

  it('ignores relocations of non-code sections (DWARF, .BTF.ext) however odd', () => {
    const def = base({ symbols: [{ name: 'target', section: '.data', type: STT.OBJECT }] });
    const bytes = buildElf({
      ...def,
      sections: [...def.sections, { name: '.debug_info', flags: 0, data: new Uint8Array(8) }],
      relocations: [...def.relocations!, { section: '.debug_info', offset: 99, symbol: 'target', type: 77 }],
    });
    expect(parseObject(bytes).programs).toHaveLength(1);
  });
});

/** A BTF blob describing one map variable `name` whose struct has the given members. */
function btfMap(name: string, members: [string, { uint: number } | { type: 'u32' | 'u64x3' | 'loop' }][]): Uint8Array {
  const s = new BtfStrings();
  const types: Uint8Array[] = [];
  const add = (t: Uint8Array) => { types.push(t); return types.length; };
  const int = add(btfType(s.add('int'), 1, 0, 4, [32]));
  const u64 = add(btfType(s.add('u64'), 1, 0, 8, [64]));
  const idx = add(btfType(s.add('__ARRAY_SIZE_TYPE__'), 1, 0, 4, [32]));
  const typedefU32 = add(btfType(s.add('u32'), 8, 0, int));
  const constU32 = add(btfType(0, 10, 0, typedefU32));
  const arr3 = add(btfType(0, 3, 0, 0, [u64, idx, 3]));
  const loopId = types.length + 1;
  add(btfType(s.add('loop'), 8, 0, loopId));                        // typedef to itself
  const memberTypes = members.map(([, m]) => {
    if ('uint' in m) return add(btfType(0, 2, 0, add(btfType(0, 3, 0, 0, [int, idx, m.uint]))));
    const target = m.type === 'u32' ? constU32 : m.type === 'u64x3' ? arr3 : loopId;
    return add(btfType(0, 2, 0, target));
  });
  const struct = add(btfType(0, 4, members.length, 8 * members.length,
    members.flatMap(([n], i) => [s.add(n), memberTypes[i], 64 * i])));
  const variable = add(btfType(s.add(name), 14, 0, struct, [1]));
  add(btfType(s.add('.maps'), 15, 1, 0, [variable, 0, 8 * members.length]));
  return buildBtf(types, s.bytes());
}

function btfMapObject(btf: Uint8Array | undefined, size = 32): ElfDef {
  return {
    sections: [
      code('prog', asm('lddw %r1, 0\nmov %r0, 0\nexit')),
      { name: '.maps', flags: SHF.ALLOC | SHF.WRITE, data: new Uint8Array(size) },
      ...(btf ? [{ name: '.BTF', flags: 0, data: btf }] : []),
    ],
    symbols: [func('p', 'prog', 32), { name: 'm', section: '.maps', type: STT.OBJECT, size }],
    relocations: [{ section: 'prog', offset: 0, symbol: 'm', type: R_BPF_64_64 }],
  };
}

describe('BTF-defined maps', () => {
  it('reads __uint() values and __type() sizes through typedefs, const and arrays', () => {
    const bytes = buildElf(btfMapObject(btfMap('m', [
      ['type', { uint: 1 }], ['max_entries', { uint: 10 }], ['key', { type: 'u32' }], ['value', { type: 'u64x3' }],
      ['map_flags', { uint: 1 }], ['pinning', { uint: 1 }], ['numa_node', { uint: 0 }],
    ])));
    const object = parseObject(bytes);
    expect(object.maps).toEqual([{ name: 'm', type: 'hash', keySize: 4, valueSize: 24, maxEntries: 10, flags: 1 }]);
    expect(disassemble(object.programs[0].insns)).toMatch(/^lddw %r1, map_idx\(0\)/);
  });

  it('accepts key_size/value_size that agree with the types and rejects ones that do not', () => {
    const agree = btfMap('m', [['type', { uint: 2 }], ['key', { type: 'u32' }], ['key_size', { uint: 4 }], ['value_size', { uint: 8 }]]);
    expect(parseObject(buildElf(btfMapObject(agree))).maps[0]).toMatchObject({ keySize: 4, valueSize: 8 });
    const disagree = btfMap('m', [['type', { uint: 2 }], ['key', { type: 'u32' }], ['key_size', { uint: 8 }]]);
    expectElfError(btfMapObject(disagree), 'BAD_MAP', /map 'm' has key_size 8 but its key type is 4 bytes/);
  });

  it('names unknown map types, unknown fields and unsupported ones', () => {
    expectElfError(btfMapObject(btfMap('m', [['type', { uint: 99 }]])), 'UNKNOWN_MAP_TYPE', /map 'm' has map type 99/);
    expectElfError(btfMapObject(btfMap('m', [['type', { uint: 1 }], ['colour', { uint: 3 }]])), 'UNKNOWN_MAP_FIELD', /unknown field 'colour'/);
    expectElfError(btfMapObject(btfMap('m', [['type', { uint: 12 }], ['values', { type: 'u32' }]])), 'UNSUPPORTED_MAP_FIELD', /__array\(values/);
    expectElfError(btfMapObject(btfMap('m', [['max_entries', { uint: 1 }]])), 'BAD_MAP', /map 'm' has no type/);
  });

  it('rounds a ring buffer\'s max_entries up to a power-of-2 multiple of the page size, as libbpf does when opening', () => {
    const ring = (size: number) => parseObject(buildElf(btfMapObject(btfMap('m', [['type', { uint: 27 }], ['max_entries', { uint: size }]])))).maps[0].maxEntries;
    expect([5000, 4096, 3 * 4096, 8192, 1, 0].map(ring)).toEqual([8192, 4096, 4 * 4096, 8192, 4096, 0]);
  });

  it('gives a perf_event_array without max_entries one entry per CPU of the runtime when loading, as libbpf does', () => {
    const bytes = buildElf(btfMapObject(btfMap('m', [['type', { uint: 4 }], ['key_size', { uint: 4 }], ['value_size', { uint: 4 }]])));
    expect(parseObject(bytes).maps[0]).toMatchObject({ type: 'perf_event_array', maxEntries: 0 });
    expect(load(bytes, { runtime: new Runtime({ cpus: 3 }) }).maps.get('m')!.maxEntries).toBe(3);
    const sized = buildElf(btfMapObject(btfMap('m', [['type', { uint: 4 }], ['key_size', { uint: 4 }], ['value_size', { uint: 4 }], ['max_entries', { uint: 8 }]])));
    expect(load(sized, { runtime: new Runtime({ cpus: 3 }) }).maps.get('m')!.maxEntries).toBe(8);
  });

  it('stops at a typedef that refers to itself', () => {
    expectElfError(btfMapObject(btfMap('m', [['type', { uint: 1 }], ['key', { type: 'loop' }]])), 'BAD_BTF', /too deep or loops/);
  });

  it('needs .BTF, a .maps DATASEC and a symbol per map', () => {
    expectElfError(btfMapObject(undefined), 'NO_BTF', /compile with -g/);
    const s = new BtfStrings();
    expectElfError(btfMapObject(buildBtf([btfType(s.add('int'), 1, 0, 4, [32])], s.bytes())), 'BAD_BTF', /no '.maps' DATASEC/);
    const def = btfMapObject(btfMap('other', [['type', { uint: 1 }]]));
    expectElfError(def, 'BAD_MAP', /BTF map 'other' has no symbol in section '.maps'/);
  });

  it('rejects a reference to a .maps offset where no map starts', () => {
    const def = btfMapObject(btfMap('m', [['type', { uint: 2 }]]));
    def.symbols!.push({ name: 'inside', section: '.maps', value: 4, type: STT.NOTYPE });
    def.relocations = [{ section: 'prog', offset: 0, symbol: '.maps+4', type: R_BPF_64_64 }];
    def.symbols!.push({ name: '.maps+4', section: '.maps', value: 4, type: STT.SECTION });
    expectElfError(def, 'BAD_RELOCATION_TARGET', /no map is defined at offset 4 of '.maps'/);
  });
});

describe('BTF parsing', () => {
  const s = new BtfStrings();
  const good = buildBtf([btfType(s.add('int'), 1, 0, 4, [32])], s.bytes());

  it('parses a well-formed blob', () => {
    expect(parseBtf(good).count).toBe(1);
    expect(parseBtf(good).resolveSize(1, 'test')).toBe(4);
  });

  it('rejects bad magic, big-endian magic, a bad version and sections past the end', () => {
    const patched = (at: number, bytes: number[]) => { const b = good.slice(); b.set(bytes, at); return b; };
    expect(() => parseBtf(patched(0, [0x12, 0x34]))).toThrow(/magic is 0x3412/);
    expect(() => parseBtf(patched(0, [0xeb, 0x9f]))).toThrow(/big-endian/);
    expect(() => parseBtf(patched(2, [2]))).toThrow(/version 2/);
    expect(() => parseBtf(patched(12, [0xff, 0xff, 0, 0]))).toThrow(/type section .* past the end/);
    expect(() => parseBtf(good.subarray(0, 10))).toThrow(ElfError);
  });

  it('rejects unknown kinds and records cut short', () => {
    expect(() => parseBtf(buildBtf([btfType(0, 31, 0, 0)], new Uint8Array(1)))).toThrow(/unknown kind 31/);
    expect(() => parseBtf(buildBtf([btfType(0, 4, 3, 8)], new Uint8Array(1)))).toThrow(/type 1 members/);
    expect(() => parseBtf(buildBtf([btfType(999, 1, 0, 4, [32])], new Uint8Array(1)))).toThrow(/string offset 999/);
  });

  it('rejects sizes that overflow 32 bits and references to missing types', () => {
    const t = new BtfStrings();
    const btf = parseBtf(buildBtf([
      btfType(t.add('int'), 1, 0, 4, [32]),
      btfType(0, 3, 0, 0, [1, 1, 0x4000_0000]),    // int[2^30]: 4 GiB
      btfType(0, 2, 0, 7),                         // pointer to type 7, which does not exist
    ], t.bytes()));
    expect(() => btf.resolveSize(2, 'big')).toThrow(/does not fit in 32 bits/);
    expect(btf.resolveSize(3, 'ptr')).toBe(8);
    expect(() => btf.skipModifiers(7, 'missing')).toThrow(/BTF type 7, but there are only 3/);
  });
});

describe('legacy maps and global-variable sections', () => {
  const mapDef = (fields: number[], stride: number) => {
    const b = new Uint8Array(stride);
    fields.forEach((f, i) => new DataView(b.buffer).setUint32(4 * i, f, true));
    return b;
  };
  const legacy = (defs: Uint8Array[], names = defs.map((_, i) => `m${i}`)): ElfDef => ({
    sections: [code('prog', EXIT0), { name: 'maps', flags: SHF.ALLOC | SHF.WRITE, data: Uint8Array.from(defs.flatMap((d) => [...d])) }],
    symbols: [func('p', 'prog', 16), ...names.map((name, i) => ({ name, section: 'maps', value: i * defs[0].length, type: STT.OBJECT }))],
  });

  it('takes the stride from the section size and zero-extends short definitions', () => {
    const long = parseObject(buildElf(legacy([mapDef([1, 4, 8, 16, 0], 28), mapDef([2, 4, 4, 2, 0], 28)])));
    expect(long.maps.map((m) => [m.name, m.type, m.maxEntries])).toEqual([['m0', 'hash', 16], ['m1', 'array', 2]]);
    const short = parseObject(buildElf(legacy([mapDef([2, 4, 4, 2], 16)])));
    expect(short.maps).toEqual([{ name: 'm0', type: 'array', keySize: 4, valueSize: 4, maxEntries: 2, flags: 0 }]);
  });

  it('rejects definitions with unknown trailing fields, a ragged section and unknown types', () => {
    const extra = mapDef([1, 4, 8, 16, 0, 5], 24);
    expectElfError(legacy([extra]), 'BAD_MAP', /sets bytes past struct bpf_map_def/);
    const ragged = legacy([mapDef([1, 4, 8, 16, 0], 20)], ['a', 'b', 'c']);
    expectElfError(ragged, 'BAD_MAP', /cannot hold 3 equal map definitions/);
    expectElfError(legacy([mapDef([99, 4, 8, 16, 0], 20)]), 'UNKNOWN_MAP_TYPE', /map 'm0' has map type 99/);
  });

  it('makes .data.* and .bss maps, and skips empty sections', () => {
    const object = parseObject(buildElf({
      sections: [
        code('prog', EXIT0),
        { name: '.data.custom', flags: SHF.ALLOC | SHF.WRITE, data: Uint8Array.of(1, 2) },
        { name: '.bss', type: SHT.NOBITS, flags: SHF.ALLOC | SHF.WRITE, size: 8 },
        { name: '.rodata', data: new Uint8Array(0) },
      ],
      symbols: [func('p', 'prog', 16)],
    }));
    expect(object.maps).toEqual([
      { name: '.data.custom', type: 'array', keySize: 4, valueSize: 2, maxEntries: 1, initial: Uint8Array.of(1, 2) },
      { name: '.bss', type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 },
    ]);
  });

  it('rejects a .bss too large for a map value without allocating it', () => {
    expectElfError({
      sections: [code('prog', EXIT0), { name: '.bss', type: SHT.NOBITS, flags: SHF.ALLOC | SHF.WRITE, size: 2 ** 40 }],
      symbols: [func('p', 'prog', 16)],
    }, 'BAD_MAP', /too large for a map value/);
  });
});
