import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { HELPER_IDS } from '../src/abi/kernel-ids.js';
import { HelperRegistry } from '../src/helpers/registry.js';
import { tailCallHelper } from '../src/helpers/tail-call.js';
import { jit } from '../src/jit/jit.js';
import { interpreter } from '../src/interp/interpreter.js';
import type { EngineName, Program } from '../src/runtime/program.js';
import { Runtime } from '../src/runtime/runtime.js';

/**
 * Tail calls through a stand-in program table (the prog_array map supplies the real one):
 * index i -> table[i]. Engines are mixed on purpose: a chain may cross engines.
 */
function setup(engines: EngineName[]) {
  const table: Program[] = [];
  const runtime = new Runtime({
    helpers: new HelperRegistry([tailCallHelper((_rt, map, index) => (map === 0xabcn ? table[index] : undefined))]),
  });
  const load = (text: string, i: number) => {
    const engine = engines[i % engines.length];
    const prog = engine === 'jit' ? jit(assemble(text), { runtime }) : interpreter(assemble(text), { runtime });
    table.push(prog);
    return prog;
  };
  return { runtime, table, load };
}

/** Program i: r0 accumulates in the input's first byte, then tail-calls i + 1 (ctx = r1). */
const hop = (next: number) => `
  ldxb %r2, [%r1]
  add %r2, 1
  stxb [%r1], %r2
  mov %r6, %r1
  mov %r2, 0xabc
  mov %r3, ${next}
  call ${HELPER_IDS.tail_call}
  # only reached when the tail call fails
  lsh %r0, 8
  ldxb %r1, [%r6]
  or %r0, %r1
  exit`;

describe.each([['interp'], ['jit'], ['interp', 'jit']] as EngineName[][])('tail calls (%s)', (...engines) => {
  it('replaces the running program; a failed call falls through with -ENOENT', () => {
    const { load } = setup(engines);
    const first = load(hop(1), 0);
    load(hop(2), 1);
    load('mov %r0, 77\nexit', 2);
    const mem = new Uint8Array(1);
    expect(first(mem)).toBe(77n);
    expect(mem[0]).toBe(2);
    const lonely = setup(engines).load(hop(9), 0);
    const m2 = new Uint8Array(1);
    expect(lonely(m2)).toBe((BigInt.asUintN(56, -2n) << 8n) | 1n);
  });

  it('allows 33 tail calls per run, then fails them', () => {
    const { load } = setup(engines);
    const self = load(hop(0), 0); // calls itself until the limit
    const mem = new Uint8Array(1);
    const r0 = self(mem);
    expect(mem[0]).toBe(34); // the first run plus 33 tail calls
    expect(r0 & 0xffn).toBe(34n);
    expect(r0 >> 8n).toBe(BigInt.asUintN(56, -2n));
    // The count starts again at every run.
    mem[0] = 0;
    self(mem);
    expect(mem[0]).toBe(34);
  });
});

describe.each([['interp'], ['jit']] as EngineName[][])('tail calls through a prog_array map with the default helpers (%s)', (engine) => {
  it('dispatches by index, falls through on an empty slot, and follows slot changes made by the host', () => {
    const runtime = new Runtime();
    const jumps = runtime.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 4 });
    const load = (text: string) => (engine === 'jit' ? jit(assemble(text), { runtime }) : interpreter(assemble(text), { runtime }));
    // r0 = 100 + slot's answer; the slot index is the input's first byte.
    const dispatcher = load(`
      ldxb %r3, [%r1]
      lddw %r2, map_fd(${jumps.fd})
      call ${HELPER_IDS.tail_call}
      mov %r0, 100
      exit`);
    jumps.set(1, load('mov %r0, 11\nexit'));
    jumps.set(2, load('mov %r0, 22\nexit'));
    expect(dispatcher(new Uint8Array([1]))).toBe(11n);
    expect(dispatcher(new Uint8Array([2]))).toBe(22n);
    expect(dispatcher(new Uint8Array([3]))).toBe(100n); // empty slot: the call fails, the caller goes on
    expect(dispatcher(new Uint8Array([200]))).toBe(100n); // beyond max_entries
    jumps.delete(2);
    expect(dispatcher(new Uint8Array([2]))).toBe(100n);
  });
});
