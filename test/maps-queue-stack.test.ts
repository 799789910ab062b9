import { describe, expect, it } from 'vitest';
import { u32 } from '../src/maps/codecs.js';
import { Runtime } from '../src/runtime/runtime.js';
import { ENGINES, errnoOf, run } from './support/maps.js';

const make = (runtime: Runtime, type: 'queue' | 'stack', maxEntries = 3) =>
  runtime.createMap({ type, keySize: 0, valueSize: 4, maxEntries, name: type });

const values = (list: (Uint8Array | undefined)[]) => list.map((v) => (v === undefined ? undefined : u32.decode(v)));

describe('queue and stack, host API', () => {
  it('a queue is FIFO, a stack LIFO; peek does not remove', () => {
    const rt = new Runtime();
    const q = make(rt, 'queue');
    const s = make(rt, 'stack');
    for (const v of [1, 2, 3]) { q.push(u32(v)); s.push(u32(v)); }
    expect(values([q.peek(), q.pop(), q.pop(), q.pop(), q.pop()])).toEqual([1, 1, 2, 3, undefined]);
    expect(values([s.peek(), s.pop(), s.pop(), s.pop(), s.pop()])).toEqual([3, 3, 2, 1, undefined]);
  });

  it('a full queue or stack refuses a push with E2BIG, unless BPF_EXIST, which drops the oldest', () => {
    for (const type of ['queue', 'stack'] as const) {
      const m = make(new Runtime(), type);
      for (const v of [1, 2, 3]) m.push(u32(v));
      expect(errnoOf(() => m.push(u32(4)))).toBe('E2BIG');
      m.push(u32(4), 2);
      expect(values(m.drain())).toEqual(type === 'queue' ? [2, 3, 4] : [4, 3, 2]);
    }
  });

  it('wraps around its slots many times', () => {
    const q = make(new Runtime(), 'queue', 4);
    const out: number[] = [];
    let held = 0;
    for (let v = 0; v < 50; v++) {
      q.push(u32(v));
      if (++held === 4) for (; held > 1; held--) out.push(u32.decode(q.pop()!));
    }
    out.push(...values(q.drain()) as number[]);
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('BPF_NOEXIST and unknown flags are EINVAL; delete and nextKey are EINVAL; lookup/update/lookupAndDelete are peek/push/pop', () => {
    const q = make(new Runtime(), 'queue');
    expect(errnoOf(() => q.push(u32(1), 1))).toBe('EINVAL');
    expect(errnoOf(() => q.push(u32(1), 4))).toBe('EINVAL');
    expect(errnoOf(() => q.delete())).toBe('EINVAL');
    expect(errnoOf(() => q.nextKey())).toBe('EINVAL');
    q.update(undefined, u32(8));
    expect(u32.decode(q.lookup()!)).toBe(8);
    expect(u32.decode(q.lookupAndDelete()!)).toBe(8);
    expect(q.lookup()).toBeUndefined();
  });

  it('creation needs keySize 0 and a positive valueSize and maxEntries', () => {
    const rt = new Runtime();
    expect(errnoOf(() => rt.createMap({ type: 'queue', keySize: 4, valueSize: 4, maxEntries: 1 }))).toBe('EINVAL');
    expect(errnoOf(() => rt.createMap({ type: 'stack', keySize: 0, valueSize: 0, maxEntries: 1 }))).toBe('EINVAL');
    expect(errnoOf(() => rt.createMap({ type: 'stack', keySize: 0, valueSize: 4, maxEntries: 0 }))).toBe('EINVAL');
  });
});

describe('queue and stack helpers', () => {
  for (const engine of ENGINES) {
    for (const type of ['queue', 'stack'] as const) {
      it(`${engine} ${type}: push, peek and pop (empty: -ENOENT and a zeroed buffer)`, () => {
        const rt = new Runtime();
        const m = make(rt, type, 2);
        const push = (v: number, flags = 0) => BigInt.asIntN(64, run(engine, `
          stw [%r10-4], ${v}
          lddw %r1, map_fd(${m.fd})
          mov %r2, %r10
          add %r2, -4
          mov %r3, ${flags}
          call 87
          exit`, rt));
        // Pop or peek into a buffer pre-filled with 0xee; r0 = (errno << 32) | the buffer.
        const take = (id: 88 | 89) => run(engine, `
          stw [%r10-4], 0xeeeeeeee
          lddw %r1, map_fd(${m.fd})
          mov %r2, %r10
          add %r2, -4
          call ${id}
          lsh %r0, 32
          ldxw %r1, [%r10-4]
          or %r0, %r1
          exit`, rt);
        const result = (errno: number, value: number) => (BigInt.asUintN(32, BigInt(errno)) << 32n) | BigInt(value);
        expect([push(1), push(2), push(3), push(3, 1), push(3, 2)]).toEqual([0n, 0n, -7n, -22n, 0n]);
        const first = type === 'queue' ? 2 : 3;
        const second = type === 'queue' ? 3 : 2;
        expect(take(89)).toBe(result(0, first));
        expect(take(88)).toBe(result(0, first));
        expect(take(88)).toBe(result(0, second));
        expect(take(88)).toBe(result(-2, 0));
        expect(take(89)).toBe(result(-2, 0));
      });
    }
  }
});
