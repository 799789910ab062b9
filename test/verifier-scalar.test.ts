/**
 * The verifier's scalar bounds (src/verify/scalar.ts, tnum.ts): tightening a scalar's
 * bounds from each other (sync, the kernel's reg_bounds_sync) never loses a value the
 * scalar held, and the known bits of a range hold every value in it. Random scalars are
 * built around a concrete value (bounds on each side, some bits unknown), so every one
 * of them holds that value; their fast paths (nothing known of a half, a known value) are
 * drawn often.
 */
import { describe, expect, it } from 'vitest';
import { constant, constantOf, s32, s64, sync, u32, u64, within, type Scalar } from '../src/verify/scalar.js';
import { scalarAlu } from '../src/verify/scalar-alu.js';
import { assemble } from '../src/decode/asm.js';
import { interpret } from '../src/interp/interpreter.js';
import type { AluOp } from '../src/decode/opcodes.js';
import { tnumRange, tnumWithSubreg, type Tnum } from '../src/verify/tnum.js';
import { seededRandom } from './support/seeded-random.js';

const U64 = (1n << 64n) - 1n;

function randomU64(next: () => number): bigint {
  const word = () => BigInt(Math.floor(next() * 2 ** 32));
  const v = (word() << 32n) | word();
  // Small numbers, numbers near the sign bits and extremes come up as often as any.
  switch (Math.floor(next() * 5)) {
    case 0: return v & 0xffn;
    case 1: return v & 0xffff_ffffn;
    case 2: return (1n << 63n) + (v & 0xffn) - 128n;
    case 3: return U64 - (v & 0xffffn);
    default: return v;
  }
}

/** Some distance below v (never past the type's minimum), or none at all. */
const spread = (next: () => number, span: bigint): bigint => (next() < 0.3 ? 0n : randomU64(next) % span);

function scalarAround(v: bigint, next: () => number): Scalar {
  const maskChoice = Math.floor(next() * 4);
  const mask = maskChoice === 0 ? U64 : maskChoice === 1 ? 0n : maskChoice === 2 ? 0xffff_ffffn : randomU64(next);
  const tnum: Tnum = { value: v & ~mask & U64, mask };
  const sv = s64(v);
  const lo32 = u32(v);
  const slo32 = s32(v);
  const below = (x: bigint, min: bigint, span: bigint) => { const d = spread(next, span); return x - d < min ? min : x - d; };
  const above = (x: bigint, max: bigint, span: bigint) => { const d = spread(next, span); return x + d > max ? max : x + d; };
  return {
    umin: below(v, 0n, 1n << 64n), umax: above(v, U64, 1n << 64n),
    smin: below(sv, -(1n << 63n), 1n << 64n), smax: above(sv, (1n << 63n) - 1n, 1n << 64n),
    u32min: below(lo32, 0n, 1n << 32n), u32max: above(lo32, 0xffff_ffffn, 1n << 32n),
    s32min: below(slo32, -(1n << 31n), 1n << 32n), s32max: above(slo32, (1n << 31n) - 1n, 1n << 32n),
    tnum,
  };
}

function holds(s: Scalar, v: bigint): boolean {
  return within(s, constant(v));
}

describe('verifier scalars', () => {
  it('keep every value they held through sync, and only tighten', () => {
    const next = seededRandom(0x5ca1a2);
    for (let i = 0; i < 20_000; i++) {
      const v = randomU64(next);
      const s = scalarAround(v, next);
      expect(holds(s, v)).toBe(true);
      const t = sync(s);
      if (!holds(t, v)) throw new Error(`sync lost ${v} from ${JSON.stringify(s, (_, x) => (typeof x === 'bigint' ? x.toString() : x))}`);
      expect(within(s, t)).toBe(true);
      expect(u64(t.tnum.value & t.tnum.mask)).toBe(0n);
    }
  });

  it('give a range known bits that hold all of it, and splice halves as two tnums would', () => {
    const next = seededRandom(77);
    for (let i = 0; i < 5_000; i++) {
      const a = randomU64(next);
      const b = randomU64(next);
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const t = tnumRange(lo, hi);
      for (const v of [lo, hi, lo + (hi - lo) / 2n]) expect(u64(v & ~t.mask)).toBe(t.value);
      const spliced = tnumWithSubreg({ value: lo & ~b, mask: b }, { value: hi & ~a, mask: a });
      expect(spliced.mask).toBe((b & ~0xffff_ffffn) | (a & 0xffff_ffffn));
      expect(spliced.value).toBe(((lo & ~b) & ~0xffff_ffffn) | ((hi & ~a) & 0xffff_ffffn));
    }
  });

  it('compute two known values exactly as the interpreter does, at both widths', () => {
    const next = seededRandom(4242);
    const ops: AluOp[] = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'lsh', 'rsh', 'arsh', 'div', 'mod', 'sdiv', 'smod', 'neg'];
    for (let i = 0; i < 300; i++) {
      const x = randomU64(next);
      const y = next() < 0.3 ? BigInt(Math.floor(next() * 70)) : randomU64(next);
      for (const op of ops) {
        for (const width of [64, 32] as const) {
          const suffix = width === 32 ? '32' : '';
          const insn = op === 'neg' ? `neg${suffix} %r0` : `${op}${suffix} %r0, %r1`;
          const expected = interpret(assemble(`lddw %r0, ${x}\nlddw %r1, ${y}\n${insn}\nexit`));
          const result = constantOf(scalarAlu(op, width, constant(x), constant(y)));
          // A shift by the width or more is unknown to the verifier (the kernel's rule), whatever the engines compute.
          if (result === undefined) expect(['lsh', 'rsh', 'arsh']).toContain(op);
          else expect(result, `${insn} with ${x}, ${y}`).toBe(expected);
        }
      }
    }
  });
});
