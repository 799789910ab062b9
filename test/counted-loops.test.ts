import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { RuntimeTrap } from '../src/errors.js';
import { countedLoops, type CountedLoop } from '../src/analysis/counted-loops.js';
import { dominators } from '../src/analysis/dominators.js';
import { innermostLoops } from '../src/analysis/natural-loops.js';
import { interpreter } from '../src/interp/interpreter.js';
import { jit } from '../src/jit/jit.js';
import { Runtime } from '../src/runtime/runtime.js';
import { entryFunction } from './support/analysis.js';

const layout = new Runtime().layout;

function plans(source: string, callsBack = false): CountedLoop[] {
  const { insns, fn } = entryFunction(source);
  return countedLoops(fn, insns, dominators(fn), { proven: new Set(), regionGuess: new Map(), callsBack: () => callsBack });
}

type Outcome = { r0?: string; trap?: { code: string; pc?: number; address?: bigint }; memory: number[] };

/** Run `source` over `mem` in both engines: both outcomes, and how often the JIT ran a loop's fast copy. */
function both(source: string, mem: number[], budget?: number): { outcomes: Outcome[]; fast: number } {
  const programs = { interp: interpreter(assemble(source), { budget }), jit: jit(assemble(source), { budget }) };
  const outcomes = (['interp', 'jit'] as const).map((engine): Outcome => {
    const bytes = Uint8Array.from(mem);
    try {
      const r0 = programs[engine](bytes);
      return { r0: String(r0), memory: [...bytes] };
    } catch (e) {
      if (!(e instanceof RuntimeTrap)) throw e;
      return { trap: { code: e.code, pc: e.code === 'BUDGET_EXHAUSTED' ? undefined : e.pc, address: e.address }, memory: e.code === 'BUDGET_EXHAUSTED' ? [] : [...bytes] };
    }
  });
  return { outcomes, fast: programs.jit.fastLoopEntries() };
}

/**
 * The outcome both engines agree on (fails if they differ), with `fast`: how many times
 * the JIT's run entered a counted loop's fast copy (its guard passed), 0 if it ran the
 * original loop only.
 */
function agreed(source: string, mem: number[], budget?: number): Outcome & { fast: number } {
  const { outcomes: [interp, jitted], fast } = both(source, mem, budget);
  expect(jitted).toEqual(interp);
  return { ...interp, fast };
}

const bytes = (n: number) => Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
const sum = (xs: number[]) => String(xs.reduce((a, b) => a + b, 0));
/** The sum, modulo 2^64, of the little-endian u64 words of `xs` (whole words only). */
const sumWords = (xs: number[]): bigint => {
  const view = new DataView(Uint8Array.from(xs).buffer);
  let total = 0n;
  for (let at = 0; at + 8 <= xs.length; at += 8) total += view.getBigUint64(at, true);
  return BigInt.asUintN(64, total);
};

/** sum of mem[0..len), clang's rotated shape: test at the bottom, index copied. */
const SUM_BYTES = `
  mov %r0, 0
  jeq %r2, 0, done
  mov %r3, 0
loop:
  mov %r4, %r1
  add %r4, %r3
  ldxb %r5, [%r4+0]
  add %r0, %r5
  add %r3, 1
  jlt %r3, %r2, loop
done:
  exit`;

describe('counted loops: the analysis', () => {
  it('finds the induction variable, the exit test and the affine accesses', () => {
    const [plan] = plans(SUM_BYTES);
    expect(plan.exit.op).toBe('lt');
    expect(plan.exit.x.step.c).toBe(1n);
    expect(plan.accesses.map((a) => a.pc)).toEqual([5]);
    expect(plan.accesses[0].address.step.c).toBe(1n);
    expect(plan.accesses[0].afterExitTest).toBe(false);
    expect(plan.equalities).toEqual([]);
    expect(plan.fuelFree).toBe(true);
    expect(plan.charge).toBe(6);
  });

  it('checks the entry values a copied index relies on, and only those', () => {
    // checksum.c's loop: r4 = r3 after the step; the accesses go through r4, r6 is scratch.
    const [plan] = plans(`
      mov %r3, 0
      mov %r4, 0
    loop:
      mov %r0, %r1
      add %r0, %r4
      ldxb %r6, [%r0+1]
      ldxb %r0, [%r0+0]
      add %r3, 2
      mov %r6, %r4
      add %r6, 3
      mov %r4, %r3
      jgt %r2, %r6, loop
      exit`);
    expect(plan.exit.op).toBe('lt'); // len > r6 read as r6 < len
    expect(plan.accesses).toHaveLength(2);
    // P[r4] - P[r3] - 2 + 2 = 0: r4 starts equal to r3.
    expect(plan.equalities).toHaveLength(1);
    expect([...plan.equalities[0].terms]).toEqual([[3, -1n], [4, 1n]]);
  });

  it('runs accesses after a top exit test in iterations 0..T-1 only', () => {
    const [plan] = plans(`
      mov %r3, 0
    head:
      jge %r3, %r2, done
      mov %r4, %r1
      add %r4, %r3
      ldxb %r0, [%r4+0]
      add %r3, 1
      ja head
    done:
      exit`);
    expect(plan.accesses.map((a) => a.afterExitTest)).toEqual([true]);
  });

  it('leaves alone loops it cannot bound, outer loops, and loops with calls into eBPF', () => {
    const nested = `
      mov %r3, 0
    outer:
      mov %r4, 0
    inner:
      add %r4, 1
      jlt %r4, 10, inner
      add %r3, 1
      jlt %r3, 10, outer
      exit`;
    const { fn } = entryFunction(nested);
    expect(innermostLoops(fn, dominators(fn)).map((l) => l.header)).toHaveLength(1);
    expect(plans(nested).map((p) => p.loop.blocks.length)).toEqual([1]);
    // The index comes from memory, goes the wrong way, or is tested with a 32-bit compare.
    expect(plans('mov %r3, 0\nloop: ldxdw %r3, [%r10-8]\nadd %r3, 1\njlt %r3, %r2, loop\nexit')).toEqual([]);
    expect(plans('mov %r3, 0\nloop: add %r3, 1\njgt %r3, %r2, loop\nexit')).toEqual([]);
    expect(plans('mov %r3, 0\nloop: add %r3, 1\njlt32 %r3, %r2, loop\nexit')).toEqual([]);
    expect(plans('mov %r3, 0\nloop: add %r3, 2\njne %r3, %r2, loop\nexit')).toEqual([]);
    const calling = 'mov %r6, 0\nloop: call 1\nadd %r6, 1\njlt %r6, 100, loop\nexit';
    expect(plans(calling)[0].fuelFree).toBe(true);
    expect(plans(calling, true)).toEqual([]); // no access to free and fuel to charge: not worth a copy
  });
});

describe('counted loops: behaviour in both engines', () => {
  it('agree on every input length, the empty one included', () => {
    for (let n = 0; n <= 20; n++) {
      const out = agreed(SUM_BYTES, bytes(n));
      expect(out.r0).toBe(sum(bytes(n)));
      expect(out.fast, 'the fast copy ran (len 0 skips the loop)').toBe(n > 0 ? 1 : 0);
    }
  });

  it('trap at the exact access when the loop runs one past the end', () => {
    const offByOne = SUM_BYTES.replace('jlt %r3, %r2, loop', 'jle %r3, %r2, loop');
    const out = agreed(offByOne, bytes(10));
    expect(out.trap).toEqual({ code: 'OUT_OF_BOUNDS', pc: 5, address: BigInt(layout.inputBase + 10) });
    expect(out.fast, 'the guard saw the last access past the input').toBe(0);
  });

  it('count down, step by a register, and step by 8', () => {
    const down = `
      mov %r0, 0
      mov %r3, %r2
    loop:
      sub %r3, 1
      mov %r4, %r1
      add %r4, %r3
      ldxb %r5, [%r4+0]
      add %r0, %r5
      jne %r3, 0, loop
      exit`;
    expect(agreed(down, bytes(9))).toMatchObject({ r0: sum(bytes(9)), fast: 1 });
    // len = 0: r3 wraps to 2^64 - 1, the access is 1 byte before the input.
    expect(agreed(down, [])).toMatchObject({ trap: { code: 'OUT_OF_BOUNDS' }, fast: 0 });
    const byRegister = (step: number) => `
      mov %r0, 0
      mov %r3, 0
      mov %r6, ${step}
    loop:
      mov %r4, %r1
      add %r4, %r3
      ldxb %r5, [%r4+0]
      add %r0, %r5
      add %r3, %r6
      jlt %r3, %r2, loop
      exit`;
    expect(agreed(byRegister(3), bytes(20))).toMatchObject({ r0: sum(bytes(20).filter((_, i) => i % 3 === 0)), fast: 1 });
    // A step of 0 never ends: the guard refuses it and the original loop runs out of budget.
    expect(agreed(byRegister(0), bytes(20), 10_000)).toMatchObject({ trap: { code: 'BUDGET_EXHAUSTED' }, fast: 0 });
    const words = `
      mov %r0, 0
      mov %r3, %r1
      mov %r6, %r1
      add %r6, %r2
    loop:
      ldxdw %r5, [%r3+0]
      add %r0, %r5
      add %r3, 8
      jlt %r3, %r6, loop
      exit`;
    expect(agreed(words, bytes(64))).toMatchObject({ r0: String(sumWords(bytes(64))), fast: 1 });
    expect(agreed(words, bytes(60))).toMatchObject({ trap: { code: 'OUT_OF_BOUNDS', pc: 4, address: BigInt(layout.inputBase + 56) }, fast: 0 });
  });

  it('check a copied index really starts equal to the one stepped', () => {
    // r4 is r3 from the second iteration on, but starts at 100: the first access is far out.
    const source = (r4: number) => `
      mov %r0, 0
      mov %r3, 0
      mov %r4, ${r4}
    loop:
      mov %r5, %r1
      add %r5, %r4
      ldxb %r5, [%r5+0]
      add %r0, %r5
      add %r3, 1
      mov %r4, %r3
      jlt %r3, %r2, loop
      exit`;
    expect(agreed(source(0), bytes(16))).toMatchObject({ r0: sum(bytes(16)), fast: 1 });
    // The guard checks the entry equality r4 = r3 and refuses.
    expect(agreed(source(100), bytes(16))).toMatchObject({ trap: { code: 'OUT_OF_BOUNDS', pc: 5, address: BigInt(layout.inputBase + 100) }, fast: 0 });
    // r4 = r3 + 7 from the second iteration on, so it should start at 7; it starts at 0,
    // which is in bounds, and the loop ends up reading past the input.
    const ahead = (r4: number) => `
      mov %r0, 0
      mov %r3, 0
      mov %r4, ${r4}
    loop:
      mov %r5, %r1
      add %r5, %r4
      ldxb %r5, [%r5+0]
      add %r0, %r5
      add %r3, 1
      mov %r4, %r3
      add %r4, 7
      jlt %r3, %r2, loop
      exit`;
    expect(agreed(ahead(0), bytes(16)).trap).toEqual({ code: 'OUT_OF_BOUNDS', pc: 5, address: BigInt(layout.inputBase + 16) });
    expect(agreed(ahead(7), bytes(16)).trap).toEqual({ code: 'OUT_OF_BOUNDS', pc: 5, address: BigInt(layout.inputBase + 16) });
    expect(agreed(ahead(7).replace('jlt %r3, %r2', 'jlt %r4, %r2'), bytes(16)).r0).toBe(sum(bytes(16).slice(7)));
  });

  it('bound the trips only by a test every iteration passes', () => {
    // With r7 = 0 every iteration goes round through \`skip\`, past the exit test.
    const source = (r7: number) => `
      mov %r0, 0
      mov %r3, 0
      mov %r7, ${r7}
    loop:
      mov %r4, %r1
      add %r4, %r3
      ldxb %r5, [%r4+0]
      add %r0, %r5
      add %r3, 1
      jeq %r7, 0, skip
      jlt %r3, %r2, loop
      exit
    skip:
      ja loop`;
    // The second latch (\`skip\`) bypasses the exit test: no trip bound, no fast copy, whatever r7 is.
    expect(agreed(source(1), bytes(8))).toMatchObject({ r0: sum(bytes(8)), fast: 0 });
    expect(agreed(source(0), bytes(8))).toMatchObject({ trap: { code: 'OUT_OF_BOUNDS', pc: 5, address: BigInt(layout.inputBase + 8) }, fast: 0 });
  });

  it('take no step so large that steps times trips wraps around', () => {
    // The pointer moves 2^39 per iteration; at the last one, 2^25, it would be back where
    // it started (mod 2^64), but the second access is already far outside. The step is
    // a constant the analysis sees, or a value from memory the guard has to check.
    const source = (before: string, inside: string) => `
      mov %r0, 0
      mov %r3, 0
      mov %r4, %r1
      ${before}
      lddw %r7, 0x2000001
    loop:
      ldxb %r5, [%r4+0]
      add %r0, %r5
      ${inside}
      add %r4, %r6
      add %r3, 1
      jlt %r3, %r7, loop
      exit`;
    const constant = source('', 'lddw %r6, 0x8000000000');
    const loaded = source('lddw %r6, 0x8000000000\nstxdw [%r10-8], %r6\nldxdw %r6, [%r10-8]', '');
    expect(agreed(constant, bytes(8), 2 ** 30).trap).toEqual({ code: 'OUT_OF_BOUNDS', pc: 5, address: BigInt(layout.inputBase) + (1n << 39n) });
    expect(agreed(loaded, bytes(8), 2 ** 30).trap).toEqual({ code: 'OUT_OF_BOUNDS', pc: 9, address: BigInt(layout.inputBase) + (1n << 39n) });
  });

  it('keep apart what paths through the body and different indices give', () => {
    // r3 - r4 grows by one per iteration: no invariant offset.
    const difference = `
      mov %r0, 0
      mov %r3, 0
      mov %r4, 0
    loop:
      mov %r5, %r3
      sub %r5, %r4
      add %r5, %r1
      ldxb %r6, [%r5+0]
      add %r0, %r6
      add %r3, 2
      add %r4, 1
      jlt %r4, 16, loop
      exit`;
    expect(agreed(difference, bytes(16)).r0).toBe(sum(bytes(16)));
    expect(agreed(difference, bytes(8)).trap).toEqual({ code: 'OUT_OF_BOUNDS', pc: 6, address: BigInt(layout.inputBase + 8) });
    // At i = 5 the access goes through the other path, far past the input.
    const paths = `
      mov %r0, 0
      mov %r3, 0
    loop:
      mov %r5, %r1
      add %r5, %r3
      jeq %r3, 5, far
      ja join
    far:
      mov %r5, %r1
      add %r5, 100
    join:
      ldxb %r6, [%r5+0]
      add %r0, %r6
      add %r3, 1
      jlt %r3, %r2, loop
      exit`;
    expect(agreed(paths, bytes(5)).r0).toBe(sum(bytes(5)));
    expect(agreed(paths, bytes(8)).trap).toEqual({ code: 'OUT_OF_BOUNDS', pc: 8, address: BigInt(layout.inputBase + 100) });
  });

  it('start below the input, wrap around, or exit at once', () => {
    const from = (start: string) => SUM_BYTES.replace('mov %r3, 0', `lddw %r3, ${start}`);
    expect(agreed(from('-2'), bytes(8)).trap).toEqual({ code: 'OUT_OF_BOUNDS', pc: 6, address: BigInt(layout.inputBase) - 2n });
    expect(agreed(from('0x7fffffffffffffff'), bytes(8)).trap?.code).toBe('OUT_OF_BOUNDS');
    expect(agreed(from('8'), bytes(8)).trap?.code).toBe('OUT_OF_BOUNDS'); // one iteration at index 8
    expect(agreed(from('7'), bytes(8)).r0).toBe(String(bytes(8)[7]));
    // i <= 2^64 - 1 always holds: the loop only ends at the first access past the input.
    const forever = SUM_BYTES.replace('jlt %r3, %r2, loop', 'jle %r3, %r6, loop').replace('mov %r3, 0', 'mov %r3, 0\n  mov %r6, -1');
    expect(agreed(forever, bytes(8)).trap).toEqual({ code: 'OUT_OF_BOUNDS', pc: 6, address: BigInt(layout.inputBase + 8) });
    const signed = SUM_BYTES.replace('jlt %r3, %r2, loop', 'jslt %r3, %r6, loop').replace('mov %r3, 0', 'lddw %r3, 0x7ffffffffffffffe\n  lddw %r6, 0x8000000000000005');
    expect(agreed(signed, bytes(8)).trap?.code).toBe('OUT_OF_BOUNDS');
  });

  it('leave early, return from inside the loop, and loop from the first instruction', () => {
    // strcmp of the input's two halves: stops at the first difference.
    const compare = `
      mov %r6, %r2
      rsh %r6, 1
      mov %r3, 0
    loop:
      mov %r4, %r1
      add %r4, %r3
      ldxb %r7, [%r4+0]
      add %r4, %r6
      ldxb %r8, [%r4+0]
      jne %r7, %r8, differ
      add %r3, 1
      jlt %r3, %r6, loop
      mov %r0, -1
      exit
    differ:
      mov %r0, %r3
      exit`;
    const same = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5];
    expect(agreed(compare, same).r0).toBe(String(2n ** 64n - 1n));
    expect(agreed(compare, [1, 2, 3, 4, 5, 1, 2, 9, 4, 5]).r0).toBe('2');
    const returnInside = compare.replace('jne %r7, %r8, differ', 'jne %r7, %r8, +1\nja +2\nmov %r0, %r3\nexit');
    expect(agreed(returnInside, [1, 2, 3, 4, 5, 1, 2, 9, 4, 5]).r0).toBe('2');
    const firstInsn = `
    loop:
      sub %r2, 1
      mov %r4, %r1
      add %r4, %r2
      stb [%r4+0], 7
      jne %r2, 0, loop
      mov %r0, 0
      exit`;
    expect(agreed(firstInsn, bytes(12)).memory).toEqual(new Array(12).fill(7));
  });

  it('write the stack through an index, inside the stack only', () => {
    const clear = (count: number) => `
      mov %r3, 0
    loop:
      mov %r4, %r10
      sub %r4, ${count * 8}
      mov %r5, %r3
      lsh %r5, 3
      add %r4, %r5
      stdw [%r4+0], -1
      add %r3, 1
      jlt %r3, ${count}, loop
      ldxdw %r0, [%r10-8]
      exit`;
    expect(agreed(clear(64), [])).toMatchObject({ r0: String(2n ** 64n - 1n), fast: 1 });
    // 8 frames of 512 bytes: the 513th word from the top is below the stack.
    expect(agreed(clear(512), [])).toMatchObject({ r0: String(2n ** 64n - 1n), fast: 1 });
    // The fast copy runs (it only saves the budget charges here): the write's address shifts
    // the index (r3 << 3), which the analysis does not follow, so it keeps its check.
    expect(agreed(clear(513), [])).toMatchObject({ trap: { code: 'OUT_OF_BOUNDS', pc: 6, address: BigInt(layout.stackTop - 513 * 8) }, fast: 1 });
  });

  it('charge the budget for the iterations the fast copy ran', () => {
    // Two loops of 1000 iterations of 6 instructions: each fits 10,000, both do not.
    const twice = `
      mov %r0, 0
      mov %r3, 0
    first:
      mov %r4, %r1
      add %r4, %r3
      ldxb %r5, [%r4+0]
      add %r0, %r5
      add %r3, 1
      jlt %r3, %r2, first
      mov %r3, 0
    second:
      mov %r4, %r1
      add %r4, %r3
      ldxb %r5, [%r4+0]
      add %r0, %r5
      add %r3, 1
      jlt %r3, %r2, second
      exit`;
    const input = bytes(1000);
    expect(agreed(twice, input, 20_000)).toMatchObject({ r0: String(2 * Number(sum(input))), fast: 2 });
    // The first loop runs fast; the second's guard sees too little fuel left and runs the original, which runs out.
    expect(agreed(twice, input, 10_000)).toMatchObject({ trap: { code: 'BUDGET_EXHAUSTED' }, fast: 1 });
    // Leaving early charges only what ran: 10 iterations of the first loop, then 1000.
    const early = twice.replace('add %r0, %r5\n      add %r3, 1\n      jlt %r3, %r2, first', 'add %r0, %r5\n      add %r3, 1\n      jeq %r3, 10, +1\n      jlt %r3, %r2, first');
    expect(agreed(early, input, 7_000)).toMatchObject({ r0: String(Number(sum(input.slice(0, 10))) + Number(sum(input))), fast: 2 });
  });
});
