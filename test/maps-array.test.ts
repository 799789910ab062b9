import { describe, expect, it } from 'vitest';
import { u32, u64 } from '../src/maps/codecs.js';
import { Runtime } from '../src/runtime/runtime.js';
import { ENGINES, errnoOf, run, updateElem } from './support/maps.js';

const array = (runtime: Runtime, maxEntries = 4, valueSize = 8) =>
  runtime.createMap({ type: 'array', keySize: 4, valueSize, maxEntries, name: 'a' });

describe('array map, host API', () => {
  it('has every element, zero-initialised', () => {
    const m = array(new Runtime());
    expect([...m.view(u32, u64)]).toEqual([[0, 0n], [1, 0n], [2, 0n], [3, 0n]]);
  });

  it('updates in place; an index beyond max_entries is undefined to lookup and E2BIG to update', () => {
    const m = array(new Runtime());
    m.update(u32(2), u64(5));
    expect(m.view(u32, u64).get(2)).toBe(5n);
    expect(m.lookup(u32(4))).toBeUndefined();
    expect(errnoOf(() => m.update(u32(4), u64(1)))).toBe('E2BIG');
  });

  it('BPF_NOEXIST is EEXIST (elements always exist), BPF_EXIST succeeds, unknown flags EINVAL, BPF_F_LOCK EINVAL', () => {
    const m = array(new Runtime());
    expect(errnoOf(() => m.update(u32(0), u64(1), 1))).toBe('EEXIST');
    m.update(u32(0), u64(1), 2);
    expect(errnoOf(() => m.update(u32(0), u64(1), 3))).toBe('EINVAL');
    expect(errnoOf(() => m.update(u32(0), u64(1), 4))).toBe('EINVAL');
    // The kernel checks the index before the NOEXIST bit: E2BIG wins.
    expect(errnoOf(() => m.update(u32(9), u64(1), 1))).toBe('E2BIG');
  });

  it('delete is EINVAL', () => {
    expect(errnoOf(() => array(new Runtime()).delete(u32(0)))).toBe('EINVAL');
  });

  it('nextKey: 0 first and after an out-of-range index, then index + 1, undefined after the last', () => {
    const m = array(new Runtime(), 3);
    expect(u32.decode(m.nextKey()!)).toBe(0);
    expect(u32.decode(m.nextKey(u32(0))!)).toBe(1);
    expect(m.nextKey(u32(2))).toBeUndefined();
    expect(u32.decode(m.nextKey(u32(77))!)).toBe(0);
  });

  it('takes initial contents (global data), value after value', () => {
    const rt = new Runtime();
    const m = rt.createMap({ type: 'array', keySize: 4, valueSize: 3, maxEntries: 3, initial: Uint8Array.of(1, 2, 3, 4, 5, 6, 7) });
    expect([...m.lookup(u32(0))!]).toEqual([1, 2, 3]);
    expect([...m.lookup(u32(1))!]).toEqual([4, 5, 6]);
    expect([...m.lookup(u32(2))!]).toEqual([7, 0, 0]);
  });
});

describe('array map helpers', () => {
  for (const engine of ENGINES) {
    it(`${engine}: lookup returns the element's address (NULL beyond max_entries), update and delete give the kernel's errnos`, () => {
      const rt = new Runtime();
      const m = array(rt);
      const lookup = (i: number) => run(engine, `
        stw [%r10-4], ${i}
        lddw %r1, map_fd(${m.fd})
        mov %r2, %r10
        add %r2, -4
        call 1
        exit`, rt);
      expect(Number(lookup(1))).toBe(m.valueAddress(u32(1)));
      expect(lookup(4)).toBe(0n);
      const update = (i: number, flags: number) => BigInt.asIntN(64, run(engine, `${updateElem(m.fd, i, 99, flags)}
        exit`, rt));
      expect([update(3, 0), update(4, 0), update(0, 1), update(1, 2), update(0, 5)]).toEqual([0n, -7n, -17n, 0n, -17n]);
      expect(m.view(u32, u64).get(3)).toBe(99n);
      const del = BigInt.asIntN(64, run(engine, `
        stw [%r10-4], 0
        lddw %r1, map_fd(${m.fd})
        mov %r2, %r10
        add %r2, -4
        call 3
        exit`, rt));
      expect(del).toBe(-22n);
    });
  }
});
