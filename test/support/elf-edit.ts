/**
 * Finding and overwriting fields of an existing ELF object, for corruption tests. A
 * minimal walk of the headers written for the tests (not src/elf's reader): it assumes
 * a well-formed little-endian ELF64 input, which the fixtures are.
 */

export interface SectionHeader {
  readonly index: number;
  readonly name: string;
  /** File offset of this section's header. */
  readonly at: number;
  readonly type: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
}

/** Byte offsets of section header fields. */
export const SH = { name: 0, type: 4, flags: 8, offset: 24, size: 32, link: 40, info: 44, entsize: 56 } as const;
/** Byte offsets of ELF header fields. */
export const EH = { class: 4, data: 5, version: 6, type: 16, machine: 18, e_version: 20, phoff: 32, shoff: 40, ehsize: 52, phentsize: 54, phnum: 56, shentsize: 58, shnum: 60, shstrndx: 62 } as const;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function sectionHeaders(bytes: Uint8Array): SectionHeader[] {
  const v = view(bytes);
  const shoff = Number(v.getBigUint64(EH.shoff, true));
  const shnum = v.getUint16(EH.shnum, true);
  const shstrndx = v.getUint16(EH.shstrndx, true);
  const raw = Array.from({ length: shnum }, (_, index) => {
    const at = shoff + 64 * index;
    return {
      index, at,
      nameOff: v.getUint32(at, true),
      type: v.getUint32(at + 4, true),
      offset: Number(v.getBigUint64(at + 24, true)),
      size: Number(v.getBigUint64(at + 32, true)),
      link: v.getUint32(at + 40, true),
      info: v.getUint32(at + 44, true),
    };
  });
  const strings = raw[shstrndx].offset;
  return raw.map(({ nameOff, ...h }) => {
    const start = strings + nameOff;
    return { ...h, name: new TextDecoder().decode(bytes.subarray(start, bytes.indexOf(0, start))) };
  });
}

export function section(bytes: Uint8Array, name: string): SectionHeader {
  const s = sectionHeaders(bytes).find((h) => h.name === name);
  if (!s) throw new Error(`no section ${name}`);
  return s;
}

export function setU8(bytes: Uint8Array, at: number, value: number): void {
  view(bytes).setUint8(at, value);
}

export function setU16(bytes: Uint8Array, at: number, value: number): void {
  view(bytes).setUint16(at, value, true);
}

export function setU32(bytes: Uint8Array, at: number, value: number): void {
  view(bytes).setUint32(at, value, true);
}

export function setU64(bytes: Uint8Array, at: number, value: bigint): void {
  view(bytes).setBigUint64(at, value, true);
}

export function getU32(bytes: Uint8Array, at: number): number {
  return view(bytes).getUint32(at, true);
}

export function getU64(bytes: Uint8Array, at: number): bigint {
  return view(bytes).getBigUint64(at, true);
}

/** A symbol table entry: its file offset and fields. */
export interface SymbolEntry {
  readonly index: number;
  readonly at: number;
  readonly name: string;
  readonly shndx: number;
  readonly value: number;
}

export function symbols(bytes: Uint8Array): SymbolEntry[] {
  const headers = sectionHeaders(bytes);
  const symtab = headers.find((h) => h.type === 2)!;
  const strtab = headers[symtab.link];
  const v = view(bytes);
  return Array.from({ length: symtab.size / 24 }, (_, index) => {
    const at = symtab.offset + 24 * index;
    const start = strtab.offset + v.getUint32(at, true);
    return {
      index, at,
      name: new TextDecoder().decode(bytes.subarray(start, bytes.indexOf(0, start))),
      shndx: v.getUint16(at + 6, true),
      value: Number(v.getBigUint64(at + 8, true)),
    };
  });
}

export function symbol(bytes: Uint8Array, name: string): SymbolEntry {
  const s = symbols(bytes).find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s;
}

/** A REL entry: its file offset and fields. */
export interface RelocationEntry {
  readonly at: number;
  readonly offset: number;
  readonly symbol: number;
  readonly type: number;
}

/** The relocations applying to section `target`. */
export function relocationsFor(bytes: Uint8Array, target: string): RelocationEntry[] {
  const headers = sectionHeaders(bytes);
  const t = headers.find((h) => h.name === target)!;
  const v = view(bytes);
  return headers.filter((h) => h.type === 9 && h.info === t.index).flatMap((rel) =>
    Array.from({ length: rel.size / 16 }, (_, i) => {
      const at = rel.offset + 16 * i;
      const info = v.getBigUint64(at + 8, true);
      return { at, offset: Number(v.getBigUint64(at, true)), symbol: Number(info >> 32n), type: Number(info & 0xffffffffn) };
    }));
}

/** Rewrite a relocation's symbol index and type. */
export function setRelocation(bytes: Uint8Array, rel: RelocationEntry, symbolIndex: number, type = rel.type): void {
  setU64(bytes, rel.at + 8, (BigInt(symbolIndex) << 32n) | BigInt(type));
}
