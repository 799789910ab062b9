#!/usr/bin/env node
/**
 * Writes the capture fixtures under test/fixtures/captures, deterministically (a seeded
 * PRNG, fixed timestamps, no network): the same bytes on every run and every machine.
 *
 *   node scripts/captures/generate.mjs [outDir]
 *
 * The packets: Ethernet frames carrying IPv4 (TCP, UDP, ICMP, fragments, options, GRE),
 * IPv6 (TCP, UDP, ICMPv6, a hop-by-hop header), ARP, 802.1Q and 802.1ad VLAN tags, and a
 * few 802.3/LLC frames; unicast, multicast and broadcast destinations. Every IPv4/IPv6
 * frame holds its whole IP header (the kernel's test run, which our sched_cls runs copy,
 * refuses frames without it).
 *
 *   mixed.pcap            little-endian, microseconds, caplen = wire length
 *   mixed-be-ns.pcap      the same packets, big-endian, nanoseconds
 *   mixed.pcapng          the same packets: two Ethernet interfaces (microseconds; and
 *                         nanoseconds with a name), Enhanced Packet Blocks, a Simple
 *                         Packet Block, a Name Resolution Block and a custom block to skip
 *   mixed-be.pcapng       the same, big-endian
 *   snap64.pcap           the same packets cut to 64 bytes (caplen < wire length)
 *
 * This file writes the formats itself instead of using src/packet/capture, so the readers'
 * tests read bytes their writer did not make.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2] ?? join(here, '../../test/fixtures/captures');

// mulberry32: tiny, seeded, the same sequence everywhere.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(13);
const pick = (list) => list[Math.floor(rand() * list.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const bytes = (n) => Array.from({ length: n }, () => int(0, 255));

const u16 = (v) => [(v >> 8) & 0xff, v & 0xff];
const u32 = (v) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const mac = (s) => s.split(':').map((h) => parseInt(h, 16));
const ip4 = (s) => s.split('.').map(Number);
function ip6(s) {
  const [head, tail = ''] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = s.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.flatMap((g) => u16(parseInt(g, 16)));
}

function checksum(data) {
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) sum += (data[i] << 8) | (data[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const ETH = { IPV4: 0x0800, ARP: 0x0806, IPV6: 0x86dd, VLAN: 0x8100, QINQ: 0x88a8 };
const MACS = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03', '00:1b:21:aa:bb:cc'];
const V4 = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.1.7', '192.168.1.1', '192.168.1.20', '8.8.8.8', '172.16.5.4'];
const V6 = ['2001:db8::1', '2001:db8::2', '2001:db8:1::5', 'fe80::1', 'fe80::2a'];
const PORTS = [22, 53, 67, 68, 80, 123, 443, 1024, 1500, 2000, 3306, 8080, 40000, 51234];

function ether(dst, src, type, payload, vlans = []) {
  const tags = vlans.flatMap(([tpid, tci]) => [...u16(tpid), ...u16(tci)]);
  // With tags, `type` follows the last tag; the first TPID goes where the EtherType was.
  return [...mac(dst), ...mac(src), ...tags, ...u16(type), ...payload];
}

function ipv4(src, dst, proto, payload, { ttl = 64, id = 0, frag = 0, options = [] } = {}) {
  const ihl = 5 + options.length / 4;
  const header = [0x40 | ihl, 0, ...u16(ihl * 4 + payload.length), ...u16(id), ...u16(frag), ttl, proto, 0, 0,
    ...ip4(src), ...ip4(dst), ...options];
  const sum = checksum(header);
  header[10] = sum >> 8;
  header[11] = sum & 0xff;
  return [...header, ...payload];
}

function ipv6(src, dst, next, payload, { hopLimit = 64, hopByHop = false } = {}) {
  let body = payload;
  let nh = next;
  if (hopByHop) {
    body = [next, 0, 5, 2, 0, 0, 1, 0, ...payload]; // router alert + PadN
    nh = 0;
  }
  return [0x60, 0, 0, 0, ...u16(body.length), nh, hopLimit, ...ip6(src), ...ip6(dst), ...body];
}

const TCP_FLAGS = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32 };
function tcp(sport, dport, flags, payload = []) {
  return [...u16(sport), ...u16(dport), ...u32(int(0, 0xffffffff)), ...u32(flags & TCP_FLAGS.ACK ? int(0, 0xffffffff) : 0),
    0x50, flags, ...u16(65535), 0, 0, 0, 0, ...payload];
}
const udp = (sport, dport, payload = []) => [...u16(sport), ...u16(dport), ...u16(8 + payload.length), 0, 0, ...payload];
function icmp(type, code, rest = [0, 1, 0, int(0, 99)], payload = []) {
  const msg = [type, code, 0, 0, ...rest, ...payload];
  const sum = checksum(msg);
  msg[2] = sum >> 8;
  msg[3] = sum & 0xff;
  return msg;
}
const icmp6 = (type, code, payload = []) => [type, code, 0, 0, ...payload];
function arp(op, sha, spa, tha, tpa) {
  return [...u16(1), ...u16(ETH.IPV4), 6, 4, ...u16(op), ...mac(sha), ...ip4(spa), ...mac(tha), ...ip4(tpa)];
}

function l4v4() {
  const kind = pick(['tcp', 'tcp', 'tcp', 'udp', 'udp', 'icmp', 'gre']);
  const payload = bytes(pick([0, 0, 8, 40, 200, 600]));
  if (kind === 'tcp') {
    const flags = pick([TCP_FLAGS.SYN, TCP_FLAGS.SYN | TCP_FLAGS.ACK, TCP_FLAGS.ACK, TCP_FLAGS.ACK | TCP_FLAGS.PSH,
      TCP_FLAGS.FIN | TCP_FLAGS.ACK, TCP_FLAGS.RST, TCP_FLAGS.URG | TCP_FLAGS.ACK]);
    return [6, tcp(pick(PORTS), pick(PORTS), flags, payload)];
  }
  if (kind === 'udp') return [17, udp(pick(PORTS), pick(PORTS), payload)];
  if (kind === 'icmp') return [1, icmp(pick([0, 8, 8, 3, 11]), pick([0, 0, 1, 3]), undefined, payload.slice(0, 56))];
  return [47, [0, 0, ...u16(ETH.IPV4), ...payload.slice(0, 20)]];
}

function ipv4Packet() {
  const [proto, l4] = l4v4();
  const frag = rand() < 0.08 ? pick([0x2000, 0x00b9, 0x20b9]) : rand() < 0.3 ? 0x4000 : 0;
  const options = rand() < 0.08 ? [0x94, 0x04, 0, 0] : []; // router alert
  const dst = rand() < 0.05 ? '224.0.0.251' : pick(V4);
  return ipv4(pick(V4), dst, proto, l4, { ttl: pick([1, 32, 64, 128, 255]), id: int(0, 0xffff), frag, options });
}

function ipv6Packet() {
  const kind = pick(['tcp', 'udp', 'udp', 'icmp6']);
  const payload = bytes(pick([0, 8, 100, 300]));
  const dst = rand() < 0.15 ? 'ff02::1' : pick(V6);
  const hopByHop = rand() < 0.1;
  if (kind === 'tcp') return ipv6(pick(V6), dst, 6, tcp(pick(PORTS), pick(PORTS), pick([2, 18, 16, 24, 17]), payload), { hopByHop });
  if (kind === 'udp') return ipv6(pick(V6), dst, 17, udp(pick(PORTS), pick(PORTS), payload), { hopByHop });
  return ipv6(pick(V6), dst, 58, icmp6(pick([128, 129, 135, 136, 1]), 0, payload.slice(0, 32)), { hopByHop });
}

function frame() {
  const r = rand();
  const dst = r < 0.08 ? 'ff:ff:ff:ff:ff:ff' : r < 0.14 ? '01:00:5e:00:00:fb' : r < 0.18 ? '33:33:00:00:00:01' : pick(MACS);
  const src = pick(MACS);
  const kind = pick(['v4', 'v4', 'v4', 'v4', 'v6', 'v6', 'arp', 'vlan', 'qinq', 'llc']);
  switch (kind) {
    case 'v4': return ether(dst, src, ETH.IPV4, ipv4Packet());
    case 'v6': return ether(dst, src, ETH.IPV6, ipv6Packet());
    case 'arp': {
      const request = rand() < 0.6;
      return ether(request ? 'ff:ff:ff:ff:ff:ff' : dst, src, ETH.ARP,
        arp(request ? 1 : 2, src, pick(V4), request ? '00:00:00:00:00:00' : dst, pick(V4)));
    }
    case 'vlan': {
      const inner = rand() < 0.7 ? [ETH.IPV4, ipv4Packet()] : [ETH.IPV6, ipv6Packet()];
      return ether(dst, src, inner[0], inner[1], [[ETH.VLAN, pick([100, 200, 4094])]]);
    }
    case 'qinq':
      return ether(dst, src, ETH.IPV4, ipv4Packet(), [[ETH.QINQ, 300], [ETH.VLAN, 100]]);
    case 'llc': {
      const payload = [0x42, 0x42, 0x03, ...bytes(int(20, 40))]; // spanning tree's LLC header
      return [...mac('01:80:c2:00:00:00'), ...mac(src), ...u16(payload.length), ...payload];
    }
  }
  throw new Error(kind);
}

const COUNT = 400;
const BASE_SECONDS = 1_700_000_000;
const packets = Array.from({ length: COUNT }, (_, i) => {
  const data = Uint8Array.from(frame());
  // Timestamps with every digit of nanoseconds used, rising.
  const ns = BigInt(BASE_SECONDS) * 1_000_000_000n + BigInt(i) * 12_345_678n + BigInt(i * 7 % 1000);
  return { data, ns };
});

function pcap(list, { le = true, nanos = false, snapLen = 262144 } = {}) {
  const parts = [];
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, nanos ? 0xa1b23c4d : 0xa1b2c3d4, le);
  header.setUint16(4, 2, le);
  header.setUint16(6, 4, le);
  header.setUint32(16, snapLen, le);
  header.setUint32(20, 1, le);
  parts.push(new Uint8Array(header.buffer));
  for (const { data, ns } of list) {
    const cap = data.subarray(0, Math.min(data.length, snapLen));
    const h = new DataView(new ArrayBuffer(16));
    h.setUint32(0, Number(ns / 1_000_000_000n), le);
    h.setUint32(4, Number(nanos ? ns % 1_000_000_000n : (ns % 1_000_000_000n) / 1000n), le);
    h.setUint32(8, cap.length, le);
    h.setUint32(12, data.length, le);
    parts.push(new Uint8Array(h.buffer), cap);
  }
  return Buffer.concat(parts);
}

function block(type, body, le) {
  const padded = Buffer.alloc((body.length + 3) & ~3);
  Buffer.from(body).copy(padded);
  const length = 12 + padded.length;
  const head = new DataView(new ArrayBuffer(8));
  head.setUint32(0, type, le);
  head.setUint32(4, length, le);
  const tail = new DataView(new ArrayBuffer(4));
  tail.setUint32(0, length, le);
  return Buffer.concat([new Uint8Array(head.buffer), padded, new Uint8Array(tail.buffer)]);
}

function option(code, value, le) {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint16(0, code, le);
  v.setUint16(2, value.length, le);
  const padded = Buffer.alloc((value.length + 3) & ~3);
  Buffer.from(value).copy(padded);
  return Buffer.concat([new Uint8Array(v.buffer), padded]);
}

function pcapng(list, { le = true } = {}) {
  const parts = [];
  const shb = new DataView(new ArrayBuffer(16));
  shb.setUint32(0, 0x1a2b3c4d, le);
  shb.setUint16(4, 1, le);
  shb.setBigInt64(8, -1n, le);
  parts.push(block(0x0a0d0d0a, Buffer.concat([new Uint8Array(shb.buffer), option(4, Buffer.from('generate.mjs'), le), option(0, [], le)]), le));
  const idb = (snapLen, opts) => {
    const v = new DataView(new ArrayBuffer(8));
    v.setUint16(0, 1, le);
    v.setUint32(4, snapLen, le);
    return block(1, Buffer.concat([new Uint8Array(v.buffer), ...opts, ...(opts.length ? [option(0, [], le)] : [])]), le);
  };
  parts.push(idb(0, []));                                                        // interface 0: microseconds
  // libpcap reads a pcapng file only if every interface has the first one's link type and snap length.
  parts.push(idb(0, [option(2, Buffer.from('eth1'), le), option(9, [9], le)]));     // interface 1: nanoseconds
  list.forEach(({ data, ns }, i) => {
    if (i === 5) {
      // A Name Resolution Block (type 4) and a custom block (0x00000BAD), both skipped.
      parts.push(block(4, Buffer.concat([option(1, [...ip4('10.0.0.1'), ...Buffer.from('one\0')], le), option(0, [], le)]), le));
      parts.push(block(0x00000bad, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]), le));
    }
    if (i === 7) {
      // A Simple Packet Block: interface 0, no timestamp.
      const v = new DataView(new ArrayBuffer(4));
      v.setUint32(0, data.length, le);
      parts.push(block(3, Buffer.concat([new Uint8Array(v.buffer), data]), le));
      return;
    }
    const iface = i % 3 === 2 ? 1 : 0;
    const units = iface === 1 ? ns : ns / 1000n;
    const v = new DataView(new ArrayBuffer(20));
    v.setUint32(0, iface, le);
    v.setUint32(4, Number(units >> 32n), le);
    v.setUint32(8, Number(units & 0xffffffffn), le);
    v.setUint32(12, data.length, le);
    v.setUint32(16, data.length, le);
    const opts = i % 50 === 0 ? [option(1, Buffer.from('a comment'), le), option(0, [], le)] : [];
    parts.push(block(6, Buffer.concat([new Uint8Array(v.buffer), data, Buffer.alloc((4 - (data.length % 4)) % 4), ...opts]), le));
  });
  return Buffer.concat(parts);
}

mkdirSync(outDir, { recursive: true });
const files = {
  'mixed.pcap': pcap(packets),
  'mixed-be-ns.pcap': pcap(packets, { le: false, nanos: true }),
  'mixed.pcapng': pcapng(packets),
  'mixed-be.pcapng': pcapng(packets, { le: false }),
  'snap64.pcap': pcap(packets, { snapLen: 64 }),
};
for (const [name, data] of Object.entries(files)) {
  writeFileSync(join(outDir, name), data);
  console.log(`${name}: ${data.length} bytes`);
}
