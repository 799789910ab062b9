/**
 * A small seeded PRNG (splitmix64 over bigint state, drawn 32 bits at a time) so a
 * fuzz run is reproducible from its seed on any machine.
 */
export class Random {
  private state: bigint;

  constructor(seed: number | bigint) {
    this.state = BigInt.asUintN(64, BigInt(seed));
  }

  /** The next 64 random bits. */
  next64(): bigint {
    this.state = BigInt.asUintN(64, this.state + 0x9e3779b97f4a7c15n);
    let z = this.state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Number(this.next64() % BigInt(n));
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  bool(pTrue = 0.5): boolean {
    return this.int(1 << 20) < pTrue * (1 << 20);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** A signed 32-bit value biased towards the edges where semantics get interesting. */
  imm32(): number {
    return this.bool(0.6) ? this.pick(EDGE_IMM32) : Number(BigInt.asIntN(32, this.next64()));
  }

  /** A 64-bit value biased towards edge values. */
  imm64(): bigint {
    return this.bool(0.5) ? this.pick(EDGE_IMM64) : this.next64();
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

const EDGE_IMM32: readonly number[] = [
  0, 1, -1, 2, -2, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 0x7fff, -0x8000, 0xffff,
  0x7fffffff, -0x80000000, 0x12345678, -0x12345678, 3, 5, 10, 100, 1000,
];

const EDGE_IMM64: readonly bigint[] = [
  0n, 1n, 0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn, 0xffff_ffffn,
  0x1_0000_0000n, 0x8000_0000n, 0x7fff_ffffn, 0xffff_ffff_8000_0000n, 0x1122_3344_5566_7788n, 2n, 0xffn,
];
