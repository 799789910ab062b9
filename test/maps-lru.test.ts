import { describe, expect, it } from 'vitest';
import { u32, u64 } from '../src/maps/codecs.js';
import { Runtime } from '../src/runtime/runtime.js';
import { ENGINES, errnoOf, lookupU64Program, run, updateElem } from './support/maps.js';

const lru = (runtime: Runtime, maxEntries = 3) =>
  runtime.createMap({ type: 'lru_hash', keySize: 4, valueSize: 8, maxEntries, name: 'lru' });

const keysOf = (m: ReturnType<typeof lru>) => [...m.view(u32, u64).keys()].sort((a, b) => a - b);

describe('lru_hash', () => {
  it('evicts the least recently inserted entry when full instead of failing', () => {
    const m = lru(new Runtime());
    for (const k of [1, 2, 3, 4]) m.update(u32(k), u64(k));
    expect(keysOf(m)).toEqual([2, 3, 4]);
    m.update(u32(5), u64(5));
    expect(keysOf(m)).toEqual([3, 4, 5]);
  });

  it('updates refresh recency; host lookups do not (like the kernel syscall)', () => {
    const m = lru(new Runtime());
    for (const k of [1, 2, 3]) m.update(u32(k), u64(k));
    m.lookup(u32(1));
    m.update(u32(2), u64(22));
    m.update(u32(4), u64(4));
    expect(keysOf(m)).toEqual([2, 3, 4]);
  });

  it('BPF_NOEXIST / BPF_EXIST and delete behave as in a hash map; deleted entries are reused before evicting', () => {
    const m = lru(new Runtime());
    for (const k of [1, 2, 3]) m.update(u32(k), u64(k));
    expect(errnoOf(() => m.update(u32(1), u64(0), 1))).toBe('EEXIST');
    expect(errnoOf(() => m.update(u32(9), u64(0), 2))).toBe('ENOENT');
    m.delete(u32(2));
    expect(errnoOf(() => m.delete(u32(2)))).toBe('ENOENT');
    m.update(u32(4), u64(4));
    expect(keysOf(m)).toEqual([1, 3, 4]);
  });

  it('an LRU map cannot be created without preallocation (ENOTSUPP, as in the kernel)', () => {
    expect(errnoOf(() => new Runtime().createMap({ type: 'lru_hash', keySize: 4, valueSize: 8, maxEntries: 4, flags: 1 }))).toBe('ENOTSUPP');
  });

  for (const engine of ENGINES) {
    it(`${engine}: a program's lookup counts as a use, so the entry it looked up survives the next eviction`, () => {
      const rt = new Runtime();
      const m = lru(rt);
      for (const k of [1, 2, 3]) m.update(u32(k), u64(k));
      const lookup = (key: number) => run(engine, lookupU64Program(m.fd, key), rt);
      expect(lookup(1)).toBe(1n);
      const insert = (key: number) => run(engine, `${updateElem(m.fd, key, key)}
        exit`, rt);
      expect(insert(4)).toBe(0n);
      expect(keysOf(m)).toEqual([1, 3, 4]);
      expect(lookup(3)).toBe(3n);
      expect(insert(5)).toBe(0n);
      expect(insert(6)).toBe(0n);
      expect(keysOf(m)).toEqual([3, 5, 6]);
    });
  }

  it('evicts in exact least-recently-used order over long random sequences (model check, 8 maps with their own hash seeds)', () => {
    for (let round = 0; round < 8; round++) modelCheck(round);
  });
});

/** Random updates and deletes of 20 keys on an 8-entry lru_hash, compared with a list kept in recency order. */
function modelCheck(round: number): void {
  const rt = new Runtime();
  const m = lru(rt, 8);
  const model: number[] = []; // least recent first
  let seed = 12345 + round;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
  for (let step = 0; step < 1000; step++) {
    const key = rand(20);
    if (rand(4) === 0) {
      const present = model.includes(key);
      if (present) m.delete(u32(key)); else expect(errnoOf(() => m.delete(u32(key)))).toBe('ENOENT');
      if (present) model.splice(model.indexOf(key), 1);
    } else {
      m.update(u32(key), u64(step));
      if (model.includes(key)) model.splice(model.indexOf(key), 1);
      else if (model.length === 8) model.shift();
      model.push(key);
    }
    expect(keysOf(m)).toEqual([...model].sort((a, b) => a - b));
  }
}
