import { describe, expect, it } from 'vitest';
import { fixedBytes, i32, i64, u16, u32, u64, u8 } from '../src/maps/codecs.js';
import { MAP_FLAGS } from '../src/maps/map-spec-check.js';
import { Runtime } from '../src/runtime/runtime.js';
import { errnoOf, mapError } from './support/maps.js';

describe('codecs', () => {
  it('encode little-endian and decode back, each a function and a codec', () => {
    expect([...u32(0x01020304)]).toEqual([4, 3, 2, 1]);
    expect([...u16.encode(0x0102)]).toEqual([2, 1]);
    expect(u8.size).toBe(1);
    expect(u32.decode(Uint8Array.of(0, 4, 3, 2, 1), 1)).toBe(0x01020304);
    expect(i32.decode(i32(-5))).toBe(-5);
    expect(u64.decode(u64(2n ** 64n - 1n))).toBe(2n ** 64n - 1n);
    expect(u64.decode(u64(7))).toBe(7n);
    expect(i64.decode(i64(-(2n ** 63n)))).toBe(-(2n ** 63n));
    expect([...fixedBytes(3)(Uint8Array.of(1, 2, 3))]).toEqual([1, 2, 3]);
  });

  it('reject values out of range and short input', () => {
    expect(() => u32(-1)).toThrow(RangeError);
    expect(() => u32(2 ** 32)).toThrow(RangeError);
    expect(() => u32(1.5)).toThrow(RangeError);
    expect(() => u64(-1n)).toThrow(RangeError);
    expect(() => i64(2n ** 63n)).toThrow(RangeError);
    expect(() => u64(2 ** 60)).toThrow(RangeError);
    expect(() => u32.decode(new Uint8Array(3))).toThrow(RangeError);
    expect(() => fixedBytes(3)(new Uint8Array(2))).toThrow(RangeError);
  });
});

describe('typed views', () => {
  it('read and write a map like a JS Map', () => {
    const counts = new Runtime().createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 8 }).view(u32, u64);
    counts.set(1, 10n).set(2, 20);
    expect(counts.get(2)).toBe(20n);
    expect(counts.has(3)).toBe(false);
    counts.delete(1);
    expect([...counts]).toEqual([[2, 20n]]);
    expect([...counts.keys()]).toEqual([2]);
    expect([...counts.values()]).toEqual([20n]);
    expect(errnoOf(() => counts.set(2, 1n, 1))).toBe('EEXIST');
  });

  it('check the codec sizes against the map', () => {
    const m = new Runtime().createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 8 });
    expect(() => m.view(u64, u64)).toThrow(RangeError);
    expect(() => m.view(u32, u32)).toThrow(RangeError);
  });

  it('per-CPU views decode one value per CPU', () => {
    const rt = new Runtime({ cpus: 2 });
    const m = rt.createMap({ type: 'percpu_hash', keySize: 4, valueSize: 4, maxEntries: 8 }).perCpuView(u32, i32);
    m.set(5, [-1, 2]);
    expect(m.get(5)).toEqual([-1, 2]);
    expect([...m]).toEqual([[5, [-1, 2]]]);
    expect(() => m.set(5, [1])).toThrow(RangeError);
    m.delete(5);
    expect(m.get(5)).toBeUndefined();
  });
});

describe('batch operations and iteration', () => {
  it('lookupBatch walks the map in chunks; updateBatch and deleteBatch process in order', () => {
    const m = new Runtime().createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 32, flags: MAP_FLAGS.ZERO_SEED });
    const keys = Array.from({ length: 20 }, (_, i) => u32(i));
    expect(m.updateBatch(keys, keys.map((_, i) => u64(i * i)))).toBe(20);
    const seen = new Map<number, bigint>();
    let after: Uint8Array | undefined;
    let batches = 0;
    do {
      const batch = m.lookupBatch(6, after);
      expect(batch.keys.length).toBeLessThanOrEqual(6);
      batch.keys.forEach((k, i) => seen.set(u32.decode(k), u64.decode(batch.values[i])));
      after = batch.next;
      batches++;
    } while (after !== undefined);
    expect(batches).toBe(4);
    expect(seen).toEqual(new Map(Array.from({ length: 20 }, (_, i) => [i, BigInt(i * i)])));
    expect(m.deleteBatch(keys.slice(0, 10))).toBe(10);
    expect([...m.keys()].length).toBe(10);
  });

  it('a failing batch reports how many elements succeeded first', () => {
    const m = new Runtime().createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 2 });
    const e = mapError(() => m.updateBatch([u32(1), u32(2), u32(3)], [u64(1), u64(2), u64(3)]));
    expect([e.code, e.processed]).toEqual(['E2BIG', 2]);
    expect(errnoOf(() => m.updateBatch([u32(1)], []))).toBe('EINVAL');
    expect(mapError(() => m.deleteBatch([u32(1), u32(9)])).processed).toBe(1);
    expect(errnoOf(() => m.lookupBatch(0))).toBe('EINVAL');
  });

  it('lookupAndDelete returns the value and removes it', () => {
    const m = new Runtime().createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 2 });
    m.update(u32(1), u64(5));
    expect(u64.decode(m.lookupAndDelete(u32(1))!)).toBe(5n);
    expect(m.lookupAndDelete(u32(1))).toBeUndefined();
  });

  it('entries are copies: changing one does not change the map', () => {
    const m = new Runtime().createMap({ type: 'array', keySize: 4, valueSize: 4, maxEntries: 1 });
    const [[, value]] = [...m.entries()];
    value[0] = 9;
    expect(m.lookup(u32(0))![0]).toBe(0);
  });
});
