/**
 * Map definitions in an object, the three ways libbpf finds them:
 *
 * - BTF-defined maps in `.maps`: each variable of the `.maps` DATASEC is a struct whose
 *   members encode the definition. `__uint(name, n)` is `int (*name)[n]` (a pointer to
 *   an array of n ints: n is the value), `__type(name, T)` is `T *name` (the size of T).
 * - Legacy `maps` section: an array of `struct bpf_map_def` {type, key_size,
 *   value_size, max_entries, map_flags}, one per symbol, the stride being the section
 *   size over the number of symbols (libbpf before 1.0; objects built against older
 *   headers still carry it).
 * - Global variables: `.data`, `.rodata`, `.bss` and their `.data.*`/`.rodata.*`
 *   variants (e.g. `.rodata.str1.1` for string literals) each become a one-entry array
 *   map whose value is the section, named after the section (libbpf's "real name").
 */
import { ElfError } from '../errors.js';
import { PAGE_SIZE } from '../maps/map-spec-check.js';
import { mapTypeName, type MapSpec } from '../maps/types.js';
import { ByteReader } from './bytes.js';
import { BTF_KIND, btfKindName, type Btf } from './btf.js';
import { SHT, STT, type ElfFile, type ElfSection, type ElfSymbol } from './reader.js';

export const BTF_MAPS_SECTION = '.maps';
export const LEGACY_MAPS_SECTION = 'maps';
const BPF_MAP_DEF_SIZE = 20;

/** A map together with where the object defines it, for resolving relocations. */
export interface ObjectMap {
  readonly spec: MapSpec & { readonly name: string };
  readonly section: number;
  /** Offset of the definition in its section (0 for global-variable maps). */
  readonly offset: number;
  /** `variables`: the whole section is the map's value; relocations carry an offset into it. */
  readonly kind: 'btf' | 'legacy' | 'variables';
}

/** The kind of global-variable section a name denotes, or undefined. */
export function variableSectionKind(name: string): 'data' | 'rodata' | 'bss' | undefined {
  for (const kind of ['data', 'rodata', 'bss'] as const) {
    if (name === `.${kind}` || name.startsWith(`.${kind}.`)) return kind;
  }
  return undefined;
}

/** Every map the object defines: legacy, then BTF-defined, then global variables. */
export function collectMaps(elf: ElfFile, btf: () => Btf): ObjectMap[] {
  const maps: ObjectMap[] = [];
  for (const section of elf.sections) {
    if (section.name === LEGACY_MAPS_SECTION && section.type === SHT.PROGBITS) maps.push(...legacyMaps(elf, section));
  }
  for (const section of elf.sections) {
    if (section.name === BTF_MAPS_SECTION && section.type === SHT.PROGBITS) maps.push(...btfMaps(elf, section, btf()));
  }
  for (const section of elf.sections) {
    const map = variableMap(elf, section);
    if (map) maps.push(map);
  }
  const seen = new Set<string>();
  for (const m of maps) {
    if (seen.has(m.spec.name)) throw new ElfError('DUPLICATE_NAME', `two maps are named '${m.spec.name}'`);
    seen.add(m.spec.name);
  }
  return maps;
}

/** Symbols naming definitions inside `section`, by offset. */
function definitionSymbols(elf: ElfFile, section: ElfSection): ElfSymbol[] {
  return elf.symbols
    .filter((s) => s.shndx === section.index && s.type !== STT.SECTION && s.type !== STT.FILE && s.name !== '')
    .sort((a, b) => a.value - b.value);
}

function checkedType(id: number, name: string): MapSpec['type'] {
  const type = mapTypeName(id);
  if (type === undefined) throw new ElfError('UNKNOWN_MAP_TYPE', `map '${name}' has map type ${id}, which is not supported`);
  return type;
}

function legacyMaps(elf: ElfFile, section: ElfSection): ObjectMap[] {
  const symbols = definitionSymbols(elf, section);
  if (symbols.length === 0) return [];
  if (section.size === 0 || section.size % symbols.length !== 0) {
    throw new ElfError('BAD_MAP', `section 'maps' (${section.size} bytes) cannot hold ${symbols.length} equal map definitions`);
  }
  const stride = section.size / symbols.length;
  const r = new ByteReader(elf.data(section), "section 'maps'", 'BAD_MAP');
  return symbols.map((sym) => {
    if (sym.value % stride !== 0 || sym.value + stride > section.size) {
      throw new ElfError('BAD_MAP', `map '${sym.name}' at offset ${sym.value} is not a whole ${stride}-byte definition inside section 'maps'`);
    }
    // A shorter definition is zero-extended; a longer one may only add zeros (libbpf's rule).
    const field = (i: number) => (i * 4 + 4 <= stride ? r.u32(sym.value + i * 4, `map '${sym.name}' field ${i}`) : 0);
    for (let at = BPF_MAP_DEF_SIZE; at < stride; at++) {
      if (r.u8(sym.value + at, `map '${sym.name}'`) !== 0) {
        throw new ElfError('BAD_MAP', `map '${sym.name}' sets bytes past struct bpf_map_def (offset ${at} of its ${stride}-byte definition)`);
      }
    }
    const spec = {
      name: sym.name,
      type: checkedType(field(0), sym.name),
      keySize: field(1),
      valueSize: field(2),
      maxEntries: field(3),
      flags: field(4),
    };
    return { spec, section: section.index, offset: sym.value, kind: 'legacy' as const };
  });
}

/**
 * The __uint() members a BTF map definition may have; any other member is rejected, as
 * libbpf does. `numa_node` and `pinning` (bpffs pinning) mean nothing here and are read
 * but ignored.
 */
const INT_FIELDS = ['type', 'max_entries', 'map_flags', 'key_size', 'value_size', 'numa_node', 'pinning'] as const;
type IntField = (typeof INT_FIELDS)[number];

function isIntField(name: string): name is IntField {
  return (INT_FIELDS as readonly string[]).includes(name);
}

function btfMaps(elf: ElfFile, section: ElfSection, btf: Btf): ObjectMap[] {
  const datasec = btf.datasec(BTF_MAPS_SECTION);
  if (!datasec) throw new ElfError('BAD_BTF', "the object has a '.maps' section but its BTF has no '.maps' DATASEC");
  const symbolByName = new Map(definitionSymbols(elf, section).map((s) => [s.name, s]));
  return datasec.vars!.map((v) => {
    const variable = btf.type(v.type, "a '.maps' variable");
    if (variable.kind !== BTF_KIND.VAR) {
      throw new ElfError('BAD_BTF', `'.maps' DATASEC entry is BTF type ${variable.id} (${btfKindName(variable.kind)}), not a variable`);
    }
    const name = variable.name;
    const sym = symbolByName.get(name);
    // clang leaves the DATASEC's offsets 0 (libbpf fixes them up from the symbols): the ELF symbol has the real one.
    if (!sym) throw new ElfError('BAD_MAP', `BTF map '${name}' has no symbol in section '.maps'`);
    return { spec: btfMapSpec(btf, variable.sizeOrType, name), section: section.index, offset: sym.value, kind: 'btf' as const };
  });
}

function btfMapSpec(btf: Btf, typeId: number, name: string): ObjectMap['spec'] {
  const what = `map '${name}'`;
  const def = btf.skipModifiers(typeId, what);
  if (def.kind !== BTF_KIND.STRUCT) {
    throw new ElfError('BAD_MAP', `${what} is a ${btfKindName(def.kind)}, not a struct map definition`);
  }
  const ints: Partial<Record<IntField, number>> = {};
  const sizes: { key?: number; value?: number } = {};
  for (const member of def.members!) {
    const field = `${what} field '${member.name}'`;
    if (isIntField(member.name)) {
      // __uint(name, n): int (*name)[n]
      const ptr = btf.skipModifiers(member.type, field);
      const array = ptr.kind === BTF_KIND.PTR ? btf.type(ptr.sizeOrType, field) : undefined;
      if (array?.kind !== BTF_KIND.ARRAY) throw new ElfError('BAD_MAP', `${field} is not an __uint() (a pointer to an array)`);
      ints[member.name] = array.array!.nelems;
    } else if (member.name === 'key' || member.name === 'value') {
      // __type(name, T): T *name
      const ptr = btf.skipModifiers(member.type, field);
      if (ptr.kind !== BTF_KIND.PTR) throw new ElfError('BAD_MAP', `${field} is not a __type() (a pointer)`);
      sizes[member.name] = btf.resolveSize(ptr.sizeOrType, field);
    } else if (member.name === 'values') {
      throw new ElfError('UNSUPPORTED_MAP_FIELD', `${what} initialises its values (__array(values, ...)), which is not supported`);
    } else {
      throw new ElfError('UNKNOWN_MAP_FIELD', `${what} has unknown field '${member.name}'`);
    }
  }
  if (ints.type === undefined) throw new ElfError('BAD_MAP', `${what} has no type`);
  const size = (kind: 'key' | 'value') => {
    const fromType = sizes[kind];
    const fromInt = ints[`${kind}_size`];
    if (fromType !== undefined && fromInt !== undefined && fromType !== fromInt) {
      throw new ElfError('BAD_MAP', `${what} has ${kind}_size ${fromInt} but its ${kind} type is ${fromType} bytes`);
    }
    return fromType ?? fromInt ?? 0;
  };
  const type = checkedType(ints.type, name);
  const maxEntries = ints.max_entries ?? 0;
  return {
    name,
    type,
    keySize: size('key'),
    valueSize: size('value'),
    maxEntries: type === 'ringbuf' ? ringbufSize(maxEntries) : maxEntries,
    flags: ints.map_flags ?? 0,
  };
}

/**
 * libbpf's adjust_ringbuf_sz (applied to BTF-defined maps when the object is opened):
 * the kernel wants a ring buffer's size to be a power-of-2 multiple of the page size,
 * so any other size is rounded up to the next one (`max_entries 5000` gives 8192). 0
 * stays 0, for map creation to reject.
 */
function ringbufSize(size: number): number {
  if (size === 0) return 0;
  for (let pages = 1; pages * PAGE_SIZE <= 0xffff_ffff; pages *= 2) {
    if (pages * PAGE_SIZE >= size) return pages * PAGE_SIZE;
  }
  return size;
}

function variableMap(elf: ElfFile, section: ElfSection): ObjectMap | undefined {
  const kind = variableSectionKind(section.name);
  if (kind === undefined || section.size === 0) return undefined;
  if (section.type !== SHT.PROGBITS && section.type !== SHT.NOBITS) return undefined;
  if (section.size > 0xffff_ffff) {
    throw new ElfError('BAD_MAP', `section '${section.name}' is ${section.size} bytes, too large for a map value`);
  }
  const spec = {
    name: section.name,
    type: 'array' as const,
    keySize: 4,
    valueSize: section.size,
    maxEntries: 1,
    // .bss starts zeroed; the others start as the section's bytes (copied: specs outlive the file buffer).
    ...(section.type === SHT.NOBITS ? {} : { initial: new Uint8Array(elf.data(section)) }),
    ...(kind === 'rodata' ? { readonly: true } : {}),
  };
  return { spec, section: section.index, offset: 0, kind: 'variables' };
}
