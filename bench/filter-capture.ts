import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeCapture, parseCapture } from '../src/index.js';
import { repoRoot } from './paths.js';
import { Prng } from './prng.js';

/**
 * The capture `npm run bench:filter` filters, made in memory, the same on every run: a
 * seeded random sequence (packets drawn with replacement, so no engine sees a short
 * repeating pattern its branch predictor could learn) of the 400 frames of the
 * generated fixture test/fixtures/captures/snap64.pcap (scripts/captures/generate.mjs:
 * IPv4, IPv6, ARP, VLAN, 802.3 frames), each cut to 64 bytes. 100,000 of them make a
 * 6 MB pcap file image, which stays in this machine's caches (L3) rather than
 * measuring memory bandwidth, as the target asks. Every record says its wire
 * length is its captured length, so libpcap's `len` and ours read the same number.
 */
export interface BenchCapture {
  /** The pcap file's bytes: what the libpcap driver reads and the batch path filters in place. */
  readonly file: Uint8Array;
  /** Where each packet lies in `file`, and its length. */
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
}

export const BENCH_PACKETS = 100_000;
const SEED = 0x13;
const SOURCE = join(repoRoot, 'test', 'fixtures', 'captures', 'snap64.pcap');

/** The packets of a capture held in `file`, as offset/length pairs. */
export function packetSpans(file: Uint8Array): Pick<BenchCapture, 'offsets' | 'lengths'> {
  const packets = [...parseCapture(file)];
  return {
    offsets: Uint32Array.from(packets, (p) => p.data.byteOffset - file.byteOffset),
    lengths: Uint32Array.from(packets, (p) => p.data.length),
  };
}

export function benchCapture(count = BENCH_PACKETS): BenchCapture {
  const frames = [...parseCapture(readFileSync(SOURCE))].map((p) => p.data);
  const prng = new Prng(SEED);
  const picked = Array.from({ length: count }, (_, i) => ({
    data: frames[prng.below(frames.length)],
    timestampNs: BigInt(i) * 1000n,
  }));
  const file = encodeCapture(picked);
  return { file, ...packetSpans(file) };
}
