import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { loadProgram } from '../src/engine.js';
import { RuntimeTrap } from '../src/errors.js';
import { findSpeculations } from '../src/analysis/speculation.js';
import { jit } from '../src/jit/jit.js';
import { entryFunction } from './support/analysis.js';
import { entryFunctionWat } from './support/wat.js';

/** The speculated triangles of the entry function: [branching block's first pc, side's first pc, sideWhenTaken]. */
function triangles(source: string): [number, number, boolean][] {
  const { insns, fn } = entryFunction(source);
  return [...findSpeculations(fn, insns)].map(([id, s]) => [fn.blocks[id].startPc, s.side.startPc, s.sideWhenTaken]);
}

/** How many `select`s the JIT emitted in the entry function. */
function selects(source: string): number {
  const wat = jit(assemble(source), { optLevel: 0 }).wat();
  const f0 = entryFunctionWat(wat);
  return f0.split('(select').length - 1;
}

type Outcome = { r0?: bigint; trap?: string };

function run(engine: 'interp' | 'jit', source: string, mem: Uint8Array, budget?: number): Outcome {
  try {
    return { r0: loadProgram(assemble(source), { engine, budget })(mem.slice()) };
  } catch (e) {
    if (!(e instanceof RuntimeTrap)) throw e;
    return { trap: e.code };
  }
}

/** r0 (or the trap) both engines agree on. */
function agreed(source: string, mem: Uint8Array, budget?: number): Outcome {
  const interp = run('interp', source, mem, budget);
  expect(run('jit', source, mem, budget)).toEqual(interp);
  return interp;
}

/**
 * log2_sum.c as clang-14 -O2 -mcpu=v3 compiles it: a rotated loop (the latch above the
 * body, entered by a jump) whose body is eleven triangles on the loaded word; the last
 * one's two edges go back up to the latch.
 */
const LOG2_SUM = `
  mov %r0, 0
  jlt %r2, 8, done
  rsh %r2, 3
  mov %r3, 0
  lddw %r4, 0x100000000
  lddw %r5, 0xffffffff
  mov %r6, 0
  ja body
latch:
  add %r0, %r6
  add %r0, %r7
  add %r1, 8
  add %r3, 1
  mov %r6, %r0
  jlt %r3, %r2, body
done:
  exit
body:
  ldxdw %r9, [%r1+0]
  mov %r8, %r9
  jlt %r9, %r4, l4
  mov %r8, %r9
  rsh %r8, 32
l4:
  mov32 %r7, 1
  mov32 %r0, 1
  jgt %r9, %r5, l6
  mov32 %r0, 0
l6:
  lsh %r0, 5
  jlt %r8, 65536, l8
  or %r0, 16
l8:
  jlt %r8, 65536, l10
  rsh %r8, 16
l10:
  jlt %r8, 256, l12
  or %r0, 8
l12:
  jlt %r8, 256, l14
  rsh %r8, 8
l14:
  jlt %r8, 16, l16
  or %r0, 4
l16:
  jlt %r8, 16, l18
  rsh %r8, 4
l18:
  jlt %r8, 4, l20
  add %r0, 2
l20:
  jlt %r8, 4, l22
  rsh %r8, 2
l22:
  jgt %r8, 1, latch
  mov32 %r7, 0
  ja latch`;

function words(values: bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  values.forEach((v, i) => new DataView(out.buffer).setBigUint64(i * 8, v, true));
  return out;
}

const floorLog2 = (x: bigint) => (x === 0n ? 0n : BigInt(x.toString(2).length - 1));

describe('if-conversion: which triangles', () => {
  it("converts log2_sum's eleven triangles on the loaded word, the last joining on a back edge", () => {
    const found = triangles(LOG2_SUM);
    expect(found.length).toBe(11);
    expect(found.every(([, , taken]) => !taken)).toBe(true);
    // The last: `jgt r8, 1, latch` then `mov32 r7, 0; ja latch`, both edges back up.
    expect(found.at(-1)).toEqual([43, 44, false]);
    // Each in the loop and in its fast copy (the loop is counted, counted-loops.ts).
    expect(selects(LOG2_SUM)).toBeGreaterThanOrEqual(22);
  });

  it('converts an out-of-line side block, placed after the exit, that the branch takes', () => {
    const source = `
      ldxb %r3, [%r1+0]
      mov %r0, 1
      jgt %r3, 9, side
    join:
      add %r0, 10
      exit
    side:
      lsh %r0, 4
      ja join`;
    expect(triangles(source)).toEqual([[0, 5, true]]);
    expect(agreed(source, Uint8Array.of(10))).toEqual({ r0: 26n });
    expect(agreed(source, Uint8Array.of(9))).toEqual({ r0: 11n });
  });

  it('leaves branches on counters and lengths alone (predictable: a branch is cheaper)', () => {
    // sieve.c's first loop: mem[i] = i >= 2.
    expect(triangles(`
      mov %r3, 0
    head:
      mov32 %r4, 1
      jgt %r3, 1, store
      mov32 %r4, 0
    store:
      mov %r5, %r1
      add %r5, %r3
      stxb [%r5+0], %r4
      add %r3, 1
      jlt %r3, %r2, head
      exit`)).toEqual([]);
    expect(triangles('mov %r0, 0\njgt %r2, 10, +1\nadd %r0, 1\nexit')).toEqual([]);
  });

  it('follows data through ALU instructions, calls and joins, and stops at constants', () => {
    const data = (prefix: string) => triangles(`${prefix}\njgt %r4, 10, +1\nadd %r0, 1\nexit`).length;
    expect(data('ldxb %r3, [%r1+0]\nmov %r4, %r3')).toBe(1);
    expect(data('ldxb %r3, [%r1+0]\nmov %r4, 5\nadd %r4, %r3')).toBe(1);
    expect(data('ldxb %r4, [%r1+0]\nmov %r4, 5')).toBe(0);
    expect(data('ldxb %r4, [%r1+0]\nlddw %r4, 7')).toBe(0);
    expect(data('call 1\nmov %r4, %r0')).toBe(1);
    // Loaded on one path only: at the join it may be data.
    expect(data('mov %r4, 0\njeq %r2, 0, +1\nldxb %r4, [%r1+0]')).toBe(1);
    // Loaded later in a loop: data at the branch from the second iteration on.
    expect(triangles(`
      mov %r4, 0
      mov %r3, 0
    head:
      jgt %r4, 10, join
      add %r0, 1
    join:
      ldxb %r4, [%r1+0]
      add %r3, 1
      jlt %r3, 4, head
      exit`)).toHaveLength(1);
  });

  it('speculates only small, pure, cheap side blocks with one way in', () => {
    const side = (body: string) => triangles(`ldxb %r3, [%r1+0]\nmov %r0, 1\njgt %r3, 9, join\n${body}\njoin:\nexit`).length;
    expect(side('add %r0, 1\nlsh %r0, 2\nbe16 %r0')).toBe(1);
    expect(side('lddw %r0, 0x123456789')).toBe(1);
    expect(side('add %r0, 1\nadd %r0, 1\nadd %r0, 1\nadd %r0, 1')).toBe(0);
    expect(side('div %r0, %r3')).toBe(0);
    expect(side('mod32 %r0, 3')).toBe(0);
    expect(side('ldxb %r0, [%r1+1]')).toBe(0);
    expect(side('stxb [%r10-1], %r0')).toBe(0);
    expect(side('call 1')).toBe(0);
    // The side block comes before the branch (jumping to it was a back edge, charged).
    expect(triangles(`
      ldxb %r3, [%r1+0]
      mov %r0, 1
      ja check
    side:
      add %r0, 1
      ja join
    check:
      jgt %r3, 9, side
    join:
      exit`)).toEqual([]);
    // The side block is also the target of another jump.
    expect(triangles(`
      ldxb %r3, [%r1+0]
      mov %r0, 1
      jeq %r2, 7, side
      jgt %r3, 9, join
    side:
      add %r0, 1
    join:
      exit`)).toEqual([]);
  });
});

describe('if-conversion: the selects compute what the branches did', () => {
  it('log2_sum over every bit length, and over zeros and all-ones', () => {
    const values: bigint[] = [0n, 1n, 2n, 3n, (1n << 64n) - 1n];
    for (let bits = 1n; bits <= 64n; bits++) values.push(1n << (bits - 1n), (1n << bits) - 1n, (1n << (bits - 1n)) | 1n);
    const expected = values.reduce((s, v) => s + floorLog2(v), 0n);
    expect(agreed(LOG2_SUM, words(values))).toEqual({ r0: expected });
    for (const v of values) expect(agreed(LOG2_SUM, words([v]))).toEqual({ r0: floorLog2(v) });
  });

  it('keeps the values of the registers the side block writes when it is skipped, and reads its own writes', () => {
    // The side block rewrites the register the branch compared and reads it back.
    const source = `
      ldxb %r3, [%r1+0]
      mov %r4, 100
      mov %r5, 3
      jlt %r3, 7, join
      add %r3, %r5
      mov %r4, %r3
      lsh32 %r4, 1
    join:
      mov %r0, %r3
      lsh %r0, 16
      or %r0, %r4
      exit`;
    expect(triangles(source)).toHaveLength(1);
    for (const x of [0, 6, 7, 8, 255]) {
      const skipped = x < 7;
      const r3 = skipped ? x : x + 3;
      const r4 = skipped ? 100 : (x + 3) * 2;
      expect(agreed(source, Uint8Array.of(x))).toEqual({ r0: BigInt(r3 * 65536 + r4) });
    }
  });

  it('zero-extends 32-bit results and handles 32-bit compares and jset', () => {
    const source = `
      ldxdw %r3, [%r1+0]
      mov %r0, -1
      jset32 %r3, 0x80, join
      add32 %r0, 2
      xor %r0, %r3
    join:
      exit`;
    for (const x of [0n, 0x80n, 0x7fn, 0xffff_ffff_0000_0000n, 0xffff_ffff_ffff_ff7fn]) {
      const skipped = (x & 0x80n) !== 0n;
      expect(agreed(source, words([x]))).toEqual({ r0: skipped ? (1n << 64n) - 1n : 1n ^ x });
    }
  });

  it('charges the budget on a back edge from the side block as the branch path did: never less than the interpreter counts', () => {
    // A loop not counted (its exit test is 32-bit), rotated; the side block runs on every
    // iteration and jumps back to the latch. 7 instructions an iteration, 8 charged.
    const source = `
      mov %r0, 0
      mov %r3, 0
      ldxb %r6, [%r1+0]
      ldxb %r7, [%r1+1]
      ja body
    latch:
      add %r3, 1
      jlt32 %r3, %r7, body
      ja done
    body:
      add %r0, 1
      jeq %r6, 0, latch
      add %r0, 2
      add %r0, 3
      ja latch
    done:
      exit`;
    expect(triangles(source)).toHaveLength(1);
    const mem = Uint8Array.of(1, 200);
    expect(agreed(source, mem)).toEqual({ r0: 1200n });
    // 5 + 200 * 7 + 2 run; with a budget below that both engines must stop.
    expect(agreed(source, mem, 1300)).toEqual({ trap: 'BUDGET_EXHAUSTED' });
    expect(agreed(source, mem, 200 * 8 + 20)).toEqual({ r0: 1200n });
  });
});
