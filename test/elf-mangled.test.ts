import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode, EbpfError, ElfError, ELF_ERROR_CODES, load, parseObject } from '../src/index.js';
import {
  EH, getU32, relocationsFor, section, sectionHeaders, setRelocation, setU16, setU32, setU64, setU8, SH, symbol, symbols,
} from './support/elf-edit.js';
import { thrown } from './support/errors.js';
import { seededRandom } from './support/seeded-random.js';

/**
 * Corrupted objects: every fixture truncated at many lengths, with header fields,
 * section offsets and sizes, relocation symbols and map definitions broken one at a
 * time, and with random bytes flipped (fixed seed). Only `ElfError` with a code from
 * ELF_ERROR_CODES may come out, and for targeted corruptions the code says what is wrong.
 */

const FIXTURE_DIR = new URL('./fixtures/elf/', import.meta.url);
const FIXTURES = ['programs', 'globals', 'btf_maps', 'legacy_maps', 'loop_callback'];
const original = (name: string) => new Uint8Array(readFileSync(new URL(`${name}.o`, FIXTURE_DIR)));

/** Codes a corrupt file may produce: not lookups, not load() policy, never INTERNAL. */
const INPUT_CODES = new Set<string>(ELF_ERROR_CODES.filter((c) => !['INTERNAL', 'NO_PROGRAM', 'AMBIGUOUS_PROGRAM'].includes(c)));

/** 'ok' or the ElfError's code; anything else thrown fails the test with the input described. */
function outcome(bytes: Uint8Array, what: string): string {
  try {
    parseObject(bytes);
    return 'ok';
  } catch (e) {
    if (!(e instanceof ElfError)) throw new Error(`${what}: ${e instanceof Error ? e.stack : String(e)}`);
    if (!INPUT_CODES.has(e.code)) throw new Error(`${what}: unexpected code ${e.code}: ${e.message}`);
    return e.code;
  }
}

function errorOf(bytes: Uint8Array): ElfError {
  return thrown(() => parseObject(bytes), ElfError);
}

function mutated(name: string, change: (b: Uint8Array) => void): Uint8Array {
  const b = original(name);
  change(b);
  return b;
}

describe('error codes', () => {
  it('the loader sources use exactly the codes in ELF_ERROR_CODES', () => {
    const dir = new URL('../src/elf/', import.meta.url);
    const used = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'codes.ts')) {
      for (const m of readFileSync(new URL(file, dir), 'utf8').matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|TRUNCATED|INTERNAL)'/g)) used.add(m[1]);
    }
    expect([...used].sort()).toEqual([...ELF_ERROR_CODES].sort());
  });
});

describe.each(FIXTURES)('%s.o, corrupted', (name) => {
  const bytes = original(name);

  it('parses uncorrupted', () => {
    expect(outcome(bytes, name)).toBe('ok');
  });

  it('fails cleanly when truncated anywhere', () => {
    const lengths = new Set<number>();
    for (let n = 0; n <= 80; n++) lengths.add(n);
    for (let n = 80; n < bytes.length; n += 13) lengths.add(n);
    lengths.add(bytes.length - 1);
    const codes = new Set<string>();
    for (const n of lengths) codes.add(outcome(bytes.slice(0, n), `${name} truncated to ${n}`));
    // The section header table is at the end of clang's objects: every cut loses part of it.
    expect([...codes].sort()).toEqual(['BAD_MAGIC', 'BAD_SECTION_HEADERS', 'TRUNCATED']);
  });

  it.each([
    ['magic', (b: Uint8Array) => setU8(b, 1, 0x46), 'BAD_MAGIC', /not an ELF file/],
    ['32-bit class', (b: Uint8Array) => setU8(b, EH.class, 1), 'BAD_CLASS', /ELF class 1/],
    ['big-endian', (b: Uint8Array) => setU8(b, EH.data, 2), 'WRONG_ENDIANNESS', /big-endian/],
    ['unknown data encoding', (b: Uint8Array) => setU8(b, EH.data, 0), 'WRONG_ENDIANNESS', /data encoding 0/],
    ['identification version', (b: Uint8Array) => setU8(b, EH.version, 0), 'BAD_VERSION', /version 0/],
    ['e_type executable', (b: Uint8Array) => setU16(b, EH.type, 2), 'BAD_TYPE', /e_type is 2/],
    ['x86-64 machine', (b: Uint8Array) => setU16(b, EH.machine, 62), 'WRONG_MACHINE', /e_machine is 62, not EM_BPF \(247\)/],
    ['e_version', (b: Uint8Array) => setU32(b, EH.e_version, 7), 'BAD_VERSION', /e_version is 7/],
    ['e_ehsize', (b: Uint8Array) => setU16(b, EH.ehsize, 52), 'BAD_HEADER', /e_ehsize is 52/],
    ['program headers past the end', (b: Uint8Array) => { setU16(b, EH.phnum, 1); setU16(b, EH.phentsize, 56); setU64(b, EH.phoff, BigInt(b.length)); }, 'BAD_HEADER', /program headers/],
    ['e_shoff past the end', (b: Uint8Array) => setU64(b, EH.shoff, BigInt(b.length)), 'BAD_SECTION_HEADERS', /extends past the end/],
    ['e_shoff absurd', (b: Uint8Array) => setU64(b, EH.shoff, 1n << 62n), 'BAD_HEADER', /e_shoff/],
    ['e_shoff zero', (b: Uint8Array) => setU64(b, EH.shoff, 0n), 'BAD_SECTION_HEADERS', /no section header table/],
    ['e_shentsize', (b: Uint8Array) => setU16(b, EH.shentsize, 40), 'BAD_SECTION_HEADERS', /e_shentsize is 40/],
    ['e_shnum too large', (b: Uint8Array) => setU16(b, EH.shnum, 0xfff0), 'BAD_SECTION_HEADERS', /65520 entries/],
    ['e_shstrndx out of range', (b: Uint8Array) => setU16(b, EH.shstrndx, 0xfe00), 'BAD_SECTION_INDEX', /e_shstrndx 65024/],
    ['e_shstrndx not a string table', (b: Uint8Array) => setU16(b, EH.shstrndx, section(b, '.symtab').index), 'BAD_SECTION_HEADERS', /not SHT_STRTAB/],
  ] as const)('header: %s', (_, change, code, message) => {
    const e = errorOf(mutated(name, change));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('names the section whose offset or size points outside the file', () => {
    for (const h of sectionHeaders(bytes)) {
      if (h.index === 0 || h.type === 8 /* NOBITS */) continue;
      const past = errorOf(mutated(name, (b) => setU64(b, h.at + SH.offset, BigInt(bytes.length + 8))));
      expect([past.code, past.message]).toEqual(['SECTION_OUT_OF_BOUNDS', expect.stringContaining(`section ${h.index} (offset ${bytes.length + 8}`)]);
      const huge = errorOf(mutated(name, (b) => setU64(b, h.at + SH.size, 1n << 40n)));
      expect(huge.code).toBe('SECTION_OUT_OF_BOUNDS');
      const absurd = errorOf(mutated(name, (b) => setU64(b, h.at + SH.offset, 1n << 63n)));
      expect(absurd.code).toBe('SECTION_OUT_OF_BOUNDS');
      const nameOff = errorOf(mutated(name, (b) => setU32(b, h.at + SH.name, 0xffffff)));
      expect([nameOff.code, nameOff.message]).toEqual(['BAD_STRING', expect.stringContaining(`section ${h.index} name`)]);
    }
  });

  it('rejects a broken symbol table', () => {
    const symtab = section(bytes, '.symtab');
    expect(errorOf(mutated(name, (b) => setU32(b, symtab.at + SH.link, 9999))).code).toBe('BAD_SECTION_INDEX');
    expect(errorOf(mutated(name, (b) => setU32(b, symtab.at + SH.link, section(b, '.symtab').index))).code).toBe('BAD_SYMTAB');
    expect(errorOf(mutated(name, (b) => setU64(b, symtab.at + SH.entsize, 16n))).code).toBe('BAD_SYMTAB');
    expect(errorOf(mutated(name, (b) => setU64(b, symtab.at + SH.size, BigInt(symtab.size - 5)))).code).toBe('BAD_SYMTAB');
    const last = symbols(bytes).at(-1)!;
    expect(errorOf(mutated(name, (b) => setU16(b, last.at + 6, 9999))).code).toBe('BAD_SECTION_INDEX');
    expect(errorOf(mutated(name, (b) => setU16(b, last.at + 6, 0xffff))).code).toBe('BAD_SYMBOL');
    expect(errorOf(mutated(name, (b) => setU32(b, last.at, 0xfffffff))).code).toBe('BAD_STRING');
  });

  const codeSections = sectionHeaders(bytes).filter((h) => relocationsFor(bytes, h.name).length > 0 && !h.name.startsWith('.debug') && !h.name.startsWith('.BTF'));

  it.skipIf(codeSections.length === 0)('names relocations with bad symbols, offsets and types', () => {
    const licenseSymbol = symbols(bytes).find((s) => s.shndx === section(bytes, 'license').index)!;
    const count = symbols(bytes).length;
    for (const target of codeSections) {
      const aluSlot = decode(bytes.subarray(target.offset, target.offset + target.size)).find((i) => i.spec.sem.kind === 'alu')!.pc;
      for (const rel of relocationsFor(bytes, target.name)) {
        const at = `at '${target.name}'+0x${rel.offset.toString(16)}`;
        const outOfRange = errorOf(mutated(name, (b) => setRelocation(b, rel, count + 5)));
        expect([outOfRange.code, outOfRange.message]).toEqual(['BAD_RELOCATION_SYMBOL', expect.stringContaining(`symbol ${count + 5}, but the symbol table has ${count}`)]);
        expect(errorOf(mutated(name, (b) => setRelocation(b, rel, 0xffffffff))).code).toBe('BAD_RELOCATION_SYMBOL');
        const license = errorOf(mutated(name, (b) => setRelocation(b, rel, licenseSymbol.index)));
        expect(license.code).toBe('BAD_RELOCATION_TARGET');
        expect(license.message).toContain(licenseSymbol.name);
        const type = errorOf(mutated(name, (b) => setRelocation(b, rel, rel.symbol, 2)));
        expect([type.code, type.message]).toEqual(['BAD_RELOCATION', expect.stringContaining(`${at} has type 2`)]);
        const misaligned = errorOf(mutated(name, (b) => setU64(b, rel.at, BigInt(rel.offset + 4))));
        expect(misaligned.code).toBe('BAD_RELOCATION');
        const past = errorOf(mutated(name, (b) => setU64(b, rel.at, BigInt(target.size))));
        expect(past.code).toBe('BAD_RELOCATION');
        const onAlu = errorOf(mutated(name, (b) => setU64(b, rel.at, BigInt(aluSlot * 8))));
        expect([onAlu.code, onAlu.message]).toEqual(['BAD_RELOCATION', expect.stringMatching(/is on '\w+'; only lddw .* and bpf-to-bpf calls are relocated/)]);
        // The symbol it names becomes an extern: undefined (section 0). A map symbol's
        // definition is then missing its name first.
        const sym = symbols(bytes)[rel.symbol];
        const inMaps = ['maps', '.maps'].includes(sectionHeaders(bytes)[sym.shndx].name);
        const extern = errorOf(mutated(name, (b) => setU16(b, sym.at + 6, 0)));
        expect(extern.code).toBe(rel.type === 10 ? 'BAD_RELOCATION_TARGET' : inMaps ? 'BAD_MAP' : 'UNSUPPORTED_EXTERN');
      }
      const relSection = sectionHeaders(bytes).find((h) => h.type === 9 && h.info === target.index)!;
      expect(errorOf(mutated(name, (b) => setU32(b, relSection.at + SH.link, 0))).code).toBe('BAD_SECTION_INDEX');
      expect(errorOf(mutated(name, (b) => setU64(b, relSection.at + SH.size, BigInt(relSection.size - 4)))).code).toBe('BAD_RELOCATION');
    }
  });

  it('rejects code that does not decode, and executable sections without contents', () => {
    const code = sectionHeaders(bytes).find((h) => h.name !== '.text' && h.size > 0 && (getU32(bytes, h.at + SH.flags) & 4) !== 0)!;
    const bad = errorOf(mutated(name, (b) => setU8(b, code.offset, 0xff)));
    expect([bad.code, bad.pc, bad.message]).toEqual(['BAD_INSTRUCTIONS', 0, expect.stringContaining(`section '${code.name}': unknown opcode 0xff`)]);
    const ragged = errorOf(mutated(name, (b) => setU64(b, code.at + SH.size, BigInt(code.size - 3))));
    expect(ragged.code).toMatch(/BAD_INSTRUCTIONS|BAD_SYMBOL/);
    expect(errorOf(mutated(name, (b) => setU32(b, code.at + SH.type, 8))).code).toBe('BAD_SECTION_TYPE');
  });

  it('survives random byte flips (fixed seed) with only ElfError, and load() with only typed errors', () => {
    const random = seededRandom(0x5eed + name.length);
    const headers = sectionHeaders(bytes);
    // Half the flips land anywhere (mostly DWARF, which the loader ignores); half in the
    // parts it reads: the ELF header, section headers, symbols, relocations, BTF, maps, code.
    const regions: [number, number][] = [[0, 64], [headers[0].at, headers.length * 64]];
    for (const h of headers) {
      if (h.type === 8 || h.size === 0 || h.name.startsWith('.debug') || h.name === '.rel.BTF.ext' || h.name === '.BTF.ext') continue;
      regions.push([h.offset, h.size]);
    }
    const codes = new Map<string, number>();
    for (let round = 0; round < 600; round++) {
      const b = bytes.slice();
      const flips = 1 + Math.floor(random() * 4);
      for (let k = 0; k < flips; k++) {
        const [start, size] = round % 2 === 0 ? [0, b.length] : regions[Math.floor(random() * regions.length)];
        b[start + Math.floor(random() * size)] ^= 1 + Math.floor(random() * 255);
      }
      const result = outcome(b, `${name} round ${round}`);
      codes.set(result, (codes.get(result) ?? 0) + 1);
      if (result === 'ok') {
        try {
          load(b, { engine: 'interp', createMap: (_spec, _rt) => ({ fd: 1 }) });
        } catch (e) {
          if (!(e instanceof EbpfError)) throw new Error(`${name} round ${round}: load threw ${String(e)}`);
        }
      }
    }
    // Both outcomes occur: corruption is detected, and corruption of ignored bytes is ignored.
    expect(codes.get('ok')).toBeGreaterThan(0);
    expect(codes.size).toBeGreaterThan(3);
  });
});

describe('map definitions, corrupted', () => {
  it('names the map whose legacy definition has an unknown type', () => {
    const b = original('legacy_maps');
    const maps = section(b, 'maps');
    setU32(b, maps.offset + symbol(b, 'by_port').value, 99);
    expect(errorOf(b).message).toMatch(/map 'by_port' has map type 99, which is not supported/);
    expect(errorOf(b).code).toBe('UNKNOWN_MAP_TYPE');
  });

  it('rejects a .BTF with a bad magic or type section past its end, since .maps needs it', () => {
    const magic = mutated('btf_maps', (b) => setU16(b, section(b, '.BTF').offset, 0x1234));
    expect(errorOf(magic).code).toBe('BAD_BTF');
    const typeLen = mutated('btf_maps', (b) => setU32(b, section(b, '.BTF').offset + 12, 0x7fffffff));
    expect(errorOf(typeLen).message).toMatch(/type section .* past the end/);
  });

  it('ignores a broken .BTF when no map needs it (as libbpf does)', () => {
    const b = mutated('programs', (x) => setU16(x, section(x, '.BTF').offset, 0x1234));
    expect(parseObject(b).programs).toHaveLength(3);
  });
});

