import type { Address, Arith, ArithOp, Dir, Expr, ProtoName, RelOp } from './ast.js';
import { FilterError } from './errors.js';
import { ETHER_TYPES, IP_PROTOCOLS, NAMED_CONSTANTS, SERVICES } from './names.js';
import { tokenize, type Token } from './tokens.js';
import { checkAddressProto, ipv4, ipv4Word, ipv6, prefixMask } from './addresses.js';

/**
 * The parser of pcap-filter(7), recursive descent over tokens. As in libpcap's grammar:
 * `and` and `or` have the same precedence and group left to right (`a or b and c` is
 * `(a or b) and c`); `not` binds tighter; a bare value after `and`/`or`/`not` takes the
 * qualifiers of the primitive before it (`host 1.2.3.4 or 5.6.7.8`, `port 80 or 443`),
 * and only there: an expression may not start with one, nor follow a protocol alone.
 */

const PROTOS: ReadonlyMap<string, ProtoName> = new Map([
  ['ether', 'ether'], ['link', 'ether'], ['ip', 'ip'], ['ip6', 'ip6'], ['arp', 'arp'], ['rarp', 'rarp'], ['tcp', 'tcp'],
  ['udp', 'udp'], ['sctp', 'sctp'], ['icmp', 'icmp'], ['icmp6', 'icmp6'], ['igmp', 'igmp'],
]);
const TYPES = new Set(['host', 'net', 'port', 'portrange', 'proto', 'gateway', 'protochain']);
/** Words of pcap-filter(7) this compiler refuses by name rather than as unknown. */
const UNSUPPORTED = new Set([
  'gateway', 'protochain', 'inbound', 'outbound', 'ifindex', 'ifname', 'on', 'rnr', 'rulenum', 'reason', 'rset',
  'ruleset', 'srnr', 'subrulenum', 'action', 'llc', 'mpls', 'pppoed', 'pppoes', 'geneve', 'vxlan', 'type', 'subtype',
  'dir', 'addr1', 'addr2', 'addr3', 'addr4', 'ra', 'ta', 'fddi', 'tr', 'wlan', 'ppp', 'slip', 'radio', 'atalk', 'aarp',
  'decnet', 'lat', 'sca', 'moprc', 'mopdl', 'iso', 'esis', 'es-is', 'isis', 'is-is', 'clnp', 'stp', 'ipx', 'netbeui',
  'l1', 'l2', 'iih', 'lsp', 'snp', 'csnp', 'psnp', 'carp', 'vrrp', 'pim', 'ah', 'esp', 'hdlc', 'lane', 'metac',
  'bcpi', 'oamf4', 'oamf4ec', 'oamf4sc', 'sc', 'ilmic', 'connectmsg', 'metaconnect', 'vpi', 'vci', 'fisu', 'lssu',
  'msu', 'sio', 'opc', 'dpc', 'sls', 'hsio', 'hopc', 'hdpc', 'hsls', 'ip6multicast',
]);
const KEYWORDS = new Set([
  ...PROTOS.keys(), ...TYPES, ...UNSUPPORTED, 'src', 'dst', 'and', 'or', 'not', 'less', 'greater', 'len', 'broadcast',
  'multicast', 'vlan', 'mask',
]);
const RELOPS: ReadonlyMap<string, RelOp> = new Map([
  ['=', '='], ['==', '='], ['!=', '!='], ['<', '<'], ['<=', '<='], ['>', '>'], ['>=', '>='],
]);
/** Arithmetic operators by binding, loosest first (libpcap's grammar, with C's order for '^'). */
const LEVELS: readonly (readonly ArithOp[])[] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

type Type = 'host' | 'net' | 'port' | 'portrange' | 'proto';
interface Quals {
  readonly proto: ProtoName | undefined;
  readonly dir: Dir;
  readonly type: Type;
}

export function parseFilter(source: string): Expr {
  const p = new Parser(tokenize(source));
  if (p.peek().kind === 'end') throw new FilterError('SYNTAX', 'empty filter expression', 1);
  const e = p.expr();
  const t = p.peek();
  if (t.kind === 'word' && !t.escaped && !KEYWORDS.has(t.text) && !NAMED_CONSTANTS.has(t.text)) {
    throw new FilterError('SYNTAX', `unknown word '${t.text}'`, t.column);
  }
  if (t.kind !== 'end') throw new FilterError('SYNTAX', `unexpected '${t.text}': expected 'and', 'or' or the end (pcap needs 'and' between primitives)`, t.column);
  return e;
}

class Parser {
  private pos = 0;
  /** Qualifiers of the last primitive that had them, for a bare value after and/or/not. */
  private last: Quals | undefined;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)];
  }

  private next(): Token {
    return this.tokens[Math.min(this.pos++, this.tokens.length - 1)];
  }

  private isWord(t: Token, ...words: string[]): boolean {
    return t.kind === 'word' && !t.escaped && words.includes(t.text);
  }

  private isPunct(t: Token, ...texts: string[]): boolean {
    return t.kind === 'punct' && texts.includes(t.text);
  }

  private expect(text: string, what: string): Token {
    const t = this.next();
    if (!this.isPunct(t, text)) throw new FilterError('SYNTAX', `expected '${text}' ${what}, found ${describe(t)}`, t.column);
    return t;
  }

  expr(): Expr {
    let left = this.term();
    for (;;) {
      const t = this.peek();
      const op = this.isWord(t, 'and') || this.isPunct(t, '&&') ? 'and' : this.isWord(t, 'or') || this.isPunct(t, '||') ? 'or' : undefined;
      if (!op) return left;
      this.next();
      if (this.peek().kind === 'end') throw new FilterError('SYNTAX', `'${t.text}' needs an expression after it`, t.column);
      left = { kind: op, left, right: this.term(), column: left.column };
    }
  }

  private term(): Expr {
    const t = this.peek();
    if (this.isWord(t, 'not') || this.isPunct(t, '!')) {
      this.next();
      return { kind: 'not', operand: this.term(), column: t.column };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.peek();
    if (this.isPunct(t, '(')) {
      // '(' opens an arithmetic operand ('(ip[2:2] >> 2) & 1 = 1') or a group: try the first.
      const rel = this.attempt(() => this.relation());
      if (rel) return rel;
      this.next();
      const e = this.expr();
      this.expect(')', 'to close the group');
      return e;
    }
    if (this.last && this.isBareValue(t)) return this.value(this.last, t.column);
    if (t.kind === 'word' && !PROTOS.has(t.text) && this.isPunct(this.peek(1), '[')) {
      throw new FilterError('UNSUPPORTED', `'${t.text}[...]' loads are not supported (ether, ip, ip6, arp, rarp, tcp, udp, sctp, icmp, icmp6, igmp are)`, t.column);
    }
    if (this.startsArith(t)) return this.relation();
    if (t.kind !== 'word' || t.escaped) {
      if (t.kind === 'end') throw new FilterError('SYNTAX', 'the expression ends too soon', t.column);
      throw new FilterError('SYNTAX', `${describe(t)} needs a qualifier before it (as in 'host ${t.text}' or 'port ${t.text}')`, t.column);
    }
    switch (t.text) {
      case 'less': case 'greater': {
        this.next();
        const n = this.number(`'${t.text}' takes a length`);
        this.last = undefined;
        const len: Arith = { kind: 'len', column: t.column };
        return { kind: 'relation', op: t.text === 'less' ? '<=' : '>=', left: len, right: n, column: t.column };
      }
      case 'vlan': {
        this.next();
        this.last = undefined;
        const n = this.peek();
        if (n.kind === 'num' && !this.isRelOrArith(this.peek(1))) {
          this.next();
          if (n.value! > 4095) throw new FilterError('VALUE', `VLAN id ${n.value} is over 4095`, n.column);
          return { kind: 'vlan', id: n.value, column: t.column };
        }
        return { kind: 'vlan', id: undefined, column: t.column };
      }
      case 'broadcast': case 'multicast':
        this.next();
        this.last = undefined;
        return { kind: t.text, proto: undefined, column: t.column };
    }
    if (UNSUPPORTED.has(t.text)) throw unsupported(t);
    if (PROTOS.has(t.text) || TYPES.has(t.text) || this.isWord(t, 'src', 'dst')) return this.qualified();
    throw new FilterError('SYNTAX', `unknown word '${t.text}' (host names are not resolved; named constants: see pcap-filter(7))`, t.column);
  }

  /** `[proto] [dir] [type] value`, `proto` alone, `proto broadcast|multicast`. */
  private qualified(): Expr {
    const start = this.peek();
    let proto: ProtoName | undefined;
    let dir: Dir | undefined;
    let type: Type | undefined;
    if (this.peek().kind === 'word' && PROTOS.has(this.peek().text)) proto = PROTOS.get(this.next().text);
    const d = this.peek();
    if (this.isWord(d, 'src', 'dst')) {
      this.next();
      dir = d.text as 'src' | 'dst';
      const other = d.text === 'src' ? 'dst' : 'src';
      if (this.isWord(this.peek(), 'or', 'and') && this.isWord(this.peek(1), other)) {
        dir = this.next().text === 'or' ? 'src or dst' : 'src and dst';
        this.next();
      }
    }
    const ty = this.peek();
    if (ty.kind === 'word' && !ty.escaped && TYPES.has(ty.text)) {
      if (ty.text === 'gateway' || ty.text === 'protochain') throw unsupported(ty);
      this.next();
      type = ty.text as Type;
    }
    if (proto !== undefined && dir === undefined && type === undefined) {
      const k = this.peek();
      if (this.isWord(k, 'broadcast', 'multicast')) {
        this.next();
        this.last = undefined;
        return { kind: k.text as 'broadcast' | 'multicast', proto, column: start.column };
      }
      this.last = undefined;
      return { kind: 'proto', proto, column: start.column };
    }
    const quals: Quals = { proto, dir: dir ?? 'src or dst', type: type ?? 'host' };
    this.last = quals;
    return this.value(quals, start.column);
  }

  /** The value of a qualified primitive, or a bare one that inherits `quals`. */
  private value(quals: Quals, column: number): Expr {
    const t = this.peek();
    if (t.kind === 'end') throw new FilterError('SYNTAX', `'${quals.type}' needs a value after it`, t.column);
    const { proto, dir } = quals;
    switch (quals.type) {
      case 'host': case 'net': {
        this.next();
        const { addr, mask } = quals.type === 'host' ? this.hostAddress(t) : this.netAddress(t);
        checkAddressProto(proto, addr, t);
        if (addr.family === 'mac' && quals.type === 'net') throw new FilterError('VALUE', `'net' takes an IP network, not ${t.text}`, t.column);
        return { kind: 'address', proto, dir, addr, mask, column };
      }
      case 'port': case 'portrange': {
        if (proto !== undefined && !['tcp', 'udp', 'sctp', 'ip', 'ip6'].includes(proto)) {
          throw new FilterError('VALUE', `'${proto} ${quals.type}' is not valid: ports belong to tcp, udp and sctp`, column);
        }
        this.next();
        const [low, high] = quals.type === 'port' ? [this.port(t), this.port(t)] : this.portRange(t);
        return { kind: 'port', proto, dir, low: Math.min(low, high), high: Math.max(low, high), column };
      }
      case 'proto': {
        this.next();
        if (proto !== undefined && !['ether', 'ip', 'ip6'].includes(proto)) {
          throw new FilterError('VALUE', `'${proto} proto' is not valid: ether, ip or ip6 have a protocol field`, column);
        }
        const table = proto === 'ether' ? ETHER_TYPES : IP_PROTOCOLS;
        const value = t.kind === 'num' ? t.value! : t.kind === 'word' ? table.get(t.text) : undefined;
        if (value === undefined) throw new FilterError('VALUE', `unknown protocol ${describe(t)}`, t.column);
        const limit = proto === 'ether' ? 0xffff : 0xff;
        if (value > limit) throw new FilterError('VALUE', `protocol ${value} is over ${limit}`, t.column);
        if (proto === 'ether' && value <= 1500) {
          throw new FilterError('UNSUPPORTED', `'ether proto ${t.text}': values up to 1500 are 802.3 lengths (LLC protocols are not supported)`, t.column);
        }
        return { kind: 'protoField', proto, value, column };
      }
    }
  }

  private hostAddress(t: Token): { addr: Address; mask: number[] } {
    if (t.kind === 'ipv4') {
      const parts = t.text.split('.');
      if (parts.length !== 4) throw new FilterError('VALUE', `'${t.text}' is not a host address (four numbers)`, t.column);
      return { addr: ipv4(t), mask: [0xffffffff] };
    }
    if (t.kind === 'ipv6') return { addr: ipv6(t), mask: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff] };
    if (t.kind === 'mac') return { addr: { family: 'mac', bytes: t.text.split(':').map((b) => parseInt(b, 16)) }, mask: [] };
    if (t.kind === 'word') throw new FilterError('UNSUPPORTED', `host name '${t.text}': names are not resolved, give an address`, t.column);
    throw new FilterError('VALUE', `expected an address, found ${describe(t)}`, t.column);
  }

  private netAddress(t: Token): { addr: Address; mask: number[] } {
    let addr: Address;
    let bits: number;
    if (t.kind === 'ipv4' || t.kind === 'num') {
      // '10.0.0' is 10.0.0.0/24 (libpcap): the numbers given are the network part.
      const parts = t.text.split('.').map(Number);
      if (parts.some((p) => p > 255)) throw new FilterError('VALUE', `'${t.text}' is not an IPv4 network`, t.column);
      addr = ipv4({ ...t, text: [...parts, 0, 0, 0].slice(0, 4).join('.') });
      bits = parts.length * 8;
    } else if (t.kind === 'ipv6') {
      addr = ipv6(t);
      bits = 128;
    } else {
      throw new FilterError(t.kind === 'word' ? 'UNSUPPORTED' : 'VALUE', `expected a network address, found ${describe(t)}`, t.column);
    }
    const limit = addr.family === 6 ? 128 : 32;
    let mask: number[];
    if (this.isPunct(this.peek(), '/')) {
      this.next();
      const n = this.number('a prefix length');
      if (n.value > limit) throw new FilterError('VALUE', `prefix length ${n.value} is over ${limit}`, n.column);
      mask = prefixMask(n.value, limit / 32);
    } else if (this.isWord(this.peek(), 'mask')) {
      const m = this.next();
      const v = this.next();
      if (addr.family !== 4 || v.kind !== 'ipv4' || v.text.split('.').length !== 4) {
        throw new FilterError('VALUE', `'mask' takes an IPv4 mask after an IPv4 network`, m.column);
      }
      mask = [ipv4Word(v)];
    } else {
      mask = prefixMask(bits, limit / 32);
    }
    const words = (addr as { words: readonly number[] }).words;
    if (words.some((w, i) => (w & ~mask[i]) !== 0)) {
      throw new FilterError('VALUE', `non-network bits set in '${t.text}' for its mask`, t.column);
    }
    return { addr, mask };
  }

  private port(t: Token): number {
    const v = t.kind === 'num' ? t.value : t.kind === 'word' ? SERVICES.get(t.text) : undefined;
    if (v === undefined) throw new FilterError('VALUE', `unknown port ${describe(t)}`, t.column);
    if (v > 0xffff) throw new FilterError('VALUE', `port ${v} is over 65535`, t.column);
    return v;
  }

  private portRange(t: Token): [number, number] {
    if (t.kind === 'num') return [this.port(t), this.port(t)];
    const m = t.kind === 'word' ? /^([^-]+)-([^-]+)$/.exec(t.text) : null;
    if (!m) throw new FilterError('VALUE', `expected a port range 'low-high', found ${describe(t)}`, t.column);
    const side = (s: string) => this.port(/^\d/.test(s) ? { ...t, kind: 'num', text: s, value: Number(s) } : { ...t, text: s });
    return [side(m[1]), side(m[2])];
  }

  private number(what: string): { kind: 'num'; value: number; column: number } {
    const t = this.next();
    if (t.kind !== 'num') throw new FilterError('SYNTAX', `expected a number (${what}), found ${describe(t)}`, t.column);
    return { kind: 'num', value: t.value!, column: t.column };
  }

  /** A token that can only be the value of an inherited primitive. */
  private isBareValue(t: Token): boolean {
    if (t.kind === 'ipv4' || t.kind === 'ipv6' || t.kind === 'mac') return true;
    if (t.kind === 'num') return !this.isRelOrArith(this.peek(1));
    return t.kind === 'word' && (t.escaped === true || (!KEYWORDS.has(t.text) && !NAMED_CONSTANTS.has(t.text)));
  }

  private isRelOrArith(t: Token): boolean {
    return t.kind === 'punct' && (RELOPS.has(t.text) || LEVELS.some((l) => (l as string[]).includes(t.text)) || t.text === '[');
  }

  private startsArith(t: Token): boolean {
    if (t.kind === 'num' || this.isPunct(t, '-', '(')) return true;
    if (t.kind !== 'word' || t.escaped) return false;
    return t.text === 'len' || NAMED_CONSTANTS.has(t.text) || (PROTOS.has(t.text) && this.isPunct(this.peek(1), '['));
  }

  /** Runs `f`; on a syntax error puts the tokens back and returns undefined. */
  private attempt<T>(f: () => T): T | undefined {
    const { pos, last } = this;
    try {
      return f();
    } catch (e) {
      if (!(e instanceof FilterError) || e.code !== 'SYNTAX') throw e;
      this.pos = pos;
      this.last = last;
      return undefined;
    }
  }

  private relation(): Expr {
    const left = this.arith(0);
    const t = this.next();
    const op = t.kind === 'punct' ? RELOPS.get(t.text) : undefined;
    if (!op) throw new FilterError('SYNTAX', `expected a comparison (=, !=, <, <=, >, >=) after the value, found ${describe(t)}`, t.column);
    const right = this.arith(0);
    this.last = undefined;
    return { kind: 'relation', op, left, right, column: left.column };
  }

  private arith(level: number): Arith {
    if (level === LEVELS.length) return this.unary();
    let left = this.arith(level + 1);
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'punct' ? LEVELS[level].find((o) => o === t.text) : undefined;
      if (!op) return left;
      this.next();
      left = { kind: 'binary', op, left, right: this.arith(level + 1), column: t.column };
    }
  }

  private unary(): Arith {
    const t = this.next();
    if (this.isPunct(t, '-')) return { kind: 'neg', operand: this.unary(), column: t.column };
    if (this.isPunct(t, '(')) {
      const inner = this.arith(0);
      this.expect(')', 'to close the parenthesis');
      return inner;
    }
    if (t.kind === 'num') return { kind: 'num', value: t.value!, column: t.column };
    if (t.kind === 'word' && !t.escaped) {
      if (t.text === 'len') return { kind: 'len', column: t.column };
      const c = NAMED_CONSTANTS.get(t.text);
      if (c !== undefined) return { kind: 'num', value: c, column: t.column };
      const proto = PROTOS.get(t.text);
      if (proto && this.isPunct(this.peek(), '[')) return this.load(proto, t);
      if (t.text === 'vlan' || UNSUPPORTED.has(t.text)) {
        if (this.isPunct(this.peek(), '[')) throw new FilterError('UNSUPPORTED', `'${t.text}[...]' loads are not supported`, t.column);
      }
    }
    throw new FilterError('SYNTAX', `expected a number, 'len', a named constant or proto[offset], found ${describe(t)}`, t.column);
  }

  private load(proto: ProtoName, t: Token): Arith {
    this.next();
    const index = this.arith(0);
    let size: 1 | 2 | 4 = 1;
    if (this.isPunct(this.peek(), ':')) {
      this.next();
      const s = this.number('the size: 1, 2 or 4');
      if (s.value !== 1 && s.value !== 2 && s.value !== 4) throw new FilterError('VALUE', `load size ${s.value} is not 1, 2 or 4`, s.column);
      size = s.value;
    }
    this.expect(']', 'to close the load');
    return { kind: 'load', proto, index, size, column: t.column };
  }
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'the end of the expression' : `'${t.text}'`;
}

function unsupported(t: Token): FilterError {
  return new FilterError('UNSUPPORTED', `'${t.text}' is not supported by this compiler`, t.column);
}
