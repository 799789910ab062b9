import type { Address, ProtoName } from './ast.js';
import { FilterError } from './errors.js';
import type { Token } from './tokens.js';

// Addresses as the code generator compares them: 32-bit words in network order.

/** A protocol qualifier that cannot go with an address family is refused ('tcp host 10.0.0.1'). */
export function checkAddressProto(proto: ProtoName | undefined, addr: Address, t: Token): void {
  const allowed: readonly (ProtoName | undefined)[] = addr.family === 4 ? [undefined, 'ip', 'arp', 'rarp']
    : addr.family === 6 ? [undefined, 'ip6'] : [undefined, 'ether'];
  if (!allowed.includes(proto)) throw new FilterError('VALUE', `'${proto}' does not go with the address '${t.text}'`, t.column);
}

export function ipv4Word(t: Token): number {
  const parts = t.text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p <= 255))) throw new FilterError('VALUE', `'${t.text}' is not an IPv4 address`, t.column);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function ipv4(t: Token): Address {
  return { family: 4, words: [ipv4Word(t)] };
}

/** IPv6 text (with '::' and an IPv4 tail) as four big-endian words. */
export function ipv6(t: Token): Address {
  let text = t.text;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) text = text.slice(0, v4.index) + [(+v4[1] << 8) | +v4[2], (+v4[3] << 8) | +v4[4]].map((n) => n.toString(16)).join(':');
  const halves = text.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length > 1 ? groups(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  const all = halves.length > 1 ? [...head, ...Array<string>(Math.max(fill, 0)).fill('0'), ...tail] : head;
  if (halves.length > 2 || all.length !== 8 || (halves.length > 1 && fill < 1) || all.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) {
    throw new FilterError('VALUE', `'${t.text}' is not an IPv6 address`, t.column);
  }
  const n = all.map((g) => parseInt(g, 16));
  return { family: 6, words: [0, 1, 2, 3].map((i) => ((n[2 * i] << 16) | n[2 * i + 1]) >>> 0) };
}

/** The mask words of a prefix length. */
export function prefixMask(bits: number, words: number): number[] {
  return Array.from({ length: words }, (_, i) => {
    const b = Math.max(0, Math.min(32, bits - 32 * i));
    return b === 0 ? 0 : (0xffffffff << (32 - b)) >>> 0;
  });
}
