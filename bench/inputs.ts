import { Prng } from './prng.js';

/**
 * Deterministic input generators for the benchmark programs. Each takes its size and a
 * seed; the suite fixes both, so every run (and the native driver) sees the same bytes.
 */

export function randomBytes(length: number, seed: number): Uint8Array {
  return new Prng(seed).bytes(length);
}

/** A 4-byte input holding `n` as a little-endian u32 (trial_primes, helper_loop). */
export function u32Input(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

/**
 * `count` little-endian u64 values with uniformly random bit lengths 0..64, so that
 * floor(log2) takes every value and every branch of the binary search is exercised.
 */
export function u64Array(count: number, seed: number): Uint8Array {
  const rng = new Prng(seed);
  const out = new Uint8Array(count * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) {
    const bits = rng.below(65);
    const random = (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
    const value = bits === 0 ? 0n : (random | (1n << 63n)) >> BigInt(64 - bits);
    view.setBigUint64(i * 8, value, true);
  }
  return out;
}

/**
 * Two NUL-terminated strings of `stringLength` lowercase letters, the first at offset 0
 * and the second at `total / 2`; they are equal except at `mismatchAt` (if given).
 */
export function stringPair(total: number, stringLength: number, mismatchAt: number | undefined, seed: number): Uint8Array {
  const half = total >> 1;
  if (stringLength >= half) throw new RangeError('each string and its NUL must fit in its half');
  const rng = new Prng(seed);
  const out = new Uint8Array(total);
  for (let i = 0; i < stringLength; i++) {
    const letter = 0x61 + rng.below(26);
    out[i] = letter;
    out[half + i] = letter;
  }
  if (mismatchAt !== undefined) out[half + mismatchAt] = out[mismatchAt] === 0x7a ? 0x61 : out[mismatchAt] + 1;
  return out;
}

export interface TcpPacketOptions {
  destinationPort: number;
  /** Default 0x0800 (IPv4). */
  etherType?: number;
  /** Default 4. */
  ipVersion?: number;
  /** IPv4 header length in 32-bit words, default 5 (no options). */
  ihl?: number;
  /** Default 6 (TCP). */
  protocol?: number;
  /** The 13-bit fragment offset, default 0. */
  fragmentOffset?: number;
  /** Frame length in bytes (padding or truncating), default 64. */
  length?: number;
}

/** An Ethernet II / IPv4 / TCP frame, the input of the port filter. */
export function tcpPacket(options: TcpPacketOptions): Uint8Array {
  const { destinationPort, etherType = 0x0800, ipVersion = 4, ihl = 5, protocol = 6, fragmentOffset = 0, length = 64 } = options;
  const ipStart = 14;
  const tcpStart = ipStart + ihl * 4;
  const frame = new Uint8Array(Math.max(length, tcpStart + 20));
  const v = new DataView(frame.buffer);
  frame.set([0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02], 0); // destination, source MAC
  v.setUint16(12, etherType);
  frame[ipStart] = (ipVersion << 4) | ihl;
  v.setUint16(ipStart + 2, frame.length - ipStart); // total length
  v.setUint16(ipStart + 6, fragmentOffset & 0x1fff);
  frame[ipStart + 8] = 64; // TTL
  frame[ipStart + 9] = protocol;
  frame.set([10, 0, 0, 1, 10, 0, 0, 2], ipStart + 12); // source, destination address
  v.setUint16(tcpStart, 40000); // source port
  v.setUint16(tcpStart + 2, destinationPort);
  frame[tcpStart + 12] = 5 << 4; // data offset
  return frame.subarray(0, length);
}
