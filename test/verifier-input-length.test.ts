/**
 * The verifier's proofs for raw programs' input (src/verify/input-length.ts): accesses
 * whose indices were compared with the input's length (r2), not only with constants, need
 * no run-time check; an index one past what was compared keeps its check, and the JIT
 * then traps where the input ends.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { RuntimeTrap } from '../src/errors.js';
import { jit } from '../src/jit/jit.js';
import { verifyProgram } from '../src/verify/verify-program.js';

const checked = (source: string) => verifyProgram(assemble(source)).checkedAccesses;

/** sum of mem[0..n) with the loop test `i <cond> len`, i in r3. */
const sumLoop = (cond: string) => `
    mov %r0, 0
    mov %r3, 0
    jeq %r2, 0, out
  loop:
    mov %r4, %r1
    add %r4, %r3
    ldxb %r5, [%r4]        # pc 5
    add %r0, %r5
    add %r3, 1
    ${cond} %r3, %r2, loop
  out:
    exit`;

describe('raw input accesses proven relative to the input length', () => {
  it('proves mem[i] for i < len, and keeps the check for i <= len', () => {
    expect(checked(sumLoop('jlt'))).toEqual([]);
    expect(checked(sumLoop('jle'))).toEqual([5]);
  });

  it('keeps constant bounds: len >= 14 proves bytes 0..13, not byte 14', () => {
    expect(checked(`
      jlt %r2, 14, short
      ldxh %r0, [%r1+12]     # pc 1
      ldxb %r3, [%r1+13]     # pc 2
      ldxb %r3, [%r1+14]     # pc 3
      exit
    short:
      ldxb %r0, [%r1]        # pc 5
      exit`)).toEqual([3, 5]);
  });

  it('follows pointers compared with the input end (p < mem + len)', () => {
    const walk = (cond: string) => `
      mov %r3, %r1
      add %r3, %r2           # the end
      mov %r4, %r1
      mov %r0, 0
    loop:
      ${cond} %r4, %r3, out
      ldxb %r5, [%r4]        # pc 5
      add %r0, %r5
      add %r4, 1
      ja loop
    out:
      exit`;
    expect(checked(walk('jge'))).toEqual([]);
    expect(checked(walk('jgt'))).toEqual([5]);
  });

  it('learns nothing from a pointer compare when a position may lie before the input', () => {
    // r4 is the input's start, or 5 bytes before it (the unsigned compare with the end then
    // says nothing of the length); the read at pc 9 is 4 bytes on: before the input on that path.
    const source = `
      mov %r0, 0
      mov %r3, %r1
      add %r3, %r2
      mov %r4, %r1
      ldxb %r5, [%r1]
      jeq %r5, 0, +1
      add %r4, -5
      jlt %r2, 8, +2
      jge %r4, %r3, +1
      ldxb %r0, [%r4+4]      # pc 9
      exit`;
    expect(checked(source)).toEqual([4, 9]);
    const prog = jit(assemble(source));
    expect(prog(Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7))).toBe(4n);
    expect(() => prog(Uint8Array.of(1, 1, 2, 3, 4, 5, 6, 7))).toThrow(RuntimeTrap);
  });

  it('moves a bound learnt on a copy plus a constant to the original (linked scalars)', () => {
    const linked = (off: number) => `
      mov %r0, 0
      jlt %r2, 4, out
      ldxb %r4, [%r1]
      and %r4, 0xff          # some index
      mov %r6, %r4
      add %r6, 3
      jge %r6, %r2, out      # r4 + 3 < len
      add %r1, %r4
      ldxb %r0, [%r1+${off}] # pc 8
    out:
      exit`;
    expect(checked(linked(3))).toEqual([]);
    expect(checked(linked(4))).toEqual([8]);
  });

  it('bounds i by a bound learnt on i * i (what grew from i is at least i)', () => {
    const squares = (guard: string) => `
      mov %r0, 0
      ldxb %r3, [%r10-8]     # pc 1: an unknown byte (the stack is zero here)
      ${guard}
      mov %r5, %r3
      mul %r5, %r5
      jge %r5, %r2, out      # i * i < len
      add %r1, %r3
      ldxb %r0, [%r1]        # pc 7: i < len, as i <= i * i for i >= 1
    out:
      exit`;
    expect(checked(squares('add %r3, 1'))).toEqual([]);
    // i may be 0 here: i * i >= i still holds.
    expect(checked(squares('mov %r3, %r3'))).toEqual([]);
    expect(checked(squares('add %r3, 1').replace('mul %r5, %r5', 'rsh %r5, 1'))).toEqual([7]);
    // Only the value it grew from: r4 = i - 10 may have wrapped (i < 10), so i * i < len says nothing of it.
    expect(checked(`
      mov %r0, 0
      ldxb %r3, [%r10-8]
      mov %r4, %r3
      sub %r4, 10            # linked to i, 10 below it modulo 2^64
      mov %r5, %r3
      mul %r5, %r5
      jge %r5, %r2, out
      add %r1, %r4
      ldxb %r0, [%r1]        # pc 8
    out:
      exit`)).toEqual([8]);
  });

  it('leaves no access checked in the checksum, byte copy and sieve benchmarks', () => {
    for (const name of ['checksum', 'byte_copy', 'sieve']) {
      const report = verifyProgram(readFileSync(`bench/programs/${name}.bin`));
      expect(report.checkedAccesses, name).toEqual([]);
      expect(report.memoryAccesses, name).toBeGreaterThan(0);
    }
  });

  it('compiles proven accesses without a check, which runs right at every length, and traps past the end where one was kept', () => {
    const proven = jit(assemble(sumLoop('jlt')));
    const unproven = jit(assemble(sumLoop('jle')));
    for (let len = 0; len <= 40; len++) {
      const input = Uint8Array.from({ length: len }, (_, i) => i + 1);
      expect(proven(input)).toBe(BigInt((len * (len + 1)) / 2));
      if (len > 0) expect(() => unproven(input)).toThrow(RuntimeTrap);
    }
    expect(proven.checkedAccesses).toEqual([]);
    expect(unproven.checkedAccesses).toEqual([5]);
  });
});
