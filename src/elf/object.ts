/**
 * The pure half of the loader: an ELF object's bytes in, its programs (linked, with
 * map references as map-index pseudo loads), its map definitions and its license out.
 * Nothing is created or compiled, so tools and tests can look at exactly what the
 * loader would run.
 */
import type { Insn } from '../decode/insn.js';
import { ElfError } from '../errors.js';
import type { MapSpec } from '../maps/types.js';
import { parseBtf, type Btf } from './btf.js';
import { readCodeSections } from './code.js';
import { collectMaps } from './maps.js';
import { ElfFile } from './reader.js';
import { linkProgram } from './relocate.js';

/** Functions in `.text` are subprograms, linked into the programs that call them (as in libbpf). */
export const SUBPROGRAM_SECTION = '.text';
export const LICENSE_SECTION = 'license';
const BTF_SECTION = '.BTF';

export interface ObjectProgram {
  /** The function's symbol name. */
  readonly name: string;
  /** The SEC() name: the section holding the function. */
  readonly section: string;
  /**
   * The program followed by the subprograms it uses. Map references are lddw map_idx
   * (src 5, imm = index into `maps`) and map_idx_value (src 6, imm = index, imm2 =
   * offset into the value) until `bindMapFds` gives them the created maps' fds.
   */
  readonly insns: readonly Insn[];
}

export type NamedMapSpec = MapSpec & { readonly name: string };

export interface ParsedObject {
  /** In section order, then by offset. */
  readonly programs: readonly ObjectProgram[];
  /** Legacy `maps`, then `.maps` (BTF), then global-variable sections; map indexes refer to this order. */
  readonly maps: readonly NamedMapSpec[];
  /** The `license` section's string, '' if the object has none. */
  readonly license: string;
}

/** Parse and link an object from `clang -target bpf -c`. Throws `ElfError`. */
export function parseObject(bytes: Uint8Array): ParsedObject {
  const elf = new ElfFile(bytes);
  let btf: Btf | undefined;
  // BTF is read only when needed (BTF-defined maps); like libbpf, other objects load without it.
  const getBtf = (): Btf => {
    if (btf) return btf;
    const section = elf.sections.find((s) => s.name === BTF_SECTION);
    if (!section) throw new ElfError('NO_BTF', "the object defines maps in '.maps' but has no .BTF section (compile with -g)");
    return (btf = parseBtf(elf.data(section)));
  };
  const maps = collectMaps(elf, getBtf);
  const code = readCodeSections(elf);
  const programs: ObjectProgram[] = [];
  const names = new Set<string>();
  for (const section of code.values()) {
    if (section.section.name === SUBPROGRAM_SECTION) continue;
    for (const fn of section.functions) {
      if (names.has(fn.name)) throw new ElfError('DUPLICATE_NAME', `two programs are named '${fn.name}'`);
      names.add(fn.name);
      programs.push({ name: fn.name, section: section.section.name, insns: linkProgram(fn, { elf, code, maps }) });
    }
  }
  return { programs, maps: maps.map((m) => m.spec), license: readLicense(elf) };
}

function readLicense(elf: ElfFile): string {
  const section = elf.sections.find((s) => s.name === LICENSE_SECTION);
  if (!section) return '';
  const bytes = elf.data(section);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}
