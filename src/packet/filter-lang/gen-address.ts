import type { Dir, Expr, ProtoName } from './ast.js';
import { and, eq, maskedEq, or, test, loadAbs, type Cond } from './cond.js';
import { OP } from './emit.js';
import { FilterError } from './errors.js';
import { ETHERTYPE, etherType, isIp, isIp6, type Offsets } from './gen-proto.js';

type AddressNode = Extract<Expr, { kind: 'address' }>;

export function byDir(dir: Dir, src: Cond, dst: Cond): Cond {
  switch (dir) {
    case 'src': return src;
    case 'dst': return dst;
    case 'src or dst': return or(src, dst);
    case 'src and dst': return and(src, dst);
  }
}

/** Six bytes at `offset` equal `mac`: a word, then a half-word. */
function macEq(offset: number, mac: readonly number[]): Cond {
  const word = ((mac[2] << 24) | (mac[3] << 16) | (mac[4] << 8) | mac[5]) >>> 0;
  return and(eq(4, offset + 2, word), eq(2, offset, (mac[0] << 8) | mac[1]));
}

/** Words at `offset` equal `words` under `mask`; words the mask hides are not read. */
function wordsEq(offset: number, words: readonly number[], mask: readonly number[]): Cond {
  const parts = words.flatMap((w, i) => (mask[i] === 0 ? [] : [maskedEq(4, offset + 4 * i, mask[i], w)]));
  return parts.length === 0 ? (e, t) => e.ja(t) : and(...parts);
}

/** `host` and `net`: Ethernet, IPv4 (with ARP and RARP when no protocol is named) or IPv6 addresses. */
export function address(o: Offsets, n: AddressNode): Cond {
  const { addr, mask, dir } = n;
  if (addr.family === 'mac') return byDir(dir, macEq(6, addr.bytes), macEq(0, addr.bytes));
  if (addr.family === 6) return and(isIp6(o), byDir(dir, wordsEq(o.nl + 8, addr.words, mask), wordsEq(o.nl + 24, addr.words, mask)));
  const ip = and(isIp(o), byDir(dir, wordsEq(o.nl + 12, addr.words, mask), wordsEq(o.nl + 16, addr.words, mask)));
  // ARP and RARP for IPv4 over Ethernet: sender protocol address at 14, target at 24.
  const arpAddrs = byDir(dir, wordsEq(o.nl + 14, addr.words, mask), wordsEq(o.nl + 24, addr.words, mask));
  const arp = (types: readonly number[]) => and(or(...types.map((t) => etherType(o, t))), arpAddrs);
  if (n.proto === 'ip') return ip;
  if (n.proto === 'arp') return arp([ETHERTYPE.arp]);
  if (n.proto === 'rarp') return arp([ETHERTYPE.rarp]);
  return or(ip, arp([ETHERTYPE.arp, ETHERTYPE.rarp]));
}

/** `[ether|ip|ip6] broadcast|multicast`. */
export function castCond(o: Offsets, kind: 'broadcast' | 'multicast', proto: ProtoName | undefined, column: number): Cond {
  if (proto === undefined || proto === 'ether') {
    return kind === 'broadcast' ? macEq(0, [255, 255, 255, 255, 255, 255]) : test(loadAbs(1, 0), OP.jset, 1);
  }
  if (proto === 'ip') {
    // The netmask of a capture file is unknown, so only the all-zeros and all-ones
    // destinations are broadcasts, as tcpdump -r decides.
    return kind === 'broadcast'
      ? and(isIp(o), or(eq(4, o.nl + 16, 0), eq(4, o.nl + 16, 0xffffffff)))
      : and(isIp(o), test(loadAbs(1, o.nl + 16), OP.jge, 224));
  }
  if (proto === 'ip6' && kind === 'multicast') return and(isIp6(o), eq(1, o.nl + 24, 0xff));
  throw new FilterError('VALUE', `'${proto} ${kind}' is not valid: ether, ip${kind === 'multicast' ? ' or ip6' : ''} only`, column);
}
