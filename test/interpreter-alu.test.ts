import { describe, expect, it } from 'vitest';
import { interpret } from '../src/interp/interpreter.js';
import { exit, I, lddw, movr, named, prog } from './support/build.js';

/** All-ones, INT64_MIN, and junk for the high half of 32-bit operands. */
const M = 0xffff_ffff_ffff_ffffn;
const MIN = 0x8000_0000_0000_0000n;
const H = 0xdead_beef_0000_0000n;
const neg = (n: bigint) => BigInt.asUintN(64, -n);

/** r1 = a; r2 = b; `op r1, r2`; return r1. */
function withReg(mnemonic: string, a: bigint, b: bigint): bigint {
  return interpret(prog(lddw(1, a), lddw(2, b), I(mnemonic, { dst: 1, src: 2 }), movr(0, 1), exit()));
}
/** r1 = a; `op r1, imm`; return r1. */
function withImm(mnemonic: string, a: bigint, imm: number): bigint {
  return interpret(prog(lddw(1, a), I(mnemonic, { dst: 1, imm }), movr(0, 1), exit()));
}
/** r1 = a; `op r1` (neg, byte swaps); return r1. */
function unary(mnemonic: string, a: bigint): bigint {
  return interpret(prog(lddw(1, a), I(mnemonic, { dst: 1 }), movr(0, 1), exit()));
}
/** r2 = a; `movsx r1, r2` with r1 holding junk first; return r1. */
function movsx(mnemonic: string, a: bigint): bigint {
  return interpret(prog(lddw(1, M), lddw(2, a), I(mnemonic, { dst: 1, src: 2 }), movr(0, 1), exit()));
}

describe('64-bit ALU, register operand', () => {
  it.each(named([
    ['add', M, 1n, 0n], ['add', 0x7fff_ffff_ffff_ffffn, 1n, MIN],
    ['sub', 0n, 1n, M], ['sub', 5n, 3n, 2n],
    ['mul', 0x1_0000_0001n, 0x1_0000_0001n, 0x2_0000_0001n], ['mul', MIN, M, MIN], ['mul', M, M, 1n],
    ['div', 10n, 3n, 3n], ['div', M, 2n, 0x7fff_ffff_ffff_ffffn], ['div', 7n, 0n, 0n], ['div', MIN, M, 0n],
    ['mod', 10n, 3n, 1n], ['mod', 7n, 0n, 7n], ['mod', M, MIN, 0x7fff_ffff_ffff_ffffn],
    ['sdiv', neg(7n), 2n, neg(3n)], ['sdiv', MIN, M, MIN], ['sdiv', 7n, 0n, 0n], ['sdiv', 7n, M, neg(7n)],
    ['smod', neg(7n), 2n, M], ['smod', 7n, neg(2n), 1n], ['smod', neg(7n), neg(2n), M],
    ['smod', MIN, M, 0n], ['smod', neg(7n), 0n, neg(7n)],
    ['or', 0xf0n, 0x0fn, 0xffn], ['and', 0xf0f0n, 0xff00n, 0xf000n], ['xor', M, 1n, M - 1n],
    ['lsh', 1n, 63n, MIN], ['lsh', 1n, 64n, 1n], ['lsh', 1n, 65n, 2n], ['lsh', M, 1n, M - 1n], ['lsh', 3n, 0n, 3n],
    ['rsh', MIN, 63n, 1n], ['rsh', M, 64n, M], ['rsh', M, 127n, 1n],
    ['arsh', MIN, 63n, M], ['arsh', MIN, 64n, MIN], ['arsh', MIN, 1n, 0xc000_0000_0000_0000n],
    ['arsh', 0x4000_0000_0000_0000n, 62n, 1n],
    ['mov', 5n, 0xdead_beef_cafe_f00dn, 0xdead_beef_cafe_f00dn],
  ] as const))('%s', (_name, op, a, b, want) => {
    expect(withReg(op, a, b)).toBe(want);
  });
});

describe('64-bit ALU, immediate operand (sign-extended to 64 bits)', () => {
  it.each(named([
    ['add', 0n, -1, M], ['add', 1n, 0x7fff_ffff, 0x8000_0000n],
    ['sub', 0n, -1, 1n], ['sub', 0n, 1, M],
    ['mul', 3n, -2, neg(6n)], ['mul', MIN, -1, MIN],
    // Unsigned division by an imm: sign-extend, then treat as unsigned.
    ['div', M, -1, 1n], ['div', M - 1n, -1, 0n], ['div', 10n, 0, 0n], ['div', 100n, 7, 14n],
    ['div', 0x1_0000_0000n, -0x8000_0000, 0n],
    ['mod', 10n, 0, 10n], ['mod', 5n, -1, 5n], ['mod', M, -1, 0n], ['mod', 100n, 7, 2n],
    ['sdiv', MIN, -1, MIN], ['sdiv', neg(7n), 2, neg(3n)], ['sdiv', 7n, 0, 0n], ['sdiv', neg(8n), -2, 4n],
    ['smod', MIN, -1, 0n], ['smod', neg(7n), 2, M], ['smod', 7n, -2, 1n], ['smod', neg(7n), 0, neg(7n)],
    ['or', 0n, -0x8000_0000, 0xffff_ffff_8000_0000n],
    ['and', M, 0x7fff_ffff, 0x7fff_ffffn], ['and', M, -1, M], ['and', 0x1234_5678_9abc_def7n, -16, 0x1234_5678_9abc_def0n],
    ['xor', 0n, -1, M],
    // Shift counts are masked with & 63, immediates included.
    ['lsh', 1n, 63, MIN], ['lsh', 1n, 64, 1n], ['lsh', 1n, 65, 2n], ['lsh', 1n, -1, MIN],
    ['rsh', M, 63, 1n], ['rsh', M, 64, M],
    ['arsh', MIN, 63, M], ['arsh', MIN, 64, MIN],
    ['mov', 5n, -1, M], ['mov', 5n, 0x7fff_ffff, 0x7fff_ffffn], ['mov', 5n, -0x8000_0000, 0xffff_ffff_8000_0000n],
  ] as const))('%s', (_name, op, a, imm, want) => {
    expect(withImm(op, a, imm)).toBe(want);
  });
});

describe('32-bit ALU, register operand (upper half of dst zeroed)', () => {
  it.each(named([
    ['add32', H | 0xffff_ffffn, 1n, 0n], ['add32', H | 5n, 0xaaaa_aaaa_0000_0003n, 8n],
    ['sub32', H, 1n, 0xffff_ffffn],
    ['mul32', 0x1_0000n, 0x1_0000n, 0n], ['mul32', 0x8000_0000n, 0xffff_ffffn, 0x8000_0000n],
    ['mul32', H | 3n, 0x1_0000_0005n, 15n],
    ['div32', 0x1_0000_000an, 3n, 3n], ['div32', H | 7n, 0n, 0n], ['div32', 0xffff_ffffn, 2n, 0x7fff_ffffn],
    ['div32', 7n, 0x1_0000_0000n, 0n],
    ['mod32', H | 5n, 0n, 5n], ['mod32', H | 0xffff_ffffn, 0x10n, 0xfn], ['mod32', 0x1_0000_0007n, 0x1_0000_0000n, 7n],
    ['sdiv32', 0xffff_fff9n, 2n, 0xffff_fffdn], ['sdiv32', 0x8000_0000n, 0xffff_ffffn, 0x8000_0000n],
    ['sdiv32', H | 7n, 0n, 0n], ['sdiv32', 0xffff_fff9n, 0xffff_ffffn, 7n],
    ['smod32', 0xffff_fff9n, 2n, 0xffff_ffffn], ['smod32', 7n, 0xffff_fffen, 1n],
    ['smod32', 0x8000_0000n, 0xffff_ffffn, 0n], ['smod32', H | 0xffff_fff9n, 0n, 0xffff_fff9n],
    ['or32', H | 0xf0n, 0x0fn, 0xffn], ['and32', M, 0xff00_ff00_0000_ffffn, 0xffffn], ['xor32', H | 0xffff_ffffn, 0xffff_ffffn, 0n],
    ['lsh32', 1n, 31n, 0x8000_0000n], ['lsh32', 1n, 32n, 1n], ['lsh32', H | 1n, 33n, 2n], ['lsh32', 0xffff_ffffn, 4n, 0xffff_fff0n],
    ['rsh32', H | 0x8000_0000n, 31n, 1n], ['rsh32', 0xffff_ffffn, 32n, 0xffff_ffffn], ['rsh32', H, 0n, 0n],
    ['arsh32', 0x8000_0000n, 31n, 0xffff_ffffn], ['arsh32', H | 0x8000_0000n, 1n, 0xc000_0000n],
    ['arsh32', 0x8000_0000n, 32n, 0x8000_0000n],
    ['mov32', 5n, 0xdead_beef_1234_5678n, 0x1234_5678n],
  ] as const))('%s', (_name, op, a, b, want) => {
    expect(withReg(op, a, b)).toBe(want);
  });
});

describe('32-bit ALU, immediate operand (imm taken as its low 32 bits)', () => {
  it.each(named([
    ['add32', H | 0xffff_ffffn, 1, 0n], ['add32', 0n, -1, 0xffff_ffffn],
    ['sub32', H, 1, 0xffff_ffffn],
    ['mul32', 3n, -2, 0xffff_fffan],
    ['div32', 0xffff_ffffn, -1, 1n], ['div32', 0xffff_fffen, -1, 0n], ['div32', H | 10n, 0, 0n], ['div32', 100n, 7, 14n],
    ['mod32', H | 10n, 0, 10n], ['mod32', 0xffff_fffen, -1, 0xffff_fffen], ['mod32', 100n, 7, 2n],
    ['sdiv32', 0x8000_0000n, -1, 0x8000_0000n], ['sdiv32', 0xffff_fff9n, 2, 0xffff_fffdn], ['sdiv32', H | 7n, 0, 0n],
    ['smod32', 0x8000_0000n, -1, 0n], ['smod32', 0xffff_fff9n, 2, 0xffff_ffffn],
    ['smod32', H | 0xffff_fff9n, 0, 0xffff_fff9n], ['smod32', 7n, -2, 1n],
    ['or32', H, -0x8000_0000, 0x8000_0000n], ['and32', M, -1, 0xffff_ffffn], ['xor32', H | 1n, -1, 0xffff_fffen],
    // Shift counts are masked with & 31: `lsh32 r, 60` shifts by 28.
    ['lsh32', 1n, 60, 0x1000_0000n], ['lsh32', 1n, 31, 0x8000_0000n], ['lsh32', 1n, 32, 1n],
    ['rsh32', 0x8000_0000n, 63, 1n], ['rsh32', H | 0xf0n, 4, 0xfn],
    ['arsh32', 0x8000_0000n, 31, 0xffff_ffffn], ['arsh32', 0x8000_0000n, 63, 0xffff_ffffn],
    ['mov32', 5n, -1, 0xffff_ffffn], ['mov32', H, 7, 7n],
  ] as const))('%s', (_name, op, a, imm, want) => {
    expect(withImm(op, a, imm)).toBe(want);
  });
});

describe('neg, movsx', () => {
  it.each(named([
    ['neg', 1n, M], ['neg', MIN, MIN], ['neg', 0n, 0n], ['neg', M, 1n],
    ['neg32', H | 1n, 0xffff_ffffn], ['neg32', 0x8000_0000n, 0x8000_0000n], ['neg32', H, 0n],
  ] as const))('%s', (_name, op, a, want) => {
    expect(unary(op, a)).toBe(want);
  });

  it.each(named([
    ['movsx864', 0x80n, 0xffff_ffff_ffff_ff80n], ['movsx864', 0x7fn, 0x7fn],
    ['movsx864', 0xdead_beef_0000_0080n, 0xffff_ffff_ffff_ff80n], ['movsx864', 0x17fn, 0x7fn],
    ['movsx1664', 0x8000n, 0xffff_ffff_ffff_8000n], ['movsx1664', 0x7fffn, 0x7fffn], ['movsx1664', 0x1234_5678_0000_ffffn, M],
    ['movsx3264', 0x8000_0000n, 0xffff_ffff_8000_0000n], ['movsx3264', 0x7fff_ffffn, 0x7fff_ffffn],
    ['movsx3264', 0xffff_ffff_0000_0001n, 1n],
    ['movsx832', 0x80n, 0xffff_ff80n], ['movsx832', H | 0x7fn, 0x7fn], ['movsx832', 0x1ffn, 0xffff_ffffn],
    ['movsx1632', 0x8000n, 0xffff_8000n], ['movsx1632', H | 0x1_7fffn, 0x7fffn],
  ] as const))('%s', (_name, op, a, want) => {
    expect(movsx(op, a)).toBe(want);
  });

  it('movsx with dst = src', () => {
    expect(interpret(prog(lddw(1, 0xff80n), I('movsx864', { dst: 1, src: 1 }), movr(0, 1), exit())))
      .toBe(0xffff_ffff_ffff_ff80n);
  });
});

describe('byte order (little-endian model: le truncates, be/bswap swap)', () => {
  const V = 0x1122_3344_5566_7788n;
  it.each(named([
    ['le16', 0x7788n], ['le32', 0x5566_7788n], ['le64', V],
    ['be16', 0x8877n], ['be32', 0x8877_6655n], ['be64', 0x8877_6655_4433_2211n],
    ['bswap16', 0x8877n], ['bswap32', 0x8877_6655n], ['bswap64', 0x8877_6655_4433_2211n],
  ] as const))('%s', (_name, op, want) => {
    expect(unary(op, V)).toBe(want);
  });
  it('swaps bytes with the top bit set without sign trouble', () => {
    expect(unary('be32', 0x80n)).toBe(0x8000_0000n);
    expect(unary('bswap64', 0xffn)).toBe(0xff00_0000_0000_0000n);
  });
});
