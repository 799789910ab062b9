import type { CapturePacket } from './capture/types.js';

/**
 * One line per packet, roughly as `tcpdump -q -nn` prints it (UTC time, not local):
 *
 *   22:13:20.012345 IP 10.0.0.1.68 > 8.8.8.8.40000: tcp 8
 *   22:13:20.012345 IP6 2001:db8::2.123 > 2001:db8::2.80: UDP, length 8
 *   22:13:20.098765 ARP, Request who-has 10.0.0.1 tell 10.0.0.3, length 28
 *
 * Ethernet frames only; anything it does not decode is
 * named by its EtherType and length. The time has the capture's precision up to
 * microseconds, as tcpdump's default.
 */
export function summarizePacket(packet: CapturePacket): string {
  return `${formatTime(packet.timestampNs)} ${describeEthernet(packet.data, packet.originalLength)}`;
}

export function formatTime(ns: bigint): string {
  const secondsOfDay = Number((ns / 1_000_000_000n) % 86_400n);
  const micros = Number((ns % 1_000_000_000n) / 1000n);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(secondsOfDay / 3600))}:${two(Math.floor(secondsOfDay / 60) % 60)}:${two(secondsOfDay % 60)}.${String(micros).padStart(6, '0')}`;
}

const u16 = (d: Uint8Array, at: number) => (d[at] << 8) | d[at + 1];
const ipv4 = (d: Uint8Array, at: number) => `${d[at]}.${d[at + 1]}.${d[at + 2]}.${d[at + 3]}`;

/** RFC 5952 text of the 16 bytes at `at`: lower case, the longest run of two or more zero groups as `::`. */
export function ipv6Text(d: Uint8Array, at: number): string {
  const groups = Array.from({ length: 8 }, (_, i) => u16(d, at + 2 * i));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

function describeEthernet(d: Uint8Array, wireLength: number): string {
  if (d.length < 14) return `[|ether] length ${wireLength}`;
  // VLAN tags are skipped without a word, as tcpdump does without -e.
  let at = 12;
  let type = u16(d, at);
  while ((type === 0x8100 || type === 0x88a8) && d.length >= at + 6) {
    at += 4;
    type = u16(d, at);
  }
  const l3 = at + 2;
  if (type === 0x0800) return describeIpv4(d, l3);
  if (type === 0x86dd) return describeIpv6(d, l3);
  if (type === 0x0806) return describeArp(d, l3);
  if (type < 0x600) return `802.3, length ${type}`;
  return `ethertype 0x${type.toString(16).padStart(4, '0')}, length ${wireLength}`;
}

function describeTransport(d: Uint8Array, at: number, end: number, proto: number, src: string, dst: string, family: string, fragment: boolean): string {
  const ports = !fragment && (proto === 6 || proto === 17) && at + 4 <= d.length;
  const from = ports ? `${src}.${u16(d, at)}` : src;
  const to = ports ? `${dst}.${u16(d, at + 2)}` : dst;
  let what: string;
  if (fragment) what = `ip-proto-${proto}`;
  else if (proto === 6) {
    const header = at + 13 <= d.length ? (d[at + 12] >> 4) * 4 : 20;
    what = `tcp ${Math.max(0, end - at - header)}`;
  } else if (proto === 17) what = `UDP, length ${Math.max(0, end - at - 8)}`;
  else if (proto === 1) what = `ICMP, length ${Math.max(0, end - at)}`;
  else if (proto === 58) what = `ICMP6, length ${Math.max(0, end - at)}`;
  else what = `ip-proto-${proto} ${Math.max(0, end - at)}`;
  return `${family} ${from} > ${to}: ${what}`;
}

function describeIpv4(d: Uint8Array, at: number): string {
  if (d.length < at + 20) return '[|ip]';
  const ihl = (d[at] & 0xf) * 4;
  const total = u16(d, at + 2);
  const fragment = (u16(d, at + 6) & 0x1fff) !== 0;
  return describeTransport(d, at + ihl, at + total, d[at + 9], ipv4(d, at + 12), ipv4(d, at + 16), 'IP', fragment);
}

function describeIpv6(d: Uint8Array, at: number): string {
  if (d.length < at + 40) return '[|ip6]';
  let next = d[at + 6];
  let l4 = at + 40;
  // Hop-by-hop, routing and destination options headers: (next, length in 8 bytes - 1).
  while ((next === 0 || next === 43 || next === 60) && l4 + 2 <= d.length) {
    const length = (d[l4 + 1] + 1) * 8;
    next = d[l4];
    l4 += length;
  }
  return describeTransport(d, l4, at + 40 + u16(d, at + 4), next, ipv6Text(d, at + 8), ipv6Text(d, at + 24), 'IP6', false);
}

function describeArp(d: Uint8Array, at: number): string {
  if (d.length < at + 28 || u16(d, at + 2) !== 0x0800) return 'ARP, length ' + Math.max(0, d.length - at);
  const op = u16(d, at + 6);
  if (op === 1) return `ARP, Request who-has ${ipv4(d, at + 24)} tell ${ipv4(d, at + 14)}, length 28`;
  if (op === 2) return `ARP, Reply ${ipv4(d, at + 14)} is-at ${[...d.subarray(at + 8, at + 14)].map((b) => b.toString(16).padStart(2, '0')).join(':')}, length 28`;
  return `ARP, op ${op}, length 28`;
}
