/**
 * Independent TypeScript computations of what each benchmark program must return. They
 * are written from each program's specification, not translated from its C, and where
 * possible use a different method (BigInt bit lengths for log2, a running end-around
 * carry for the checksum, a sieve to check trial division and vice versa), so a
 * compiler or JIT bug cannot make both sides agree by accident.
 */

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** 1 if the frame is Ethernet/IPv4/TCP (first fragment) to port 80 or 443, else 0. */
export function portFilter(frame: Uint8Array): bigint {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const ip = 14;
  if (frame.length < ip + 20 || view.getUint16(12) !== 0x0800) return 0n;
  const versionIhl = frame[ip];
  const headerLength = (versionIhl & 0x0f) * 4;
  if (versionIhl >> 4 !== 4 || headerLength < 20) return 0n;
  if (frame[ip + 9] !== 6 || (view.getUint16(ip + 6) & 0x1fff) !== 0) return 0n;
  const tcp = ip + headerLength;
  if (tcp + 20 > frame.length) return 0n;
  const port = view.getUint16(tcp + 2);
  return port === 80 || port === 443 ? 1n : 0n;
}

/** RFC 1071: one's complement of the one's complement sum of big-endian 16-bit words. */
export function internetChecksum(data: Uint8Array): bigint {
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) {
    const word = (data[i] << 8) | (i + 1 < data.length ? data[i + 1] : 0);
    sum += word;
    sum = (sum & 0xffff) + (sum >>> 16); // end-around carry at every step
  }
  return BigInt(~sum & 0xffff);
}

/** Number of primes below n, by a sieve (the check for trial_primes). */
export function countPrimesBySieve(n: number): bigint {
  if (n < 3) return 0n;
  const composite = new Uint8Array(n);
  let count = 0;
  for (let i = 2; i < n; i++) {
    if (composite[i]) continue;
    count++;
    for (let j = i * i; j < n; j += i) composite[j] = 1;
  }
  return BigInt(count);
}

/** Number of primes below n, by trial division (the check for sieve). */
export function countPrimesByTrialDivision(n: number): bigint {
  let count = 0;
  outer: for (let k = 2; k < n; k++) {
    for (let d = 2; d <= Math.sqrt(k); d++) if (k % d === 0) continue outer;
    count++;
  }
  return BigInt(count);
}

/** Sum of floor(log2(x)) over little-endian u64s (x = 0 counts 0), via bit lengths. */
export function log2Sum(data: Uint8Array): bigint {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let sum = 0n;
  for (let i = 0; i + 8 <= data.length; i += 8) {
    const x = view.getBigUint64(i, true);
    if (x !== 0n) sum += BigInt(x.toString(2).length - 1);
  }
  return sum;
}

/**
 * The 40 accumulator updates of big_switch, indexed by (byte & 63); indices 40..63 add 1.
 * Each takes the accumulator and the byte and returns the new accumulator (mod 2^64).
 */
const rotl = (x: bigint, k: bigint): bigint => u64((x << k) | (x >> (64n - k)));
const SWITCH_CASES: ReadonlyArray<(acc: bigint, b: bigint) => bigint> = [
  (a, b) => a + b,
  (a, b) => a ^ (b << 8n),
  (a) => a * 3n,
  (a) => a - 0x1234n,
  (a) => rotl(a, 1n),
  (a) => a >> 3n,
  (a) => a + (a >> 7n),
  (a) => a ^ 0x9e3779b97f4a7c15n,
  (a, b) => a + b * b,
  (a) => ~a,
  (a) => a + 10n,
  (a) => a ^ u64(a << 13n),
  (a) => a ^ (a >> 17n),
  (a) => a * 0x100000001b3n,
  (a, b) => a - b,
  (a) => rotl(a, 63n),
  (a) => a & 0xffffffffffffn,
  (a) => a | 0x11n,
  (a) => a + 0xabcdefn,
  (a, b) => a ^ (b << 32n),
  (a) => a * 5n,
  (a) => a - (a >> 11n),
  (a, b) => a + (b << 16n),
  (a) => a ^ 0xff00ff00n,
  (a) => a * 17n, // acc += acc << 4
  (a) => a >> 1n,
  (a) => a + 26n,
  (a) => a ^ (a >> 29n),
  (a) => a * 7n,
  (a, b) => a - (b << 4n),
  (a) => rotl(a, 8n),
  (a, b) => a | (b << 24n),
  (a) => a + 0x5555n,
  (a, b) => a ^ (b * 0x01010101n),
  (a) => a * 9n,
  (a) => a - 35n,
  (a, b) => a & ~b,
  (a) => a + (a >> 33n),
  (a) => a ^ 0x2545f4914f6cdd1dn,
  (a) => rotl(a, 48n),
];

export function bigSwitch(data: Uint8Array): bigint {
  let acc = 0x0123456789abcdefn;
  for (const byte of data) {
    const update = SWITCH_CASES[byte & 63] ?? ((a: bigint) => a + 1n);
    acc = u64(update(acc, BigInt(byte)));
  }
  return acc;
}

/** Hash (h = h * 31 + byte mod 2^64) of the first half, which the program copies to the second. */
export function byteCopyHash(data: Uint8Array): bigint {
  let h = 0n;
  for (const byte of data.subarray(0, data.length >> 1)) h = u64(h * 31n + BigInt(byte));
  return h;
}

/**
 * string_compare: for rep = 0..15, strcmp the strings at 4*rep and len/2 + 4*rep (each
 * bounded by its half) and fold the signed result into h = h * 33 + result (mod 2^64).
 */
export function stringCompareHash(data: Uint8Array): bigint {
  const half = data.length >> 1;
  const strcmp = (a: number, b: number, max: number): number => {
    for (let i = 0; i < max; i++) {
      if (data[a + i] !== data[b + i] || data[a + i] === 0) return data[a + i] - data[b + i];
    }
    return 0;
  };
  let h = 0n;
  for (let rep = 0; rep < 16 && rep * 4 < half; rep++) {
    const start = rep * 4;
    h = u64(h * 33n + BigInt(strcmp(start, half + start, half - start)));
  }
  return h;
}

/** helper_loop with add: acc = 0 + 0 + 1 + ... + (n - 1) = n(n - 1)/2. */
export function helperLoopSum(n: number): bigint {
  const b = BigInt(n);
  return (b * (b - 1n)) / 2n;
}

/** The little-endian u32 at the start of an input, 0 if shorter (as the programs read it). */
export function leadingU32(data: Uint8Array): number {
  return data.length < 4 ? 0 : new DataView(data.buffer, data.byteOffset).getUint32(0, true);
}
