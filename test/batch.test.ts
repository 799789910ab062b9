import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { HELPER_IDS } from '../src/helpers/kernel-ids.js';
import { kernelHelpers } from '../src/helpers/kernel.js';
import { RuntimeTrap } from '../src/errors.js';
import { loadProgram } from '../src/engine.js';
import { u32, u64 } from '../src/runtime/maps/codecs.js';
import type { EngineName } from '../src/runtime/program.js';
import { Runtime } from '../src/runtime/runtime.js';

const ENGINES: EngineName[] = ['interp', 'jit'];

/** r0 = sum of the input's bytes; every byte is then incremented in place. */
const SUM_AND_BUMP = `
  mov %r0, 0
  mov %r3, 0
loop:
  jge %r3, %r2, done
  mov %r4, %r1
  add %r4, %r3
  ldxb %r5, [%r4]
  add %r0, %r5
  add %r5, 1
  stxb [%r4], %r5
  add %r3, 1
  ja loop
done:
  exit`;

// Lengths around the copy strategies (8-byte words and a byte tail; memory.copy past 256).
const inputs = [[1, 2, 3], [], [200, 100], Array.from({ length: 100 }, (_, i) => i), Array.from({ length: 1001 }, (_, i) => i % 7)]
  .map((a) => Uint8Array.from(a));
const LONG_SUM = BigInt(Array.from({ length: 1001 }, (_, i) => i % 7).reduce((a, b) => a + b, 0));

describe.each(ENGINES)('batches (%s)', (engine) => {
  it('give each input the result and the memory writes of a single run', () => {
    const prog = loadProgram(assemble(SUM_AND_BUMP), { engine });
    const batch = prog.batch({ inputs: 8, bytes: 2048 });
    for (const input of inputs) batch.push(input);
    expect(batch.length).toBe(5);
    expect([...batch.run()]).toEqual([6n, 0n, 300n, 4950n, LONG_SUM]);
    expect(batch.completed).toBe(5);
    expect([...batch.input(0)]).toEqual([2, 3, 4]);
    expect([...batch.input(2)]).toEqual([201, 101]);
    expect(batch.input(3)).toEqual(inputs[3].map((b) => b + 1));
    expect(batch.input(4)).toEqual(inputs[4].map((b) => b + 1));
    // Running again sees the bumped bytes, like running prog() twice on one buffer.
    expect(batch.run()[0]).toBe(9n);
    // add() is zero-copy: write the slot, then run.
    batch.clear();
    batch.add(2).set([7, 8]);
    expect([...batch.run()]).toEqual([15n]);
  });

  it('give every input a fresh budget', () => {
    const prog = loadProgram(assemble(SUM_AND_BUMP), { engine, budget: 1000 });
    const batch = prog.batch({ inputs: 20 });
    for (let i = 0; i < 20; i++) batch.push(new Uint8Array(100)); // ~800 instructions each
    expect(batch.run()).toHaveLength(20);
  });

  it('end a program that LD_ABS reads out of range with r0 = 0 and go on', () => {
    const prog = loadProgram(assemble('ldabsb 3\nexit'), { engine });
    const batch = prog.batch({ inputs: 4 });
    for (const input of [[1, 2, 3, 4], [1, 2], [9, 9, 9, 42]]) batch.push(Uint8Array.from(input));
    expect([...batch.run()]).toEqual([4n, 0n, 42n]);
  });

  it('stop at a trap with its error; completed counts the inputs before it, whose results stand', () => {
    // Reads the byte at the input's first byte as an offset: out of bounds for the second input.
    const prog = loadProgram(assemble('ldxb %r3, [%r1]\nstxb [%r1], %r3\nadd %r1, %r3\nldxb %r0, [%r1]\nexit'), { engine });
    const batch = prog.batch({ inputs: 4 });
    for (const input of [[1, 5], [50, 0], [0]]) batch.push(Uint8Array.from(input));
    expect(() => batch.run()).toThrow(RuntimeTrap);
    try {
      batch.run();
    } catch (e) {
      expect((e as RuntimeTrap).code).toBe('OUT_OF_BOUNDS');
      expect((e as RuntimeTrap).pc).toBe(3);
    }
    expect(batch.completed).toBe(1);
    expect(batch.results()[0]).toBe(5n);
  });

  it('count in a hash map over a batch (map helpers inside Wasm for the JIT)', () => {
    const runtime = new Runtime();
    const counts = runtime.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16 });
    const prog = loadProgram(assemble(`
      ldxw %r2, [%r1]
      stxw [%r10-4], %r2
      lddw %r1, map_fd(${counts.fd})
      mov %r2, %r10
      add %r2, -4
      call ${HELPER_IDS.map_lookup_elem}
      jeq %r0, 0, insert
      mov %r1, 1
      lock add [%r0], %r1
      ldxdw %r0, [%r0]
      exit
    insert:
      stdw [%r10-16], 1
      lddw %r1, map_fd(${counts.fd})
      mov %r2, %r10
      add %r2, -4
      mov %r3, %r10
      add %r3, -16
      mov %r4, 0
      call ${HELPER_IDS.map_update_elem}
      mov %r0, 1
      exit`), { engine, runtime });
    const batch = prog.batch({ inputs: 64 });
    const ports = [80, 443, 80, 22, 80, 443];
    for (const port of ports) batch.push(u32(port));
    expect(batch.inWasm).toBe(engine === 'jit');
    expect([...batch.run()]).toEqual([1n, 1n, 2n, 1n, 3n, 2n]);
    const view = counts.view(u32, u64);
    expect([view.get(80), view.get(443), view.get(22)]).toEqual([3n, 2n, 1n]);
  });

  it('run programs calling JS helpers once per input, each helper seeing that input', () => {
    // The helper reads the whole input through runtime.view, which checks it against the current input.
    const helpers = kernelHelpers().define(1000, (r1, r2, _3, _4, _5, env) => env.runtime.view(r1, Number(r2)).reduce((a, b) => a + b, 0));
    const runtime = new Runtime({ helpers });
    const prog = loadProgram(assemble('call 1000\nexit'), { engine, runtime });
    const batch = prog.batch({ inputs: 4 });
    for (const input of [[1, 2], [], [5, 5, 5, 5, 5, 5, 5]]) batch.push(Uint8Array.from(input));
    expect(batch.inWasm).toBe(false);
    expect([...batch.run()]).toEqual([3n, 0n, 35n]);
  });

  it('allow 33 tail calls per input', () => {
    const runtime = new Runtime();
    const jumps = runtime.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 1 });
    // Counts its runs in the input's first byte and tail-calls itself.
    const self = loadProgram(assemble(`
      ldxb %r2, [%r1]
      add %r2, 1
      stxb [%r1], %r2
      lddw %r2, map_fd(${jumps.fd})
      mov %r3, 0
      call ${HELPER_IDS.tail_call}
      ldxb %r0, [%r1]
      exit`), { engine, runtime });
    jumps.set(0, self);
    const batch = self.batch({ inputs: 3 });
    for (let i = 0; i < 3; i++) batch.push(new Uint8Array(1));
    expect([...batch.run()]).toEqual([34n, 34n, 34n]);
  });

  it('refuse inputs beyond its capacity or maxInputSize', () => {
    const prog = loadProgram(assemble('mov %r0, 0\nexit'), { engine });
    const batch = prog.batch({ inputs: 2, bytes: 16 });
    expect(() => batch.add(17)).toThrow(/16 bytes of input space/);
    batch.add(8);
    expect(() => batch.add(9)).toThrow(/input space/);
    batch.add(8);
    expect(() => batch.add(0)).toThrow(/full/);
    expect(() => prog.batch({ inputs: 1, bytes: 1 << 20 }).add(prog.runtime.layout.maxInputSize + 1)).toThrow(RangeError);
    expect(() => batch.input(2)).toThrow(RangeError);
  });
});
