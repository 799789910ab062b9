/**
 * A small ELF64 writer for tests: sections, symbols and REL relocations by name, laid
 * out the way clang lays out a BPF object (header, section contents, string and symbol
 * tables, relocation sections, then the section header table). It writes its own
 * bytes with DataView and shares no code with src/elf, so the loader is tested against
 * an independent encoding of the format.
 */

export const SHT = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9 } as const;
export const SHF = { WRITE: 1, ALLOC: 2, EXECINSTR: 4 } as const;
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3 } as const;
export const STB = { LOCAL: 0, GLOBAL: 1 } as const;
export const R_BPF_64_64 = 1;
export const R_BPF_64_32 = 10;

export interface SectionDef {
  name: string;
  type?: number;
  flags?: number;
  data?: Uint8Array;
  /** Size of an SHT_NOBITS section. */
  size?: number;
  entsize?: number;
}

export interface SymbolDef {
  name: string;
  /** Section name; omitted for an undefined (extern) symbol. */
  section?: string;
  value?: number;
  size?: number;
  type?: number;
  bind?: number;
}

export interface RelocationDef {
  /** The section the relocation applies to. */
  section: string;
  offset: number;
  symbol: string;
  type: number;
}

export interface ElfDef {
  sections: SectionDef[];
  symbols?: SymbolDef[];
  relocations?: RelocationDef[];
  machine?: number;
}

/** Executable section with the given instruction bytes. */
export function code(name: string, data: Uint8Array): SectionDef {
  return { name, flags: SHF.ALLOC | SHF.EXECINSTR, data };
}

/** A function symbol covering all of `data` in `section`. */
export function func(name: string, section: string, size: number, value = 0, bind: number = STB.GLOBAL): SymbolDef {
  return { name, section, value, size, type: STT.FUNC, bind };
}

class StringTable {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private length = 1;

  add(s: string): number {
    if (s === '') return 0;
    const bytes = new TextEncoder().encode(s + '\0');
    const at = this.length;
    this.parts.push(bytes);
    this.length += bytes.length;
    return at;
  }

  bytes(): Uint8Array {
    return concat(this.parts);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

interface Laid {
  name: number;
  type: number;
  flags: number;
  data: Uint8Array;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

export function buildElf(def: ElfDef): Uint8Array {
  const shstr = new StringTable();
  const strtab = new StringTable();
  const index = new Map<string, number>();
  const laid: Laid[] = [{ name: 0, type: SHT.NULL, flags: 0, data: new Uint8Array(0), size: 0, link: 0, info: 0, entsize: 0 }];
  for (const s of def.sections) {
    index.set(s.name, laid.length);
    const data = s.data ?? new Uint8Array(0);
    laid.push({
      name: shstr.add(s.name), type: s.type ?? SHT.PROGBITS, flags: s.flags ?? SHF.ALLOC, data,
      size: s.type === SHT.NOBITS ? (s.size ?? 0) : data.length, link: 0, info: 0, entsize: s.entsize ?? 0,
    });
  }
  const sectionIndex = (name: string) => {
    const i = index.get(name);
    if (i === undefined) throw new Error(`no section ${name}`);
    return i;
  };

  // Symbol table: the null symbol, then the given ones in order.
  const symbols = def.symbols ?? [];
  const symIndex = new Map<string, number>(symbols.map((s, i) => [s.name, i + 1]));
  const symtab = new Uint8Array(24 * (symbols.length + 1));
  const sv = new DataView(symtab.buffer);
  symbols.forEach((s, i) => {
    const at = 24 * (i + 1);
    sv.setUint32(at, s.type === STT.SECTION ? 0 : strtab.add(s.name), true);
    sv.setUint8(at + 4, ((s.bind ?? STB.GLOBAL) << 4) | (s.type ?? STT.NOTYPE));
    sv.setUint16(at + 6, s.section === undefined ? 0 : sectionIndex(s.section), true);
    sv.setBigUint64(at + 8, BigInt(s.value ?? 0), true);
    sv.setBigUint64(at + 16, BigInt(s.size ?? 0), true);
  });
  const strtabIndex = laid.length;
  laid.push({ name: shstr.add('.strtab'), type: SHT.STRTAB, flags: 0, data: new Uint8Array(0), size: 0, link: 0, info: 0, entsize: 0 });
  const symtabIndex = laid.length;
  laid.push({ name: shstr.add('.symtab'), type: SHT.SYMTAB, flags: 0, data: symtab, size: symtab.length, link: strtabIndex, info: 1, entsize: 24 });

  // One REL section per relocated section, named as clang names them (".rel" + name).
  const bySection = new Map<string, RelocationDef[]>();
  for (const r of def.relocations ?? []) bySection.set(r.section, [...(bySection.get(r.section) ?? []), r]);
  for (const [target, rels] of bySection) {
    const data = new Uint8Array(16 * rels.length);
    const rv = new DataView(data.buffer);
    rels.forEach((r, i) => {
      const sym = symIndex.get(r.symbol);
      if (sym === undefined) throw new Error(`no symbol ${r.symbol}`);
      rv.setBigUint64(16 * i, BigInt(r.offset), true);
      rv.setBigUint64(16 * i + 8, (BigInt(sym) << 32n) | BigInt(r.type), true);
    });
    laid.push({ name: shstr.add(`.rel${target}`), type: SHT.REL, flags: 0, data, size: data.length, link: symtabIndex, info: sectionIndex(target), entsize: 16 });
  }
  const shstrtabIndex = laid.length;
  laid.push({ name: shstr.add('.shstrtab'), type: SHT.STRTAB, flags: 0, data: new Uint8Array(0), size: 0, link: 0, info: 0, entsize: 0 });
  laid[strtabIndex].data = strtab.bytes();
  laid[strtabIndex].size = laid[strtabIndex].data.length;
  laid[shstrtabIndex].data = shstr.bytes();
  laid[shstrtabIndex].size = laid[shstrtabIndex].data.length;

  // Contents after the 64-byte header, 8-aligned; then the section headers.
  const offsets: number[] = [];
  let at = 64;
  for (const s of laid) {
    at = Math.ceil(at / 8) * 8;
    offsets.push(at);
    if (s.type !== SHT.NOBITS) at += s.data.length;
  }
  const shoff = Math.ceil(at / 8) * 8;
  const out = new Uint8Array(shoff + 64 * laid.length);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  v.setUint16(16, 1, true); // ET_REL
  v.setUint16(18, def.machine ?? 247, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint16(52, 64, true);
  v.setUint16(58, 64, true);
  v.setUint16(60, laid.length, true);
  v.setUint16(62, shstrtabIndex, true);
  laid.forEach((s, i) => {
    if (s.type !== SHT.NOBITS) out.set(s.data, offsets[i]);
    const h = shoff + 64 * i;
    v.setUint32(h, s.name, true);
    v.setUint32(h + 4, s.type, true);
    v.setBigUint64(h + 8, BigInt(s.flags), true);
    v.setBigUint64(h + 24, BigInt(i === 0 ? 0 : offsets[i]), true);
    v.setBigUint64(h + 32, BigInt(s.size), true);
    v.setUint32(h + 40, s.link, true);
    v.setUint32(h + 44, s.info, true);
    v.setBigUint64(h + 48, 8n, true);
    v.setBigUint64(h + 56, BigInt(s.entsize), true);
  });
  return out;
}

/**
 * A `.BTF` section: `types` are the raw type records (see `btfType`), `strings` the
 * names they refer to by offset (use `BtfStrings`).
 */
export function buildBtf(types: Uint8Array[], strings: Uint8Array): Uint8Array {
  const typeBytes = concat(types);
  const header = new Uint8Array(24);
  const v = new DataView(header.buffer);
  v.setUint16(0, 0xeb9f, true);
  v.setUint8(2, 1);
  v.setUint32(4, 24, true);
  v.setUint32(8, 0, true);
  v.setUint32(12, typeBytes.length, true);
  v.setUint32(16, typeBytes.length, true);
  v.setUint32(20, strings.length, true);
  return concat([header, typeBytes, strings]);
}

/** The string section of a BTF blob, names added in order. */
export class BtfStrings extends StringTable {}

/** One BTF type record: name offset, kind, vlen, size/type, then the kind's extra u32s. */
export function btfType(nameOff: number, kind: number, vlen: number, sizeOrType: number, extra: number[] = []): Uint8Array {
  const out = new Uint8Array(12 + 4 * extra.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, nameOff, true);
  v.setUint32(4, ((kind & 0x1f) << 24) | (vlen & 0xffff), true);
  v.setUint32(8, sizeOrType, true);
  extra.forEach((x, i) => v.setUint32(12 + 4 * i, x >>> 0, true));
  return out;
}
