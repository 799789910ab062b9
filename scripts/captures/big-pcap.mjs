#!/usr/bin/env node
/**
 * A big pcap file for timing `ebpf-wasm filter --count` against tcpdump end to end
 * (bench/filter-big.mjs): the frames of test/fixtures/captures/mixed.pcap (IPv4, IPv6,
 * ARP, VLAN, 802.3; 141 bytes on average) drawn with a seeded PRNG until the file holds
 * at least the asked size, written in 4 MiB pieces. Not checked in: made in /tmp.
 *
 *   node scripts/captures/big-pcap.mjs [out=/tmp/big.pcap] [megabytes=1100]
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const out = process.argv[2] ?? '/tmp/big.pcap';
const target = Number(process.argv[3] ?? 1100) * 1e6;
const source = readFileSync(fileURLToPath(new URL('../../test/fixtures/captures/mixed.pcap', import.meta.url)));
const frames = [];
for (let at = 24; at + 16 <= source.length;) {
  const capLen = source.readUInt32LE(at + 8);
  frames.push(source.subarray(at + 16, at + 16 + capLen));
  at += 16 + capLen;
}

let seed = 0x13;
const next = () => {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const fd = openSync(out, 'w');
const piece = Buffer.alloc(4 << 20);
piece.set(source.subarray(0, 24)); // the file header of mixed.pcap: little-endian, microseconds, Ethernet
let used = 24;
let written = 0;
let packets = 0;
while (written + used < target) {
  const frame = frames[Math.floor(next() * frames.length)];
  if (used + 16 + frame.length > piece.length) {
    writeSync(fd, piece, 0, used);
    written += used;
    used = 0;
  }
  piece.writeUInt32LE(Math.floor(packets / 1e6), used);
  piece.writeUInt32LE(packets % 1e6, used + 4);
  piece.writeUInt32LE(frame.length, used + 8);
  piece.writeUInt32LE(frame.length, used + 12);
  piece.set(frame, used + 16);
  used += 16 + frame.length;
  packets++;
}
writeSync(fd, piece, 0, used);
closeSync(fd);
console.log(`${out}: ${packets} packets, ${((written + used) / 1e6).toFixed(0)} MB`);
