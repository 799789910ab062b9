import type { Arith, ArithOp, ProtoName, RelOp } from './ast.js';
import { and, eq, type Cond } from './cond.js';
import { OP, SRC_X, type CbpfEmitter } from './emit.js';
import { FilterError } from './errors.js';
import { etherType, ETHERTYPE, firstFragment, ipProto, IPPROTO, isIp, isIp6, type Offsets } from './gen-proto.js';
import { CBPF_MEMWORDS } from '../cbpf/opcodes.js';

/**
 * Comparisons of arithmetic over packet bytes (`tcp[tcpflags] & tcp-syn != 0`). The
 * protocol checks every `proto[...]` needs come first, so no load runs on a packet of
 * another protocol; then the value is computed in A, with the right operand of an
 * operation kept in the scratch cell of its depth (M[depth]) while the left is computed.
 */

const ALU: Record<ArithOp, number> = {
  '+': 0x04, '-': 0x14, '*': 0x24, '/': 0x34, '|': 0x44, '&': 0x54, '<<': 0x64, '>>': 0x74, '%': 0x94, '^': 0xa4,
};
const TRANSPORT = new Set<ProtoName>(['tcp', 'udp', 'sctp', 'icmp', 'igmp']);

interface Placed {
  readonly o: Offsets;
}

/** The value of a constant subtree (unsigned 32-bit, as the program would compute it). */
export function constant(a: Arith): number | undefined {
  if (a.kind === 'num') return a.value;
  if (a.kind === 'neg') {
    const v = constant(a.operand);
    return v === undefined ? undefined : -v >>> 0;
  }
  if (a.kind !== 'binary') return undefined;
  const l = constant(a.left);
  const r = constant(a.right);
  if (r !== undefined) checkOperand(a.op, r, a.column);
  if (l === undefined || r === undefined) return undefined;
  switch (a.op) {
    case '+': return (l + r) >>> 0;
    case '-': return (l - r) >>> 0;
    case '*': return Math.imul(l, r) >>> 0;
    case '/': return Math.floor(l / r) >>> 0;
    case '%': return l % r;
    case '&': return (l & r) >>> 0;
    case '|': return (l | r) >>> 0;
    case '^': return (l ^ r) >>> 0;
    case '<<': return (l << r) >>> 0;
    case '>>': return l >>> r;
  }
}

function checkOperand(op: ArithOp, r: number, column: number): void {
  if ((op === '/' || op === '%') && r === 0) throw new FilterError('VALUE', `${op === '/' ? 'division' : 'modulus'} by zero`, column);
  if ((op === '<<' || op === '>>') && r > 31) throw new FilterError('VALUE', `shift by ${r}: more than 31 bits`, column);
}

/** The protocol checks of every load in `a`, left to right. */
function guards(a: Arith, o: Offsets): Cond[] {
  switch (a.kind) {
    case 'num': case 'len': return [];
    case 'neg': return guards(a.operand, o);
    case 'binary': return [...guards(a.left, o), ...guards(a.right, o)];
    case 'load': return [...loadGuard(a.proto, o), ...guards(a.index, o)];
  }
}

function loadGuard(proto: ProtoName, o: Offsets): Cond[] {
  switch (proto) {
    case 'ether': return [];
    case 'ip': return [isIp(o)];
    case 'ip6': return [isIp6(o)];
    case 'arp': case 'rarp': return [etherType(o, ETHERTYPE[proto])];
    case 'icmp6': return [isIp6(o), eq(1, o.nl + 6, IPPROTO.icmp6)];
    default: return [isIp(o), ipProto(o, IPPROTO[proto as 'tcp']), firstFragment(o)];
  }
}

const LOAD_ABS = { 1: OP.ldB, 2: OP.ldH, 4: OP.ldW } as const;
const LOAD_IND = { 1: OP.ldIndB, 2: OP.ldIndH, 4: OP.ldIndW } as const;

/** Emits code leaving `a` in A; `depth` is the first free scratch cell. */
function compute(e: CbpfEmitter, a: Arith, p: Placed, depth: number): void {
  if (depth >= CBPF_MEMWORDS) throw new FilterError('UNSUPPORTED', 'expression nested too deeply (16 scratch cells)', a.column);
  const k = constant(a);
  if (k !== undefined) return e.stmt(OP.ldImm, k);
  switch (a.kind) {
    case 'num': return e.stmt(OP.ldImm, a.value);
    case 'len': return e.stmt(OP.ldLen);
    case 'neg':
      compute(e, a.operand, p, depth);
      return e.stmt(OP.neg);
    case 'binary': {
      const r = constant(a.right);
      if (r !== undefined) {
        compute(e, a.left, p, depth);
        return e.stmt(ALU[a.op], r);
      }
      compute(e, a.right, p, depth);
      e.stmt(OP.st, depth);
      compute(e, a.left, p, depth + 1);
      e.stmt(OP.ldxMem, depth);
      return e.stmt(ALU[a.op] | SRC_X);
    }
    case 'load': return load(e, a, p, depth);
  }
}

function load(e: CbpfEmitter, a: Extract<Arith, { kind: 'load' }>, p: Placed, depth: number): void {
  const { o } = p;
  const base = a.proto === 'ether' ? 0 : a.proto === 'icmp6' ? o.nl + 40 : o.nl;
  const index = constant(a.index);
  if (!TRANSPORT.has(a.proto)) {
    if (index !== undefined) return e.stmt(LOAD_ABS[a.size], base + index);
    compute(e, a.index, p, depth);
    e.stmt(OP.tax);
    return e.stmt(LOAD_IND[a.size], base);
  }
  // After the IPv4 header, whose length X takes from the IHL nibble.
  if (index !== undefined) {
    e.stmt(OP.ldxMsh, o.nl);
    return e.stmt(LOAD_IND[a.size], base + index);
  }
  compute(e, a.index, p, depth);
  e.stmt(OP.st, depth);
  e.stmt(OP.ldxMsh, o.nl);
  e.stmt(OP.ldMem, depth);
  e.stmt(ALU['+'] | SRC_X);
  e.stmt(OP.tax);
  e.stmt(LOAD_IND[a.size], base);
}

const MIRROR: Record<RelOp, RelOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** `left op right` with A holding left and k (or X) right. */
function jump(e: CbpfEmitter, op: RelOp, src: number, k: number, t: number, f: number): void {
  switch (op) {
    case '=': return e.jump(OP.jeq | src, k, t, f);
    case '!=': return e.jump(OP.jeq | src, k, f, t);
    case '>': return e.jump(OP.jgt | src, k, t, f);
    case '>=': return e.jump(OP.jge | src, k, t, f);
    case '<': return e.jump(OP.jge | src, k, f, t);
    case '<=': return e.jump(OP.jgt | src, k, f, t);
  }
}

export function relation(o: Offsets, op: RelOp, left: Arith, right: Arith): Cond {
  constant(left);
  constant(right); // refuses a constant division by zero before any code exists
  const p: Placed = { o };
  const core: Cond = (e, t, f) => {
    const r = constant(right);
    const l = constant(left);
    if (r !== undefined) {
      compute(e, left, p, 0);
      return jump(e, op, 0, r, t, f);
    }
    if (l !== undefined) {
      compute(e, right, p, 0);
      return jump(e, MIRROR[op], 0, l, t, f);
    }
    compute(e, right, p, 0);
    e.stmt(OP.st, 0);
    compute(e, left, p, 1);
    e.stmt(OP.ldxMem, 0);
    return jump(e, op, SRC_X, 0, t, f);
  };
  return and(...guards(left, o), ...guards(right, o), core);
}
