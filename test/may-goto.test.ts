import { describe, expect, it } from 'vitest';
import { assemble, DecodeError, decode, interpreter, jit, MAY_GOTO_LOOPS, VerifierError } from '../src/index.js';

/**
 * may_goto +off (BPF_JMP | BPF_JCOND, Linux 6.9): falls through while the run's loop
 * allowance lasts (MAY_GOTO_LOOPS, the kernel's BPF_MAX_LOOPS), then jumps. It lets the
 * verifier accept a loop it cannot prove finite: the kernel corpus's may_goto programs
 * (test/fixtures/verifier/insn/may_goto_*.hex) are accepted as the kernel accepts them.
 */

const ENGINES = { jit, interpreter } as const;

/** Counts how often may_goto falls through before it jumps out. */
const COUNT_ALLOWANCE = `
  mov %r0, 0
loop:
  may_goto +2
  add %r0, 1
  ja loop
  exit`;

describe('may_goto', () => {
  for (const [name, engine] of Object.entries(ENGINES)) {
    it(`falls through MAY_GOTO_LOOPS times a run, then jumps, ${name}`, () => {
      const prog = engine(assemble(COUNT_ALLOWANCE), { programType: 'xdp' });
      const frame = new Uint8Array(64);
      expect(prog.run(frame).r0).toBe(BigInt(MAY_GOTO_LOOPS));
      expect(prog.run(frame).r0).toBe(BigInt(MAY_GOTO_LOOPS)); // a new allowance each run
    });

    it(`leaves a loop that ends by itself alone, ${name}`, () => {
      const prog = engine(assemble(`
        mov %r0, 0
      loop:
        may_goto +3
        add %r0, 1
        jge %r0, 10, +1
        ja loop
        exit`), { programType: 'xdp' });
      expect(prog.run(new Uint8Array(64)).r0).toBe(10n);
    });
  }

  it('is what lets the verifier accept a loop it cannot prove finite', () => {
    const unbounded = 'ldxw %r2, [%r1+16]\nmov %r0, 0\nloop:\nadd %r0, 1\njgt %r0, %r2, +1\nja loop\nmov %r0, 2\nexit';
    expect(() => jit(assemble(unbounded), { programType: 'xdp' })).toThrow(/too large|too complex/); // rx_queue_index: any u32
    expect(() => jit(assemble(unbounded), { programType: 'xdp' })).toThrow(VerifierError);
    const guarded = unbounded.replace('loop:\n', 'loop:\nmay_goto +3\n');
    expect(jit(assemble(guarded), { programType: 'xdp' }).run(new Uint8Array(64)).r0).toBe(2n);
  });

  it('takes no register and no immediate', () => {
    expect(() => decode(Uint8Array.from(Buffer.from('e500000001000000', 'hex')))).toThrow(DecodeError);
    expect(() => decode(Uint8Array.from(Buffer.from('e510000000000000', 'hex')))).toThrow(DecodeError);
  });
});
