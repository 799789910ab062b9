/**
 * Raw programs' input accesses the verifier proves inside the input (r1 = the input, r2 =
 * its length; src/verify/input-length.ts), which the JIT compiles without a check: the
 * proofs, the checks the JIT emits, and both engines agreeing at the edges they reason about.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { loadProgram } from '../src/engine.js';
import { RuntimeTrap } from '../src/errors.js';
import { HELPER_IDS } from '../src/abi/kernel-ids.js';
import { verifyProgram } from '../src/verify/verify-program.js';
import { memoryAccess } from '../src/decode/insn.js';
import { jit } from '../src/jit/jit.js';
import { Runtime } from '../src/runtime/runtime.js';
import { entryFunction } from './support/analysis.js';
import { entryFunctionWat } from './support/wat.js';

/** The pcs of the entry function's accesses the verifier proves (input accesses: these programs make no other). */
function proven(source: string): number[] {
  const { insns } = entryFunction(source);
  const report = verifyProgram(assemble(source));
  return insns.filter((i) => memoryAccess(i) !== undefined && !report.checkedAccesses.includes(i.pc)).map((i) => i.pc);
}

/** How many range checks (trap paths of `$trap_oob`) the JIT emitted in the entry function. */
function checksEmitted(source: string): number {
  const wat = jit(assemble(source), { optLevel: 0 }).wat();
  const trapOob = /\(import "env" "trap_oob" \(func (\$\S+)/.exec(wat)![1];
  const f0 = entryFunctionWat(wat);
  return f0.split(`(call ${trapOob}\n`).length - 1;
}

describe('raw input proofs (the verifier, relative to the input length)', () => {
  it('use a length check guarding the accesses, and nothing without one', () => {
    const guarded = `
      jlt %r2, 14, short     # pc 0: len >= 14 below
      ldxh %r0, [%r1+12]     # pc 1: bytes 12..13: proven
      ldxb %r3, [%r1+13]     # pc 2: proven
      ldxb %r3, [%r1+14]     # pc 3: byte 14 may be past the end: checked
      exit
    short:
      ldxb %r0, [%r1]        # pc 5: len < 14 here, maybe 0: checked
      exit`;
    expect(proven(guarded)).toEqual([1, 2]);
    expect(proven('ldxb %r0, [%r1]\nexit')).toEqual([]);
    // The JIT emits the proven accesses without a check: two trap paths for four loads. With
    // `len >= 1` only the load at pc 1 is checked, and passing it proves pc 2's byte 13.
    expect(checksEmitted(guarded)).toBe(2);
    expect(checksEmitted(guarded.replace('jlt %r2, 14, short', 'jlt %r2, 1, short'))).toBe(3);
  });

  it('learn from checked accesses, follow pointer arithmetic, and read both operand orders', () => {
    expect(proven(`
      ldxb %r0, [%r1+20]     # pc 0: checked; passing it means len >= 21
      ldxb %r3, [%r1+5]      # pc 1: proven
      mov %r4, %r1
      add %r4, 16
      ldxw %r3, [%r4+1]      # pc 4: bytes 17..20: proven
      ldxw %r3, [%r4+2]      # pc 5: bytes 18..21: checked
      exit`)).toEqual([1, 4]);
    expect(proven(`
      mov %r3, 8
      jge %r3, %r2, +1       # 8 >= len jumps: the fallthrough has len >= 9
      ldxdw %r0, [%r1+1]     # pc 2: bytes 1..8: proven
      exit`)).toEqual([2]);
  });

  it('forget what calls clobber, what 32-bit ops write, and what paths disagree on', () => {
    expect(proven(`
      jlt %r2, 8, +3
      call 7                 # clobbers r1-r5
      ldxb %r0, [%r1]        # pc 2: checked
      exit
      exit`)).toEqual([]);
    expect(proven(`
      jlt32 %r2, 8, +2       # r2 is a u32 at entry: its low half is all of it
      ldxb %r0, [%r1]
      exit
      exit`)).toEqual([1]);
    expect(proven(`
      jsgt %r2, 8, +2        # nor does a signed one
      ldxb %r0, [%r1]
      exit
      exit`)).toEqual([]);
    expect(proven(`
      jlt %r2, 8, out
      jeq %r0, 0, join       # len >= 8 on both paths into join...
      add %r1, 4             # ...and r1 differs: each path is proven on its own
    join:
      ldxb %r0, [%r1]        # pc 3: proven
      ldxb %r0, [%r6]        # pc 4: r6 is no pointer: checked
    out:
      exit`)).toEqual([3]);
    expect(proven(`
      jlt %r2, 8, out
      jeq %r0, 0, join
      add %r1, 7             # the byte at 8 may be past the end
    join:
      ldxh %r0, [%r1]        # pc 3: checked
    out:
      exit`)).toEqual([]);
  });

  it('reach a fixpoint over loops: a pointer moving in a loop is not proven', () => {
    expect(proven(`
      jlt %r2, 64, out
      mov %r3, 0
    loop:
      ldxb %r0, [%r1+63]     # pc 2: proven (r1 is the same on every iteration)
      mov %r4, %r1
      add %r4, %r3
      ldxb %r0, [%r4]        # pc 5: checked (r4 moves)
      add %r3, 1
      jlt %r3, 100, loop
    out:
      exit`)).toEqual([2]);
  });

  it('walk a loop that known numbers bound exactly, each inner loop counted from its entry', () => {
    // Sums the suffixes at 4 * rep of both halves, for rep < 16 (string_compare's shape).
    // Each outer round knows rep, so mem + start is a pointer at a known offset and the
    // inner bound is half - start: both accesses end below the length. Widened after a few
    // rounds (or an inner loop widened against the outer loop's last round), rep and start
    // would be ranges with no tie to the inner bound, and both accesses would stay checked.
    const suffixes = (rounds: number) => `
      mov %r0, 0
      rsh %r2, 1             # half
      mov %r4, 0             # rep
    outer:
      mov %r6, %r4
      lsh %r6, 2             # start = 4 * rep
      jge %r6, %r2, done
      mov %r5, %r2
      sub %r5, %r6           # half - start
      mov %r7, %r1
      add %r7, %r6           # mem + start
      mov %r3, 0
    inner:
      jge %r3, %r5, next
      mov %r8, %r7
      add %r8, %r3
      ldxb %r9, [%r8]        # pc 14: mem[start + i]
      add %r0, %r9
      add %r8, %r2
      ldxb %r9, [%r8]        # pc 17: mem[half + start + i]
      add %r0, %r9
      add %r3, 1
      ja inner
    next:
      add %r4, 1
      jne %r4, ${rounds}, outer
    done:
      exit`;
    expect(proven(suffixes(16))).toEqual([14, 17]);
    // Past EXACT_ROUNDS known rounds the loop widens like any other: the proofs go, the checks stay.
    expect(proven(suffixes(1000))).toEqual([]);
    const program = loadProgram(assemble(suffixes(16)), { engine: 'jit' });
    const interp = loadProgram(assemble(suffixes(16)), { engine: 'interp' });
    for (const length of [0, 1, 7, 8, 9, 64, 65, 200]) {
      const input = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);
      expect(program(input)).toBe(interp(input));
    }
  });

  it('take an added negative constant off a bound, as a subtraction (clang writes i-- and len - 10 so)', () => {
    const countdown = `
      mov %r0, 0
      mov %r3, %r2           # i = len
    loop:
      jeq %r3, 0, out
      add %r3, -1            # i--: at least 1 before, so at most len - 1 after
      mov %r4, %r1
      add %r4, %r3
      ldxb %r5, [%r4]        # pc 6: mem[i]
      add %r0, %r5
      ja loop
    out:
      exit`;
    const tail = `
      mov %r0, 0
      jlt %r2, 10, out
      mov %r5, %r2
      add %r5, -10           # len - 10 (len >= 10 here)
      mov %r3, 0
    loop:
      jge %r3, %r5, out
      mov %r4, %r1
      add %r4, %r3
      ldxb %r6, [%r4+9]      # pc 8: mem[i + 9] with i < len - 10
      add %r0, %r6
      add %r3, 1
      ja loop
    out:
      exit`;
    expect(proven(countdown)).toEqual([6]);
    expect(proven(tail)).toEqual([8]);
    // Without the facts that keep the subtraction from wrapping, nothing is proven.
    expect(proven(countdown.replace('jeq %r3, 0, out', 'jeq %r3, 5, out'))).toEqual([]);
    expect(proven(tail.replace('jlt %r2, 10, out', 'jlt %r2, 9, out'))).toEqual([]);
    for (const source of [countdown, tail]) {
      const program = loadProgram(assemble(source), { engine: 'jit' });
      const interp = loadProgram(assemble(source), { engine: 'interp' });
      for (const length of [0, 1, 9, 10, 11, 12, 40]) {
        const input = Uint8Array.from({ length }, (_, i) => (i * 29 + 3) & 0xff);
        expect(program(input)).toBe(interp(input));
      }
    }
  });

  it('prove indices compared with the length, and keep what paths agree on', () => {
    expect(proven(`
      mov %r3, 0
    loop:
      jge %r3, %r2, out      # the fallthrough has r3 < len
      mov %r4, %r1
      add %r4, %r3
      ldxb %r0, [%r4]        # pc 4: proven
      ldxb %r0, [%r4+1]      # pc 5: one past: checked
      add %r3, 1
      ja loop
    out:
      exit`)).toEqual([4]);
  });

  it("learn len >= 1 from len != 0, the guard of clang's rotated loops, and nothing from len != 5", () => {
    const rotated = (guard: string) => `
      mov %r0, 0
      ${guard}
      mov %r3, 0
    loop:
      mov %r4, %r1
      add %r4, %r3
      ldxb %r5, [%r4]        # pc 5: r3 = 0 < len on the first trip, r3 < len after
      add %r0, %r5
      add %r3, 1
      jlt %r3, %r2, loop
    out:
      exit`;
    expect(proven(rotated('jeq %r2, 0, out'))).toEqual([5]);
    expect(proven(rotated('jne %r2, 0, +1\nja out'))).toEqual([6]); // one instruction more
    expect(proven(rotated('jeq %r2, 5, out'))).toEqual([]);
    expect(proven(rotated('jne %r2, 0, out'))).toEqual([]);
  });

  it('carry a bound through len >> c and through a compare with another index', () => {
    const copyLoop = (guard: string) => `
      ${guard}
      mov %r3, %r2
      rsh %r3, 1             # r3 <= len / 2
      mov %r5, 0
    loop:
      mov %r6, %r1
      add %r6, %r5
      ldxb %r0, [%r6]        # pc 6: r5 < r3 <= len / 2 (from the second trip; the first needs len >= 1)
      ldxh %r0, [%r6]        # pc 7: r5 + 2 <= len / 2 + 1 <= len once len >= 2 (with r3 = len: checked)
      add %r5, 1
      jlt %r5, %r3, loop
    out:
      exit`;
    expect(proven(copyLoop('jlt %r2, 2, out'))).toEqual([6, 7]);
    expect(proven(copyLoop('jlt %r2, 2, out').replace('rsh %r3, 1 ', 'add %r3, 0 '))).toEqual([6]);
    expect(proven(copyLoop('ja +0'))).toEqual([]);
  });

  it('keep both engines in agreement at the edges the proofs reason about', () => {
    const outcome = (source: string, mem: number[]) => (['interp', 'jit'] as const).map((engine) => {
      try {
        return String(loadProgram(assemble(source), { engine })(Uint8Array.from(mem)));
      } catch (e) {
        return `${(e as RuntimeTrap).code} at ${(e as RuntimeTrap).pc}`;
      }
    });
    // An index below the length, stepped down: 0 - 1 wraps, and the access must trap.
    const wrap = `
      mov %r3, 0
      and %r3, 0xffff        # 0, but not a constant to the JIT
      jge %r3, %r2, out
      add %r3, -1
      mov %r4, %r1
      add %r4, %r3
      ldxb %r0, [%r4]
    out:
      exit`;
    expect(outcome(wrap, [1, 2])).toEqual(['OUT_OF_BOUNDS at 6', 'OUT_OF_BOUNDS at 6']);
    // Two paths give the index 2 or 3 with len >= 4: only a one-byte access at index is safe.
    const join = `
      jlt %r2, 4, out
      mov %r3, 2
      ldxb %r5, [%r1]
      jeq %r5, 0, join
      mov %r3, 3
    join:
      mov %r4, %r1
      add %r4, %r3
      ldxh %r0, [%r4]
    out:
      exit`;
    expect(outcome(join, [0, 0, 7, 0])).toEqual(['7', '7']);
    // An index below len (through a shifted copy) at len - 1: a two-byte access passes the end.
    const shifted = `
      mov %r3, %r2
      rsh %r3, 0
      mov %r5, 3
      and %r5, 0xffff
      jge %r5, %r3, out
      mov %r4, %r1
      add %r4, %r5
      ldxh %r0, [%r4]
    out:
      exit`;
    expect(outcome(shifted, [1, 2, 3, 4])).toEqual(['OUT_OF_BOUNDS at 7', 'OUT_OF_BOUNDS at 7']);
    expect(outcome(shifted, [1, 2, 3, 4, 5])).toEqual([String(4 + 5 * 256), String(4 + 5 * 256)]);
    // len itself, shifted by 0, as a pointer offset: one past the end.
    const atLen = `
      mov %r3, %r2
      rsh %r3, 0
      mov %r4, %r1
      add %r4, %r3
      ldxb %r0, [%r4]
      exit`;
    expect(outcome(atLen, [1, 2])).toEqual(['OUT_OF_BOUNDS at 4', 'OUT_OF_BOUNDS at 4']);
    expect(outcome(join, [1, 0, 0, 0])).toEqual(['OUT_OF_BOUNDS at 7', 'OUT_OF_BOUNDS at 7']);
  });

  it('keep both engines in agreement at the bound, in and out of range', () => {
    const source = `
      jlt %r2, 14, short
      ldxh %r0, [%r1+12]
      stb [%r1+13], 7
      exit
    short:
      ldxb %r0, [%r1+13]
      exit`;
    for (const length of [12, 13, 14, 15]) {
      const outcomes = (['interp', 'jit'] as const).map((engine) => {
        const mem = Uint8Array.from({ length }, (_, i) => i);
        try {
          return [String(loadProgram(assemble(source), { engine })(mem)), [...mem]];
        } catch (e) {
          return [(e as RuntimeTrap).code, (e as RuntimeTrap).pc];
        }
      });
      expect(outcomes[1], `length ${length}`).toEqual(outcomes[0]);
    }
  });
});

describe('bpf_tail_call ctx', () => {
  it('must be the context the run started with (the JIT relies on r1 at entry)', () => {
    const runtime = new Runtime();
    const jumps = runtime.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 1 });
    const target = jit(assemble('ldxb %r0, [%r1]\nexit'), { runtime });
    jumps.set(0, target);
    const call = (ctx: string) => jit(assemble(`
      ${ctx}
      lddw %r2, map_fd(${jumps.fd})
      mov %r3, 0
      call ${HELPER_IDS.tail_call}
      exit`), { runtime });
    expect(call('')(Uint8Array.of(42))).toBe(42n);
    expect(() => call('add %r1, 1')(Uint8Array.of(42, 43))).toThrow(RuntimeTrap);
    expect(() => call('mov %r1, %r10')(Uint8Array.of(42))).toThrow(/ctx .* is not the context/);
  });
});
