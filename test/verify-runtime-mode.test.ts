import { describe, expect, it } from 'vitest';
import { assemble, interpreter, jit, verifyProgram, Runtime } from '../src/index.js';
import { trapOf } from './support/errors.js';

/**
 * Verify mode `runtime`: the checked mode without the proof search. Nothing is proven,
 * so every access but r10's keeps its run-time check, and a program runs as in checked
 * mode: the same results, the same traps.
 */

// A stack slot written and read through a copy of r10, which the checked verifier proves.
const THROUGH_COPY = 'mov %r2, %r10\nadd %r2, -8\nstdw [%r2+0], 7\nldxdw %r0, [%r2+0]\nexit';
// The same copy moved above the frame: no object there.
const ABOVE_FRAME = 'mov %r2, %r10\nadd %r2, 8\nldxdw %r0, [%r2+0]\nexit';

describe("verify mode 'runtime'", () => {
  it('proves nothing: the accesses the checked verifier proves keep their checks', () => {
    const runtime = new Runtime();
    const checked = verifyProgram(assemble(THROUGH_COPY), { runtime, verify: 'checked' });
    const unproven = verifyProgram(assemble(THROUGH_COPY), { runtime, verify: 'runtime' });
    expect(checked.checkedAccesses).toEqual([]);
    expect(unproven.checkedAccesses).toEqual([2, 3]);
    expect(jit(assemble(THROUGH_COPY), { verify: 'checked' }).checkedAccesses).toEqual([]);
    expect(jit(assemble(THROUGH_COPY), { verify: 'runtime' }).checkedAccesses).toEqual([2, 3]);
  });

  it('runs as checked mode does, in both engines: the same result, the same trap', () => {
    for (const engine of [jit, interpreter]) {
      for (const verify of ['checked', 'runtime'] as const) {
        expect(engine(assemble(THROUGH_COPY), { verify })()).toBe(7n);
        expect(trapOf(() => engine(assemble(ABOVE_FRAME), { verify })()).code).toBe('OUT_OF_BOUNDS');
      }
    }
  });

  it('is refused when misspelt, naming the modes', () => {
    expect(() => jit(assemble('mov %r0, 0\nexit'), { verify: 'none' as never })).toThrow(/strict, checked, runtime/);
  });
});
