import { describe, expect, it } from 'vitest';
import { u32, u64 } from '../src/maps/codecs.js';
import { Runtime } from '../src/runtime/runtime.js';
import { ENGINES, errnoOf, run, updateElem } from './support/maps.js';

/** Add `amount` to the u64 under `key` of map `fd` (inserting `amount` when absent): the classic per-CPU counter. */
const addProgram = (fd: number, key: number, amount: number) => `
  stw [%r10-4], ${key}
  lddw %r1, map_fd(${fd})
  mov %r2, %r10
  add %r2, -4
  call 1
  jeq %r0, 0, insert
  ldxdw %r1, [%r0]
  add %r1, ${amount}
  stxdw [%r0], %r1
  mov %r0, 1
  exit
insert:${updateElem(fd, key, amount)}
  mov %r0, 2
  exit`;

describe('per-CPU maps', () => {
  it('the runtime has a CPU count (default 1) and a current CPU within it', () => {
    expect(new Runtime().cpus).toBe(1);
    const rt = new Runtime({ cpus: 4 });
    expect(rt.cpu).toBe(0);
    rt.cpu = 3;
    expect(rt.cpu).toBe(3);
    expect(() => { rt.cpu = 4; }).toThrow(RangeError);
    expect(() => new Runtime({ cpus: 0 })).toThrow(RangeError);
  });

  it('the host sees every CPU\'s value, each padded to 8 bytes, back to back (the kernel layout)', () => {
    const rt = new Runtime({ cpus: 3 });
    const m = rt.createMap({ type: 'percpu_array', keySize: 4, valueSize: 4, maxEntries: 2 });
    expect(m.valueBlockSize).toBe(24);
    const block = new Uint8Array(24);
    block.set(u32(1), 0);
    block.set(u32(2), 8);
    block.set(u32(3), 16);
    m.update(u32(1), block);
    expect([...m.lookup(u32(1))!]).toEqual([...block]);
    expect(m.perCpuView(u32, u32).get(1)).toEqual([1, 2, 3]);
    expect(() => m.update(u32(1), u32(5))).toThrow(new RangeError("update on percpu_array map 'map_1' (fd 1): value must be 24 bytes (3 CPUs x 8 bytes), got 4"));
    expect(errnoOf(() => m.view(u32, u32))).toBe('EINVAL');
  });

  for (const engine of ENGINES) {
    for (const type of ['percpu_array', 'percpu_hash'] as const) {
      it(`${engine} ${type}: a program reads and writes only the current CPU's slot`, () => {
        const rt = new Runtime({ cpus: 4 });
        const m = rt.createMap({ type, keySize: 4, valueSize: 8, maxEntries: 4 });
        const view = m.perCpuView(u32, u64);
        if (type === 'percpu_hash') view.set(1, [0n, 0n, 0n, 0n]);
        rt.cpu = 2;
        expect(run(engine, addProgram(m.fd, 1, 5), rt)).toBe(1n);
        rt.cpu = 0;
        expect(run(engine, addProgram(m.fd, 1, 1), rt)).toBe(1n);
        expect(run(engine, addProgram(m.fd, 1, 1), rt)).toBe(1n);
        expect(view.get(1)).toEqual([2n, 0n, 5n, 0n]);
      });
    }

    it(`${engine} percpu_hash: an element a program inserts has its value on the current CPU and zeros on the others`, () => {
      const rt = new Runtime({ cpus: 3 });
      const m = rt.createMap({ type: 'percpu_hash', keySize: 4, valueSize: 8, maxEntries: 4 });
      // Leave stale bytes in the entry a later insert reuses.
      m.perCpuView(u32, u64).set(9, [7n, 7n, 7n]);
      m.delete(u32(9));
      rt.cpu = 1;
      expect(run(engine, addProgram(m.fd, 3, 4), rt)).toBe(2n);
      expect(m.perCpuView(u32, u64).get(3)).toEqual([0n, 4n, 0n]);
    });
  }
});
