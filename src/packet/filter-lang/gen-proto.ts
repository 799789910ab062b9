import type { ProtoName } from './ast.js';
import { and, eq, maskedEq, not, or, test, loadAbs, type Cond } from './cond.js';
import { OP } from './emit.js';

/**
 * Where the headers are, fixed when a primitive is compiled: the EtherType at `type` and
 * the network header at `nl`. Each `vlan` moves both 4 bytes on for the rest of the
 * expression, as libpcap does (so `vlan and ip` tests the EtherType inside the tag).
 */
export interface Offsets {
  /** The protocol field; undefined for raw IP, which has none. */
  readonly type: number | undefined;
  readonly nl: number;
}

export const ETHERTYPE = { ip: 0x0800, arp: 0x0806, rarp: 0x8035, ip6: 0x86dd } as const;
export const IPPROTO = { icmp: 1, igmp: 2, tcp: 6, udp: 17, icmp6: 58, sctp: 132 } as const;
/** IPv6 Fragment header: its first byte is the next header. */
const IPV6_FRAGMENT = 44;

export const always: Cond = (e, t) => e.ja(t);
export const never: Cond = (e, _t, f) => e.ja(f);

/** The link layer's protocol field is `v`; for raw IP, the IP version says IPv4 or IPv6. */
export function etherType(o: Offsets, v: number): Cond {
  if (o.type !== undefined) return eq(2, o.type, v);
  if (v === ETHERTYPE.ip) return maskedEq(1, o.nl, 0xf0, 0x40);
  if (v === ETHERTYPE.ip6) return maskedEq(1, o.nl, 0xf0, 0x60);
  return never;
}
export const isIp = (o: Offsets) => etherType(o, ETHERTYPE.ip);
export const isIp6 = (o: Offsets) => etherType(o, ETHERTYPE.ip6);

/** The IPv4 protocol byte. */
export const ipProto = (o: Offsets, p: number): Cond => eq(1, o.nl + 9, p);

/**
 * The IPv6 next header, or the one after a Fragment header right behind the fixed header
 * (libpcap looks exactly that far, no further along an extension chain).
 */
export const ip6Next = (o: Offsets, p: number): Cond => or(eq(1, o.nl + 6, p), and(eq(1, o.nl + 6, IPV6_FRAGMENT), eq(1, o.nl + 40, p)));

/** Not a later fragment: a fragment offset of 0, so the transport header is in this packet. */
export const firstFragment = (o: Offsets): Cond => not(test(loadAbs(2, o.nl + 6), OP.jset, 0x1fff));

/** `ip proto p or ip6 proto p`, either or both. */
export function ipProtocol(o: Offsets, p: number, family: 'ip' | 'ip6' | 'both'): Cond {
  const v4 = and(isIp(o), ipProto(o, p));
  const v6 = and(isIp6(o), ip6Next(o, p));
  return family === 'ip' ? v4 : family === 'ip6' ? v6 : or(v4, v6);
}

/** A protocol named alone: `ip`, `tcp`, `icmp6`... */
export function protocol(o: Offsets, proto: ProtoName): Cond {
  switch (proto) {
    case 'ether': return always;
    case 'ip': case 'ip6': case 'arp': case 'rarp': return etherType(o, ETHERTYPE[proto]);
    case 'tcp': case 'udp': case 'sctp': return ipProtocol(o, IPPROTO[proto], 'both');
    case 'icmp': case 'igmp': return ipProtocol(o, IPPROTO[proto], 'ip');
    case 'icmp6': return ipProtocol(o, IPPROTO.icmp6, 'ip6');
  }
}

/** `[ether|ip|ip6] proto v`. */
export function protoField(o: Offsets, proto: ProtoName | undefined, v: number): Cond {
  if (proto === 'ether') return etherType(o, v);
  return ipProtocol(o, v, proto === 'ip' ? 'ip' : proto === 'ip6' ? 'ip6' : 'both');
}

/** Any of the VLAN tag EtherTypes: 802.1Q, 802.1ad, and the older QinQ 0x9100. */
export const vlanTag = (o: Offsets): Cond => or(etherType(o, 0x8100), etherType(o, 0x88a8), etherType(o, 0x9100));
