import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OPCODES } from '../src/decode/opcodes.js';
import { EbpfError, RuntimeTrap } from '../src/errors.js';
import { HelperRegistry } from '../src/helpers/registry.js';
import { jit } from '../src/jit/jit.js';
import { Runtime } from '../src/runtime/runtime.js';
import { slot } from './support/slot.js';

/**
 * Random bytes and random instruction words into jit(): compiling and running may only
 * ever raise our typed errors (never a TypeError, a Binaryen abort or a raw Wasm trap),
 * and whatever runs returns an unsigned 64-bit r0.
 */
const runtime = new Runtime({ helpers: new HelperRegistry().define(1, (a, b) => a ^ b) });

function attempt(bytes: Uint8Array, mem: Uint8Array): 'compile-error' | 'trap' | bigint {
  let prog;
  try {
    prog = jit(bytes, { runtime, budget: 5_000 });
  } catch (e) {
    if (e instanceof EbpfError && e.kind !== 'runtime') return 'compile-error';
    throw e;
  }
  try {
    const r0 = prog(mem);
    expect(r0 >= 0n && r0 < 1n << 64n).toBe(true);
    return r0;
  } catch (e) {
    if (e instanceof RuntimeTrap) return 'trap';
    throw e;
  }
}

/** A word from a table row with small registers and offsets, so many programs compile and run. */
const tableWord = fc.record({
  row: fc.integer({ min: 0, max: OPCODES.length - 1 }),
  dst: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 9 }) }, { weight: 1, arbitrary: fc.constant(10) }),
  src: fc.integer({ min: 0, max: 10 }),
  off: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -16, max: 1 }) }, { weight: 1, arbitrary: fc.integer({ min: -512, max: 64 }) }),
  imm: fc.oneof(fc.integer({ min: -4, max: 64 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
}).map(({ row, dst, src, off, imm }) => {
  const spec = OPCODES[row];
  const sem = spec.sem;
  // Keep most jumps short and most calls on the registered helper, so many programs compile.
  const isJump = sem.kind === 'jmp' || sem.kind === 'ja';
  const f = { dst, src, off: isJump ? Math.min(off, 1) : off, imm: sem.kind === 'call' && imm > 1 ? 1 : imm };
  for (const field of ['dst', 'src', 'off', 'imm'] as const) if (!spec.uses.has(field)) f[field] = 0;
  if (spec.match) f[spec.match.field] = spec.match.value;
  const slots = slot(spec.opcode, f.dst, f.src, f.off, f.imm);
  return spec.slots === 2 ? [...slots, ...slot(0, 0, 0, 0, imm)] : slots;
});

const memory = fc.uint8Array({ minLength: 0, maxLength: 32 });
const EXIT = slot(0x95);

describe('jit() on random input (fixed seeds)', () => {
  it('random byte strings raise only typed errors', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), memory, (bytes, mem) => {
      attempt(bytes, mem);
    }), { seed: 0x1eaf, numRuns: 400 });
  });

  it('random instruction words (ending in exit) raise only typed errors, and some run', () => {
    const outcomes = { 'compile-error': 0, trap: 0, ran: 0 };
    fc.assert(fc.property(fc.array(tableWord, { minLength: 1, maxLength: 12 }), memory, (words, mem) => {
      const out = attempt(Uint8Array.from([...words.flat(), ...EXIT]), mem);
      outcomes[typeof out === 'bigint' ? 'ran' : out]++;
    }), { seed: 0xc0de, numRuns: 600 });
    // The generator must exercise all three outcomes for the property to mean something.
    expect(outcomes.ran).toBeGreaterThan(30);
    expect(outcomes.trap).toBeGreaterThan(5);
    expect(outcomes['compile-error']).toBeGreaterThan(30);
  });
});
