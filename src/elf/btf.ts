/**
 * BTF (the kernel's BPF Type Format, Documentation/bpf/btf.rst): the header, the type
 * section and the string section of an object's `.BTF`. The loader needs it for
 * BTF-defined maps: the `.maps` DATASEC lists the map variables, each a struct whose
 * members encode the definition (see `maps.ts`). Every type is parsed so that offsets
 * stay right, but only sizes and references are kept.
 */
import { ElfError } from '../errors.js';
import { ByteReader } from './bytes.js';

const BTF_MAGIC = 0xeb9f;
const HEADER_SIZE = 24;

export const BTF_KIND = {
  INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9,
  CONST: 10, RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16,
  DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19,
} as const;

const KIND_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(BTF_KIND).map(([name, kind]) => [kind, name.toLowerCase()]));

/** The BTF types we look inside; every other kind is kept as a bare (kind, name, size/type). */
export interface BtfType {
  readonly id: number;
  readonly kind: number;
  readonly name: string;
  /** size_or_type: the byte size of sized kinds, the referenced type id of the others. */
  readonly sizeOrType: number;
  /** ARRAY: element type and count. */
  readonly array?: { readonly type: number; readonly nelems: number };
  /** STRUCT/UNION members (offset in bits). */
  readonly members?: readonly { readonly name: string; readonly type: number }[];
  /** DATASEC variables: the VAR's type id, its offset and size in the section. */
  readonly vars?: readonly { readonly type: number; readonly offset: number; readonly size: number }[];
}

/** How many modifier/typedef/array links we follow before calling a chain a loop (libbpf uses 32). */
const MAX_RESOLVE_DEPTH = 32;

const MODIFIERS = new Set<number>([BTF_KIND.TYPEDEF, BTF_KIND.VOLATILE, BTF_KIND.CONST, BTF_KIND.RESTRICT, BTF_KIND.TYPE_TAG]);
const SIZED = new Set<number>([BTF_KIND.INT, BTF_KIND.STRUCT, BTF_KIND.UNION, BTF_KIND.ENUM, BTF_KIND.ENUM64, BTF_KIND.FLOAT, BTF_KIND.DATASEC]);

export function btfKindName(kind: number): string {
  return KIND_NAMES[kind] ?? `kind ${kind}`;
}

export class Btf {
  /** Indexed by type id; id 0 is void and has no entry. */
  private readonly types: readonly (BtfType | undefined)[];

  constructor(types: readonly (BtfType | undefined)[]) {
    this.types = types;
  }

  get count(): number {
    return this.types.length - 1;
  }

  /** The type with id `id`; `what` names the reference for the error. */
  type(id: number, what: string): BtfType {
    const t = id > 0 ? this.types[id] : undefined;
    if (t === undefined) {
      throw new ElfError('BAD_BTF', `${what} refers to BTF type ${id}, ${id === 0 ? 'void' : `but there are only ${this.count}`}`);
    }
    return t;
  }

  /** Follow typedefs and const/volatile/restrict/type tags to the underlying type. */
  skipModifiers(id: number, what: string): BtfType {
    let t = this.type(id, what);
    for (let depth = 0; MODIFIERS.has(t.kind); depth++) {
      if (depth >= MAX_RESOLVE_DEPTH) throw new ElfError('BAD_BTF', `${what}: type chain from BTF type ${id} is too deep or loops`);
      t = this.type(t.sizeOrType, what);
    }
    return t;
  }

  /** The byte size of a type, as sizeof would give it (libbpf's btf__resolve_size). */
  resolveSize(id: number, what: string): number {
    let multiplier = 1;
    let t = this.type(id, what);
    for (let depth = 0; ; depth++) {
      if (depth >= MAX_RESOLVE_DEPTH) throw new ElfError('BAD_BTF', `${what}: type chain from BTF type ${id} is too deep or loops`);
      if (SIZED.has(t.kind)) return checkedSize(multiplier, t.sizeOrType, what);
      if (t.kind === BTF_KIND.PTR) return checkedSize(multiplier, 8, what);
      if (MODIFIERS.has(t.kind) || t.kind === BTF_KIND.VAR) {
        t = this.type(t.sizeOrType, what);
      } else if (t.kind === BTF_KIND.ARRAY) {
        multiplier = checkedSize(multiplier, t.array!.nelems, what);
        t = this.type(t.array!.type, what);
      } else {
        throw new ElfError('BAD_BTF', `${what}: BTF type ${t.id} (${btfKindName(t.kind)}${t.name ? ` '${t.name}'` : ''}) has no size`);
      }
    }
  }

  /** The DATASEC named `name` (e.g. `.maps`), if the object has one. */
  datasec(name: string): BtfType | undefined {
    return this.types.find((t) => t?.kind === BTF_KIND.DATASEC && t.name === name);
  }
}

function checkedSize(a: number, b: number, what: string): number {
  const size = a * b;
  if (size > 0xffff_ffff) throw new ElfError('BAD_BTF', `${what}: size ${a} x ${b} does not fit in 32 bits`);
  return size;
}

/** Parse a `.BTF` section. Throws `ElfError` (code `BAD_BTF`) for anything malformed. */
export function parseBtf(bytes: Uint8Array): Btf {
  const r = new ByteReader(bytes, 'section .BTF', 'BAD_BTF');
  const magic = r.u16(0, 'magic');
  if (magic !== BTF_MAGIC) {
    throw new ElfError('BAD_BTF', magic === 0x9feb
      ? '.BTF is big-endian; only little-endian objects are supported'
      : `.BTF magic is 0x${magic.toString(16)}, not 0x${BTF_MAGIC.toString(16)}`);
  }
  const version = r.u8(2, 'version');
  if (version !== 1) throw new ElfError('BAD_BTF', `.BTF version ${version} is not 1`);
  const hdrLen = r.u32(4, 'hdr_len');
  if (hdrLen < HEADER_SIZE) throw new ElfError('BAD_BTF', `.BTF header length ${hdrLen} is shorter than ${HEADER_SIZE}`);
  const typeOff = r.u32(8, 'type_off');
  const typeLen = r.u32(12, 'type_len');
  const strOff = r.u32(16, 'str_off');
  const strLen = r.u32(20, 'str_len');
  const typeBytes = r.slice(hdrLen + typeOff, typeLen, 'type section');
  const strings = new ByteReader(r.slice(hdrLen + strOff, strLen, 'string section'), '.BTF string section', 'BAD_BTF');
  return new Btf(parseTypes(new ByteReader(typeBytes, '.BTF type section', 'BAD_BTF'), strings));
}

function parseTypes(r: ByteReader, strings: ByteReader): (BtfType | undefined)[] {
  const types: (BtfType | undefined)[] = [undefined];
  const name = (off: number, id: number) => (off === 0 ? '' : strings.cstring(off, `type ${id} name`, 'BAD_BTF'));
  for (let at = 0; at < r.length;) {
    const id = types.length;
    const nameOff = r.u32(at, `type ${id} name_off`);
    const info = r.u32(at + 4, `type ${id} info`);
    const sizeOrType = r.u32(at + 8, `type ${id} size/type`);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    at += 12;
    const base = { id, kind, name: name(nameOff, id), sizeOrType };
    switch (kind) {
      case BTF_KIND.INT: case BTF_KIND.VAR: case BTF_KIND.DECL_TAG:
        r.check(at, 4, `type ${id} data`);
        at += 4;
        types.push(base);
        break;
      case BTF_KIND.PTR: case BTF_KIND.FWD: case BTF_KIND.TYPEDEF: case BTF_KIND.VOLATILE:
      case BTF_KIND.CONST: case BTF_KIND.RESTRICT: case BTF_KIND.FUNC: case BTF_KIND.FLOAT:
      case BTF_KIND.TYPE_TAG:
        types.push(base);
        break;
      case BTF_KIND.ARRAY:
        types.push({ ...base, array: { type: r.u32(at, `type ${id} array type`), nelems: r.u32(at + 8, `type ${id} nelems`) } });
        at += 12;
        break;
      case BTF_KIND.STRUCT: case BTF_KIND.UNION: {
        r.check(at, vlen * 12, `type ${id} members`);
        const members = [];
        for (let i = 0; i < vlen; i++, at += 12) {
          members.push({ name: name(r.u32(at, 'member name'), id), type: r.u32(at + 4, 'member type') });
        }
        types.push({ ...base, members });
        break;
      }
      case BTF_KIND.ENUM: case BTF_KIND.FUNC_PROTO:
        r.check(at, vlen * 8, `type ${id} entries`);
        at += vlen * 8;
        types.push(base);
        break;
      case BTF_KIND.ENUM64:
        r.check(at, vlen * 12, `type ${id} entries`);
        at += vlen * 12;
        types.push(base);
        break;
      case BTF_KIND.DATASEC: {
        r.check(at, vlen * 12, `type ${id} variables`);
        const vars = [];
        for (let i = 0; i < vlen; i++, at += 12) {
          vars.push({ type: r.u32(at, 'var type'), offset: r.u32(at + 4, 'var offset'), size: r.u32(at + 8, 'var size') });
        }
        types.push({ ...base, vars });
        break;
      }
      default:
        throw new ElfError('BAD_BTF', `BTF type ${id} has unknown kind ${kind}`);
    }
  }
  return types;
}
