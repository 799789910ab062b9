import { describe, expect, it } from 'vitest';
import { assemble, interpreter, jit, MAP_FLAGS, Runtime, u32, u64, type Program } from '../src/index.js';

/**
 * Whatever address a program forms, it changes nothing but what it may change: its
 * stack, its input, map values and memory helpers handed it. A raw program (checked
 * mode: every access it forms from a number keeps its run-time check) writes all-ones
 * at every address of the runtime's memory, and another at every offset from a map
 * value it looked up; afterwards every map still holds exactly its keys, answers
 * lookups, takes updates and deletes up to its limits, and a read-only map is unchanged.
 * Before value-areas.ts one such write made a hash map lose a key and fail every update.
 */

const ENGINES = { jit, interpreter } as const;

/** Maps of every kind that keeps bookkeeping in the heap, filled with known keys. */
function populatedRuntime() {
  const runtime = new Runtime();
  const hash = runtime.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16 });
  const lru = runtime.createMap({ type: 'lru_hash', keySize: 4, valueSize: 8, maxEntries: 8 });
  const array = runtime.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 4 });
  const rodata = runtime.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1, flags: MAP_FLAGS.RDONLY_PROG });
  const queue = runtime.createMap({ type: 'queue', keySize: 0, valueSize: 8, maxEntries: 8 });
  const ring = runtime.createMap({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 });
  for (let k = 0; k < 10; k++) hash.update(u32(k), u64(BigInt(k)));
  for (let k = 0; k < 5; k++) lru.update(u32(k), u64(BigInt(k)));
  rodata.update(u32(0), u64(0x1234_5678n));
  for (let k = 0; k < 3; k++) queue.push(u64(BigInt(k)));
  return { runtime, hash, lru, array, rodata, queue, ring };
}

type Maps = ReturnType<typeof populatedRuntime>;

function expectMapsIntact(m: Maps): void {
  const keys = (map: Maps['hash']) => [...map.keys()].map((k) => u32.decode(k)).sort((a, b) => a - b);
  expect(keys(m.hash)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (let k = 0; k < 10; k++) expect(m.hash.lookup(u32(k))).toBeDefined();
  for (let k = 10; k < 16; k++) m.hash.update(u32(k), u64(1n)); // room for exactly 6 more
  expect(() => m.hash.update(u32(16), u64(1n))).toThrow(/E2BIG/);
  m.hash.delete(u32(3));
  expect(m.hash.lookup(u32(3))).toBeUndefined();
  expect(keys(m.lru)).toEqual([0, 1, 2, 3, 4]);
  for (let k = 5; k < 20; k++) m.lru.update(u32(k), u64(1n)); // evicts, never fails
  expect(keys(m.lru)).toHaveLength(8);
  expect(m.rodata.lookup(u32(0))).toEqual(u64(0x1234_5678n));
  for (let k = 0; k < 4; k++) expect(m.array.lookup(u32(k))).toHaveLength(8);
  expect([0, 1, 2].map(() => m.queue.pop()).map((v) => u64.decode(v!))).toEqual([0n, 1n, 2n]);
  expect(m.queue.pop()).toBeUndefined();
  const output = jit(assemble(`
    stw [%r10-4], 0x030201
    lddw %r1, map_fd(${m.ring.fd})
    mov %r2, %r10
    add %r2, -4
    mov %r3, 3
    mov %r4, 0
    call 130
    exit`), { runtime: m.runtime });
  expect(output()).toBe(0n);
  expect(m.ring.drain().map((r) => [...r])).toEqual([[1, 2, 3]]);
}

/** Runs `program` once per input, counting runs that trapped (they wrote nothing). */
function runEach(program: Program, inputs: Iterable<bigint>): { ran: number; trapped: number } {
  let ran = 0;
  let trapped = 0;
  for (const value of inputs) {
    try {
      program(u64(BigInt.asUintN(64, value)));
      ran++;
    } catch {
      trapped++;
    }
  }
  return { ran, trapped };
}

function* range(from: number, to: number, step: number): Generator<bigint> {
  for (let a = from; a < to; a += step) yield BigInt(a);
}

/** r1 points at the input: its first 8 bytes are the address to write all-ones to, in every width. */
const SCRIBBLE_AT = `
  ldxdw %r2, [%r1]
  lddw %r3, -1
  stxb [%r2], %r3
  stxh [%r2], %r3
  stxw [%r2], %r3
  stxdw [%r2], %r3
  lock add [%r2], %r3
  mov %r0, 0
  exit`;

/** The same from array value 0 (a real map value pointer), moved by the input's offset. */
const scribbleFromValue = (arrayFd: number) => `
  ldxdw %r6, [%r1]
  stw [%r10-4], 0
  lddw %r1, map_fd(${arrayFd})
  mov %r2, %r10
  add %r2, -4
  call 1
  jeq %r0, 0, +5
  add %r0, %r6
  lddw %r3, -1
  stxdw [%r0], %r3
  stxb [%r0], %r3
  mov %r0, 0
  exit`;

describe('a raw program writing everywhere it can', () => {
  for (const [name, engine] of Object.entries(ENGINES)) {
    it(`leaves every map working, ${name}`, () => {
      const maps = populatedRuntime();
      const { runtime } = maps;
      const size = runtime.bytes().length;
      const heap = runtime.layout.heapBase;
      const absolute = engine(assemble(SCRIBBLE_AT), { runtime });
      // Every byte of the heap and the page above it, every 8th byte below it (stack, input, context).
      const heapRuns = runEach(absolute, range(heap, Math.min(size, heap + 65536 + 4096), 1));
      const lowRuns = runEach(absolute, range(0, heap, 8));
      // And addresses no memory has: past the end, negative, wrapping.
      const wild = runEach(absolute, [BigInt(size), BigInt(size) - 1n, -1n, -8n, 1n << 32n, 1n << 63n]);
      expect(wild.ran).toBe(0);
      expect(heapRuns.ran).toBeGreaterThan(0);    // the map values
      expect(heapRuns.trapped).toBeGreaterThan(0); // everything else of the heap
      expect(lowRuns.ran).toBeGreaterThan(0);     // the stack and input

      const fromValue = engine(assemble(scribbleFromValue(maps.array.fd)), { runtime });
      const valueRuns = runEach(fromValue, range(-65536, 65536, 1));
      expect(valueRuns.ran).toBeGreaterThan(0);
      expect(valueRuns.trapped).toBeGreaterThan(0);
      expectMapsIntact(maps);
    });
  }
});
