import { describe, expect, it } from 'vitest';
import { MAP_FLAGS } from '../src/maps/map-spec-check.js';
import { u32, u64 } from '../src/maps/codecs.js';
import { Runtime } from '../src/runtime/runtime.js';
import { dump, ENGINES, errnoOf, le, lookupU64Program, mapError, run, updateElem } from './support/maps.js';

const hash = (runtime: Runtime, maxEntries = 4, keySize = 4, valueSize = 8, flags = 0) =>
  runtime.createMap({ type: 'hash', keySize, valueSize, maxEntries, flags, name: 'h' });

describe('hash map, host API', () => {
  it('stores, replaces, looks up and deletes', () => {
    const m = hash(new Runtime());
    expect(m.lookup(u32(1))).toBeUndefined();
    m.update(u32(1), u64(10));
    m.update(u32(2), u64(20));
    expect(u64.decode(m.lookup(u32(1))!)).toBe(10n);
    m.update(u32(1), u64(11));
    expect(u64.decode(m.lookup(u32(1))!)).toBe(11n);
    m.delete(u32(1));
    expect(m.lookup(u32(1))).toBeUndefined();
    expect(m.has(u32(2))).toBe(true);
  });

  it('BPF_NOEXIST fails with EEXIST on an existing key, BPF_EXIST with ENOENT on a missing one', () => {
    const m = hash(new Runtime());
    m.update(u32(1), u64(1), 1);
    expect(errnoOf(() => m.update(u32(1), u64(2), 1))).toBe('EEXIST');
    expect(errnoOf(() => m.update(u32(9), u64(2), 2))).toBe('ENOENT');
    m.update(u32(1), u64(3), 2);
    expect(u64.decode(m.lookup(u32(1))!)).toBe(3n);
  });

  it('unknown flags and BPF_F_LOCK (no spin lock in the value) are EINVAL', () => {
    const m = hash(new Runtime());
    expect(errnoOf(() => m.update(u32(1), u64(1), 3))).toBe('EINVAL');
    expect(errnoOf(() => m.update(u32(1), u64(1), 4))).toBe('EINVAL');
    expect(errnoOf(() => m.update(u32(1), u64(1), 0x1_0000_0000))).toBe('EINVAL');
  });

  it('a full map refuses new keys with E2BIG but still replaces existing ones', () => {
    const m = hash(new Runtime(), 3);
    for (const k of [1, 2, 3]) m.update(u32(k), u64(k));
    const error = mapError(() => m.update(u32(4), u64(4)));
    expect([error.code, error.errno]).toEqual(['E2BIG', 7]);
    m.update(u32(2), u64(22));
    expect(u64.decode(m.lookup(u32(2))!)).toBe(22n);
    m.delete(u32(1));
    m.update(u32(4), u64(4));
    expect([...m.view(u32, u64).keys()].sort()).toEqual([2, 3, 4]);
  });

  it('delete of a missing key is ENOENT', () => {
    const m = hash(new Runtime());
    expect(errnoOf(() => m.delete(u32(5)))).toBe('ENOENT');
  });

  it('keys and values of the wrong size are RangeErrors naming the argument (no bpf() call could pass them)', () => {
    const m = hash(new Runtime());
    expect(() => m.lookup(new Uint8Array(3))).toThrow(new RangeError("lookup on hash map 'h' (fd 1): key must be 4 bytes, got 3"));
    expect(() => m.update(u32(1), new Uint8Array(4))).toThrow(new RangeError("update on hash map 'h' (fd 1): value must be 8 bytes, got 4"));
  });

  it('iterates every key once, in kernel next-key order, and copes with deletion while iterating', () => {
    const m = hash(new Runtime(), 64, 4, 8, MAP_FLAGS.ZERO_SEED);
    for (let k = 0; k < 64; k++) m.update(u32(k), u64(k * 2));
    const keys = [...m.keys()].map((k) => u32.decode(k));
    expect([...keys].sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    // nextKey of an absent key starts over (kernel), of the last key ends.
    expect(u32.decode(m.nextKey(u32(1000))!)).toBe(keys[0]);
    expect(m.nextKey(u32(keys[63]))).toBeUndefined();
    for (const key of m.keys()) m.delete(key);
    expect([...m.keys()]).toEqual([]);
  });

  it('keys of any size hash and compare correctly, also when they share buckets', () => {
    for (const keySize of [1, 3, 5, 8, 12, 13, 16, 33]) {
      const m = hash(new Runtime(), 40, keySize, 4);
      const key = (i: number) => Uint8Array.from({ length: keySize }, (_, j) => (i * 7 + j * 13) & 0xff).map((b, j) => (j === keySize - 1 ? i : b));
      for (let i = 0; i < 40; i++) m.update(key(i), u32(i));
      for (let i = 0; i < 40; i++) expect(u32.decode(m.lookup(key(i))!)).toBe(i);
      expect(m.lookup(key(200))).toBeUndefined();
    }
  });

  it('the hash is seeded per map (random unless BPF_F_ZERO_SEED), so iteration order may differ between maps', () => {
    const orders = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const m = hash(new Runtime(), 32);
      for (let k = 0; k < 32; k++) m.update(u32(k), u64(k));
      orders.add([...m.keys()].map((k) => u32.decode(k)).join(','));
    }
    expect(orders.size).toBeGreaterThan(1);
    const zero = () => {
      const m = hash(new Runtime(), 32, 4, 8, MAP_FLAGS.ZERO_SEED);
      for (let k = 0; k < 32; k++) m.update(u32(k), u64(k));
      return [...m.keys()].map((k) => u32.decode(k)).join(',');
    };
    expect(zero()).toBe(zero());
  });

  it('values that are not a multiple of 8 bytes round-trip exactly', () => {
    const m = hash(new Runtime(), 4, 4, 5);
    m.update(u32(1), Uint8Array.of(1, 2, 3, 4, 5));
    expect([...m.lookup(u32(1))!]).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('hash map helpers', () => {
  const program = (fd: number, key: number, flags: number) => `${updateElem(fd, key, key * 100, flags)}
    exit`;

  for (const engine of ENGINES) {
    it(`${engine}: update returns 0 or the negative errno; lookup returns the value pointer or 0; delete`, () => {
      const rt = new Runtime();
      const m = hash(rt, 2);
      const r = (src: string) => BigInt.asIntN(64, run(engine, src, rt));
      expect(r(program(m.fd, 1, 0))).toBe(0n);
      expect(r(program(m.fd, 1, 1))).toBe(-17n);
      expect(r(program(m.fd, 2, 2))).toBe(-2n);
      expect(r(program(m.fd, 2, 0))).toBe(0n);
      expect(r(program(m.fd, 3, 0))).toBe(-7n);
      expect(r(program(m.fd, 3, 7))).toBe(-22n);
      expect(dump(m)).toEqual([`01000000=${Buffer.from(le(100, 8)).toString('hex')}`, `02000000=${Buffer.from(le(200, 8)).toString('hex')}`]);
      const lookup = (key: number) => lookupU64Program(m.fd, key);
      expect(r(lookup(2))).toBe(200n);
      expect(r(lookup(5))).toBe(0n);
      const del = (key: number) => `
        stw [%r10-4], ${key}
        lddw %r1, map_fd(${m.fd})
        mov %r2, %r10
        add %r2, -4
        call 3
        exit`;
      expect(r(del(2))).toBe(0n);
      expect(r(del(2))).toBe(-2n);
      expect(m.has(u32(2))).toBe(false);
    });

    it(`${engine}: a program writes through the value pointer it looked up, and the host sees it`, () => {
      const rt = new Runtime();
      const m = hash(rt);
      m.update(u32(7), u64(41));
      const r0 = run(engine, `
        stw [%r10-4], 7
        lddw %r1, map_fd(${m.fd})
        mov %r2, %r10
        add %r2, -4
        call 1
        jeq %r0, 0, +3
        mov %r1, 1
        lock add [%r0+0], %r1
        ldxdw %r0, [%r0]
        exit`, rt);
      expect(r0).toBe(42n);
      expect(m.view(u32, u64).get(7)).toBe(42n);
    });
  }
});

describe('hash map model check', () => {
  it('random updates (all flags), deletes and lookups agree with a JS Map, in 8 maps with their own hash seeds', () => {
    for (let round = 0; round < 8; round++) {
      const m = hash(new Runtime(), 16, 4, 8).view(u32, u64);
      const model = new Map<number, bigint>();
      let seed = 777 + round;
      const rand = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
      const outcome = (fn: () => unknown) => { try { fn(); return 'ok'; } catch (e) { return (e as { code: string }).code; } };
      for (let step = 0; step < 800; step++) {
        const key = rand(40);
        const op = rand(5);
        if (op === 0) {
          expect(outcome(() => m.delete(key))).toBe(model.delete(key) ? 'ok' : 'ENOENT');
        } else if (op === 1) {
          expect(m.get(key)).toBe(model.get(key));
        } else {
          const flags = rand(3);
          const want = flags === 1 && model.has(key) ? 'EEXIST' : flags === 2 && !model.has(key) ? 'ENOENT'
            : !model.has(key) && model.size === 16 ? 'E2BIG' : 'ok';
          expect(outcome(() => m.set(key, BigInt(step), flags))).toBe(want);
          if (want === 'ok') model.set(key, BigInt(step));
        }
      }
      expect(new Map(m.entries())).toEqual(model);
    }
  });
});
