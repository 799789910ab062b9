import { boundHolds, boundString, equalBounds, offsetBound, type LenBound } from './input-length.js';
import { scalarAlu } from './scalar-alu.js';
import { constant, equalScalars, isConstant, scalarString, within, UNKNOWN, type Scalar } from './scalar.js';

/**
 * What a register holds, as the verifier tracks it (the kernel's bpf_reg_state): a kind,
 * and for pointers a fixed offset `off` and a variable part `var` (a scalar). A scalar's
 * value is its `var`.
 *
 *   not_init     never written (reading it is an error)
 *   scalar       a number
 *   ctx          the program's context struct (off: into it)
 *   stack        a stack frame (frame: whose; off: from its top, negative)
 *   packet       packet data; `range`: bytes from the pointer proven below data_end
 *   packet_meta  XDP metadata, the same with data as its end
 *   packet_end   data_end
 *   map_ptr      a map (what helpers take as their map argument)
 *   map_value    one value of `map`
 *   mem          memory of `size` bytes a helper handed out (bpf_ringbuf_reserve)
 *   sock         skb->sk's struct bpf_sock (read-only)
 *   func         a subprogram's address (bpf_loop's callback)
 *   input        a raw program's input (r1 at entry), which ends LEN bytes on (r2 at entry)
 *
 * `orNull`: may be NULL until compared with 0; every copy shares the `id`, so one check
 * settles them all (the kernel's mark_ptr_or_null_regs). Packet pointers share an `id`
 * too: a compare with data_end proves `range` for every pointer of that id. Scalars share
 * an `id` when one is a copy of the other plus a constant, `off` (the kernel's linked
 * scalars): a bound learnt on one holds, moved by the difference, for every other.
 * `above` says a scalar is at least the scalar of one id and offset it grew from (a
 * non-negative addend, a factor of at least 1, i * i), so a bound learnt on it bounds that
 * one too (`i * i < len` gives i < len); other offsets of the id may have wrapped.
 * `lenBound` (raw programs, input-length.ts) bounds a scalar's value, or an input
 * pointer's variable part, relative to the input's length.
 */
export type RegKind =
  | 'not_init' | 'scalar' | 'ctx' | 'stack' | 'packet' | 'packet_meta' | 'packet_end'
  | 'map_ptr' | 'map_value' | 'mem' | 'sock' | 'func' | 'input';

/** A map as the verifier needs it: its shape and whether programs may write it. */
export interface MapInfo {
  readonly fd: number;
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly readonly: boolean;
}

export interface Reg {
  readonly kind: RegKind;
  readonly var: Scalar;
  readonly off: number;
  readonly orNull: boolean;
  readonly id: number;
  readonly range: number;
  readonly frame: number;
  readonly map?: MapInfo;
  readonly size: number;
  /** A reference that must be released before exit (ringbuf records): its id, else 0. */
  readonly refId: number;
  /** func: the subprogram's entry pc. */
  readonly target: number;
  /** Scalars and input pointers: an upper bound on the value (the variable part) relative to the input's length. */
  readonly lenBound?: LenBound;
  /** Scalars: the value is at least that of the scalars linked under `id` at offset `off`. */
  readonly above?: { readonly id: number; readonly off: number };
}

// Every register object has every field, in this order (the optional ones undefined), so
// V8 sees one shape for all of them and the verifier's many reads of them stay fast.
const BASE: Reg = {
  kind: 'not_init', var: UNKNOWN, off: 0, orNull: false, id: 0, range: 0, frame: 0, map: undefined, size: 0, refId: 0, target: 0,
  lenBound: undefined, above: undefined,
};

export const NOT_INIT: Reg = BASE;

export function scalarReg(value: Scalar): Reg {
  return { ...BASE, kind: 'scalar', var: value };
}

export const UNKNOWN_SCALAR: Reg = scalarReg(UNKNOWN);

export function constReg(value: bigint): Reg {
  return scalarReg(constant(value));
}

const immediates = new Map<number, Reg>();

/** An instruction's immediate (sign-extended to 64 bits) as a register; cached, as the same ones come back on every path. */
export function immediateReg(imm: number): Reg {
  let reg = immediates.get(imm);
  if (reg === undefined) {
    reg = constReg(BigInt(imm));
    if (immediates.size < 4096) immediates.set(imm, reg);
  }
  return reg;
}

export function pointerReg(kind: RegKind, fields: Partial<Reg> = {}): Reg {
  return { ...BASE, kind, var: constant(0n), ...fields };
}

/** A pointer's offset from its object's start: the variable part plus the fixed offset (modulo 2^64). */
export function positionOf(r: Reg): Scalar {
  return r.off === 0 ? r.var : scalarAlu('add', 64, r.var, constant(BigInt(r.off)));
}

export function isPointer(r: Reg): boolean {
  return r.kind !== 'scalar' && r.kind !== 'not_init';
}

export function isPacketPointer(r: Reg): boolean {
  return r.kind === 'packet' || r.kind === 'packet_meta';
}

/** The kernel's name for a register's type in messages: 'scalar', 'map_value_or_null', 'fp', ... */
export function kindName(r: Reg): string {
  const names: Record<RegKind, string> = {
    not_init: '?', scalar: 'scalar', ctx: 'ctx', stack: 'fp', packet: 'pkt', packet_meta: 'pkt_meta', packet_end: 'pkt_end',
    map_ptr: 'map_ptr', map_value: 'map_value', mem: 'mem', sock: 'sock_common', func: 'func', input: 'input',
  };
  return names[r.kind] + (r.orNull ? '_or_null' : '');
}

/** The register as the kernel's verifier log prints it: `R2=pkt(off=14,r=34)`. */
export function regString(r: Reg): string {
  const len = r.lenBound ? `,<=${boundString(r.lenBound)}` : '';
  if (r.kind === 'scalar') {
    const s = scalarString(r.var);
    if (!len) return s;
    return s.startsWith('scalar(') ? `${s.slice(0, -1)}${s === 'scalar()' ? len.slice(1) : len})` : `scalar(${s}${len})`;
  }
  if (r.kind === 'not_init') return '?';
  const parts: string[] = [];
  if (r.id) parts.push(`id=${r.id}`);
  if (r.off) parts.push(`off=${r.off}`);
  if (isPacketPointer(r)) parts.push(`r=${r.range}`);
  if (r.map) parts.push(`ks=${r.map.keySize},vs=${r.map.valueSize}`);
  if (r.kind === 'mem') parts.push(`sz=${r.size}`);
  if (!isConstant(r.var)) parts.push(scalarString(r.var).replace(/^scalar\(|\)$/g, ''));
  if (len) parts.push(len.slice(1));
  return `${kindName(r)}(${parts.join(',')})`;
}

/**
 * Whether a state holding `old` here covers one holding `cur` (the kernel's regsafe):
 * everything `cur` may be, `old` may be, so what was proven from `old` holds for `cur`.
 */
export function regCovers(old: Reg, cur: Reg, lenMin = 0): boolean {
  if (old.kind === 'not_init') return true;
  if (old.kind !== cur.kind) return false;
  if (old.kind === 'input' && old.off !== cur.off) {
    // Input pointers are positions in one buffer: cur's, seen from old's fixed offset.
    const shift = cur.off - old.off;
    const position = { var: scalarAlu('add', 64, cur.var, constant(BigInt(shift))), lenBound: cur.lenBound && offsetBound(cur.lenBound, shift) };
    return regCovers({ ...old, off: 0 }, { ...cur, ...position, off: 0 }, lenMin);
  }
  if (old.lenBound !== undefined && !boundHolds(old.lenBound, cur, lenMin)) return false;
  if (old.kind === 'scalar') return within(old.var, cur.var);
  if (old.orNull !== cur.orNull || old.off !== cur.off || old.frame !== cur.frame || old.map?.fd !== cur.map?.fd) return false;
  if (old.size !== cur.size || old.target !== cur.target || (old.refId === 0) !== (cur.refId === 0)) return false;
  // A packet pointer proven for more bytes covers one proven for fewer only the other way round.
  if ((old.kind === 'packet' || old.kind === 'packet_meta') && cur.range < old.range) return false;
  return within(old.var, cur.var);
}

export function regEqual(a: Reg, b: Reg): boolean {
  return a.kind === b.kind && a.off === b.off && a.orNull === b.orNull && a.id === b.id && a.range === b.range
    && a.frame === b.frame && a.map?.fd === b.map?.fd && a.size === b.size && a.refId === b.refId && a.target === b.target
    && equalBounds(a.lenBound, b.lenBound) && a.above?.id === b.above?.id && a.above?.off === b.above?.off && equalScalars(a.var, b.var);
}
