import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { compareEngines, divergence, runEngine, type Outcome } from '../fuzz/differential.js';

describe('fuzz harness: comparing the engines', () => {
  // bpf_loop over a callback whose function carries 40 dead instructions after its exit:
  // the interpreter counts the 3 it runs per call, the JIT charges the function's length.
  const CALLBACK_WITH_DEAD_CODE = assemble([
    'mov %r1, 1000', 'lddw %r2, func(+5)', 'mov %r3, 0', 'mov %r4, 0', 'call 181', 'exit',
    'mov %r0, 0', 'exit', ...new Array(40).fill('ja +0'), 'exit',
  ].join('\n'));
  const input = new Uint8Array(8);

  it('reruns an engine that alone ran out of budget with more, and then compares', () => {
    const options = { budget: 10_000 };
    expect(runEngine('interp', CALLBACK_WITH_DEAD_CODE, input, options).r0).toBe(1000n);
    expect(runEngine('jit', CALLBACK_WITH_DEAD_CODE, input, options).error?.code).toBe('BUDGET_EXHAUSTED');
    const { why, jit } = compareEngines(CALLBACK_WITH_DEAD_CODE, input, options);
    expect(why).toBeUndefined();
    expect(jit.r0).toBe(1000n);
  });

  it('still reports an engine that runs out where the other finishes, and any other difference', () => {
    const memory = new Uint8Array(4);
    const done: Outcome = { r0: 1n, memory };
    const outOfBudget: Outcome = { error: { kind: 'runtime', code: 'BUDGET_EXHAUSTED', message: 'budget' }, memory };
    expect(divergence(done, outOfBudget)).toMatch(/one engine failed/);
    expect(divergence(outOfBudget, outOfBudget)).toBeUndefined();
    expect(divergence(done, { r0: 2n, memory })).toMatch(/r0 differs/);
    expect(divergence(done, { r0: 1n, memory: Uint8Array.of(0, 0, 1, 0) })).toMatch(/memory differs at byte 2/);
    // A loop neither engine leaves: both run out, also after the rerun rule.
    expect(compareEngines(assemble('ja -1'), input, { budget: 1000 }).why).toBeUndefined();
  });
});
