/**
 * ELF64 little-endian relocatable objects for the BPF machine, as clang emits them:
 * header, section headers, section names, the symbol table and REL relocations. Every
 * offset, size and index read from the file is checked before use, so a corrupt or
 * hostile file raises `ElfError` (with a stable code and the section, symbol or offset
 * concerned) and never reads outside the buffer.
 */
import { ElfError } from '../errors.js';
import { ByteReader, toSafeNumber } from './bytes.js';

export const EM_BPF = 247;
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;
const EV_CURRENT = 1;
const ET_REL = 1;
const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const REL_SIZE = 16;

export const SHT = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9 } as const;
export const SHF = { WRITE: 0x1, ALLOC: 0x2, EXECINSTR: 0x4 } as const;
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;
export const SHN = { UNDEF: 0, LORESERVE: 0xff00, ABS: 0xfff1, COMMON: 0xfff2, XINDEX: 0xffff } as const;

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  /** The low 32 bits of sh_flags (all the flags ELF defines live there). */
  readonly flags: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly entsize: number;
}

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly bind: number;
  /** Section index, or one of the SHN_* reserved values. */
  readonly shndx: number;
  readonly value: number;
  readonly size: number;
}

export interface ElfRelocation {
  /** Byte offset inside the section the relocations apply to. */
  readonly offset: number;
  readonly type: number;
  /** Index into the symbol table (validated by `relocations()`). */
  readonly symbol: number;
}

export class ElfFile {
  readonly file: ByteReader;
  readonly sections: readonly ElfSection[];
  /** The symbol table; empty if the object has none. */
  readonly symbols: readonly ElfSymbol[];
  private readonly symtabIndex: number;

  constructor(bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array)) throw new ElfError('BAD_INPUT', 'an ELF object must be a Uint8Array');
    // A plain view even of a Node Buffer, whose slice() would not copy.
    this.file = new ByteReader(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'ELF file', 'TRUNCATED');
    const header = readHeader(this.file);
    this.sections = readSections(this.file, header);
    const symtabs = this.sections.filter((s) => s.type === SHT.SYMTAB);
    if (symtabs.length > 1) throw new ElfError('BAD_SYMTAB', `object has ${symtabs.length} symbol tables`);
    this.symtabIndex = symtabs[0]?.index ?? -1;
    this.symbols = symtabs.length === 0 ? [] : readSymbols(this, symtabs[0]);
  }

  /**
   * The section's bytes in the file. SHT_NOBITS sections (`.bss`) have none; callers
   * that accept them handle them by size alone, so a corrupt size cannot make us
   * allocate gigabytes of zeros.
   */
  data(section: ElfSection): Uint8Array {
    if (section.type === SHT.NOBITS) {
      throw new ElfError('BAD_SECTION_TYPE', `section '${section.name}' is SHT_NOBITS and has no contents in the file`);
    }
    return this.file.bytes.subarray(section.offset, section.offset + section.size);
  }

  /** The section at `index`, or an error naming `what` refers to it. */
  section(index: number, what: string): ElfSection {
    const s = this.sections[index];
    if (s === undefined || index === 0) {
      throw new ElfError('BAD_SECTION_INDEX', `${what} refers to section ${index}, which does not exist (the object has ${this.sections.length})`);
    }
    return s;
  }

  /** The section a symbol is defined in, or undefined for undefined/absolute/common symbols. */
  symbolSection(sym: ElfSymbol): ElfSection | undefined {
    if (sym.shndx === SHN.UNDEF || sym.shndx >= SHN.LORESERVE) return undefined;
    return this.sections[sym.shndx];
  }

  /**
   * The REL relocations that apply to section `target`, in file order, with every
   * symbol index checked against the symbol table.
   */
  relocations(target: ElfSection): ElfRelocation[] {
    const out: ElfRelocation[] = [];
    for (const rel of this.sections) {
      if (rel.info !== target.index) continue;
      if (rel.type === SHT.RELA) {
        throw new ElfError('UNSUPPORTED_RELA', `section '${rel.name}' holds RELA relocations for '${target.name}'; BPF objects use REL`);
      }
      if (rel.type !== SHT.REL) continue;
      if (rel.link !== this.symtabIndex) {
        throw new ElfError('BAD_SECTION_INDEX', `relocation section '${rel.name}' links to section ${rel.link}, not the symbol table`);
      }
      if (rel.size % REL_SIZE !== 0) {
        throw new ElfError('BAD_RELOCATION', `relocation section '${rel.name}' size ${rel.size} is not a multiple of ${REL_SIZE}`);
      }
      const r = new ByteReader(this.data(rel), `relocation section '${rel.name}'`);
      for (let at = 0; at < rel.size; at += REL_SIZE) {
        const entry = at / REL_SIZE;
        const offset = toSafeNumber(r.u64(at, 'r_offset'), `relocation ${entry} of '${rel.name}' offset`, 'BAD_RELOCATION');
        const info = r.u64(at + 8, 'r_info');
        const symbol = Number(info >> 32n);
        const type = Number(info & 0xffff_ffffn);
        if (symbol >= this.symbols.length) {
          throw new ElfError('BAD_RELOCATION_SYMBOL',
            `relocation ${entry} of '${rel.name}' refers to symbol ${symbol}, but the symbol table has ${this.symbols.length}`);
        }
        out.push({ offset, type, symbol });
      }
    }
    return out;
  }
}

interface Header {
  shoff: number;
  shnum: number;
  shstrndx: number;
}

function readHeader(f: ByteReader): Header {
  if (f.length < 16 || !ELF_MAGIC.every((b, i) => f.bytes[i] === b)) {
    throw new ElfError(f.length < 4 ? 'TRUNCATED' : 'BAD_MAGIC', 'not an ELF file: the first bytes are not \\x7fELF');
  }
  const cls = f.bytes[4];
  if (cls !== ELFCLASS64) throw new ElfError('BAD_CLASS', `ELF class ${cls} is not ELFCLASS64 (${ELFCLASS64}): BPF objects are 64-bit`);
  const data = f.bytes[5];
  if (data === ELFDATA2MSB) throw new ElfError('WRONG_ENDIANNESS', 'object is big-endian (ELFDATA2MSB); only little-endian BPF objects are supported');
  if (data !== ELFDATA2LSB) throw new ElfError('WRONG_ENDIANNESS', `unknown ELF data encoding ${data}`);
  if (f.bytes[6] !== EV_CURRENT) throw new ElfError('BAD_VERSION', `ELF identification version ${f.bytes[6]} is not ${EV_CURRENT}`);
  if (f.length < EHDR_SIZE) throw new ElfError('TRUNCATED', `file of ${f.length} bytes is shorter than the ${EHDR_SIZE}-byte ELF header`);

  const type = f.u16(16, 'e_type');
  const machine = f.u16(18, 'e_machine');
  if (machine !== EM_BPF) throw new ElfError('WRONG_MACHINE', `e_machine is ${machine}, not EM_BPF (${EM_BPF})`);
  if (type !== ET_REL) throw new ElfError('BAD_TYPE', `e_type is ${type}, not ET_REL (${ET_REL}): expected a relocatable object (clang -c)`);
  const version = f.u32(20, 'e_version');
  if (version !== EV_CURRENT) throw new ElfError('BAD_VERSION', `e_version is ${version}, not ${EV_CURRENT}`);

  const phoff = toSafeNumber(f.u64(32, 'e_phoff'), 'e_phoff', 'BAD_HEADER');
  const shoff = toSafeNumber(f.u64(40, 'e_shoff'), 'e_shoff', 'BAD_HEADER');
  const ehsize = f.u16(52, 'e_ehsize');
  const phentsize = f.u16(54, 'e_phentsize');
  const phnum = f.u16(56, 'e_phnum');
  const shentsize = f.u16(58, 'e_shentsize');
  let shnum = f.u16(60, 'e_shnum');
  let shstrndx = f.u16(62, 'e_shstrndx');
  if (ehsize !== EHDR_SIZE) throw new ElfError('BAD_HEADER', `e_ehsize is ${ehsize}, not ${EHDR_SIZE}`);
  if (phnum > 0 && phoff + phnum * phentsize > f.length) {
    throw new ElfError('BAD_HEADER', `program headers (${phnum} at offset ${phoff}) extend past the end of the file (${f.length} bytes)`);
  }
  if (shoff === 0) throw new ElfError('BAD_SECTION_HEADERS', 'object has no section header table (e_shoff = 0)');
  if (shentsize !== SHDR_SIZE) throw new ElfError('BAD_SECTION_HEADERS', `e_shentsize is ${shentsize}, not ${SHDR_SIZE}`);
  // Extended numbering: with 0xff00 sections or more, the counts live in section 0.
  if (shnum === 0 || shstrndx === SHN.XINDEX) {
    f.check(shoff, SHDR_SIZE, 'section header 0');
    if (shnum === 0) shnum = toSafeNumber(f.u64(shoff + 32, 'section 0 sh_size'), 'extended section count', 'BAD_SECTION_HEADERS');
    if (shstrndx === SHN.XINDEX) shstrndx = f.u32(shoff + 40, 'section 0 sh_link');
  }
  if (shoff + shnum * SHDR_SIZE > f.length) {
    throw new ElfError('BAD_SECTION_HEADERS',
      `section header table (${shnum} entries at offset ${shoff}) extends past the end of the file (${f.length} bytes)`);
  }
  if (shstrndx === 0 || shstrndx >= shnum) {
    throw new ElfError('BAD_SECTION_INDEX', `section name table index e_shstrndx ${shstrndx} is out of range (1..${shnum - 1})`);
  }
  return { shoff, shnum, shstrndx };
}

interface RawSection extends Omit<ElfSection, 'name'> {
  nameOffset: number;
}

function readSections(f: ByteReader, h: Header): ElfSection[] {
  const raw: RawSection[] = [];
  for (let i = 0; i < h.shnum; i++) {
    const at = h.shoff + i * SHDR_SIZE;
    const what = `section ${i}`;
    const type = f.u32(at + 4, `${what} sh_type`);
    const offset = toSafeNumber(f.u64(at + 24, `${what} sh_offset`), `${what} sh_offset`, 'SECTION_OUT_OF_BOUNDS');
    const size = toSafeNumber(f.u64(at + 32, `${what} sh_size`), `${what} sh_size`, 'SECTION_OUT_OF_BOUNDS');
    if (i > 0 && type !== SHT.NOBITS && type !== SHT.NULL && offset + size > f.length) {
      throw new ElfError('SECTION_OUT_OF_BOUNDS',
        `${what} (offset ${offset}, size ${size}) extends past the end of the file (${f.length} bytes)`);
    }
    raw.push({
      index: i,
      nameOffset: f.u32(at, `${what} sh_name`),
      type,
      flags: Number(f.u64(at + 8, `${what} sh_flags`) & 0xffff_ffffn),
      offset,
      size,
      link: f.u32(at + 40, `${what} sh_link`),
      info: f.u32(at + 44, `${what} sh_info`),
      entsize: toSafeNumber(f.u64(at + 56, `${what} sh_entsize`), `${what} sh_entsize`, 'BAD_SECTION_HEADERS'),
    });
  }
  const names = raw[h.shstrndx];
  if (names.type !== SHT.STRTAB) {
    throw new ElfError('BAD_SECTION_HEADERS', `section name table (section ${h.shstrndx}) has type ${names.type}, not SHT_STRTAB`);
  }
  const strings = new ByteReader(f.bytes.subarray(names.offset, names.offset + names.size), 'section name table');
  return raw.map(({ nameOffset, ...s }) => ({
    ...s,
    name: s.index === 0 ? '' : strings.cstring(nameOffset, `section ${s.index} name`),
  }));
}

function readSymbols(elf: ElfFile, symtab: ElfSection): ElfSymbol[] {
  if (symtab.entsize !== SYM_SIZE) {
    throw new ElfError('BAD_SYMTAB', `symbol table entry size is ${symtab.entsize}, not ${SYM_SIZE}`);
  }
  if (symtab.size % SYM_SIZE !== 0) {
    throw new ElfError('BAD_SYMTAB', `symbol table size ${symtab.size} is not a multiple of ${SYM_SIZE}`);
  }
  const strtab = elf.section(symtab.link, 'the symbol table (sh_link)');
  if (strtab.type !== SHT.STRTAB) {
    throw new ElfError('BAD_SYMTAB', `the symbol table links to section '${strtab.name}', which is not a string table`);
  }
  const names = new ByteReader(elf.data(strtab), `string table '${strtab.name}'`);
  const r = new ByteReader(elf.data(symtab), 'symbol table');
  const symbols: ElfSymbol[] = [];
  for (let at = 0, index = 0; at < symtab.size; at += SYM_SIZE, index++) {
    const info = r.u8(at + 4, 'st_info');
    const shndx = r.u16(at + 6, 'st_shndx');
    if (shndx === SHN.XINDEX) {
      throw new ElfError('BAD_SYMBOL', `symbol ${index} uses an extended section index (SHN_XINDEX), which BPF objects do not need`);
    }
    if (shndx < SHN.LORESERVE && shndx >= elf.sections.length) {
      throw new ElfError('BAD_SECTION_INDEX', `symbol ${index} is defined in section ${shndx}, which does not exist (the object has ${elf.sections.length})`);
    }
    symbols.push({
      index,
      name: names.cstring(r.u32(at, 'st_name'), `symbol ${index} name`),
      type: info & 0xf,
      bind: info >> 4,
      shndx,
      value: toSafeNumber(r.u64(at + 8, 'st_value'), `symbol ${index} value`, 'BAD_SYMBOL'),
      size: toSafeNumber(r.u64(at + 16, 'st_size'), `symbol ${index} size`, 'BAD_SYMBOL'),
    });
  }
  return symbols;
}
