import { describe, expect, it } from 'vitest';
import { u32 } from '../src/maps/codecs.js';
import { Runtime } from '../src/runtime/runtime.js';
import { ENGINES, errnoOf, load, run, trapAt } from './support/maps.js';

/** perf_event_output(ctx = r1, map, flags, data = 4 bytes "value" on the stack, size 4). */
const outputProgram = (fd: number, flags: bigint, value: number) => `
  stw [%r10-4], ${value}
  lddw %r2, map_fd(${fd})
  lddw %r3, ${flags}
  mov %r4, %r10
  add %r4, -4
  mov %r5, 4
  call 25
  exit`;

const CURRENT_CPU = 0xffff_ffffn;

describe('perf_event_array', () => {
  for (const engine of ENGINES) {
    it(`${engine}: perf_event_output with BPF_F_CURRENT_CPU sends the record to the current CPU's buffer`, () => {
      const rt = new Runtime({ cpus: 2 });
      const events = rt.createMap({ type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: 2 });
      expect(run(engine, outputProgram(events.fd, CURRENT_CPU, 5), rt)).toBe(0n);
      rt.cpu = 1;
      expect(run(engine, outputProgram(events.fd, CURRENT_CPU, 6), rt)).toBe(0n);
      expect(run(engine, outputProgram(events.fd, 1n, 7), rt)).toBe(0n);
      expect(events.drain().map(({ cpu, data }) => [cpu, u32.decode(data)])).toEqual([[0, 5], [1, 6], [1, 7]]);
      expect(events.drain()).toEqual([]);
    });

    it(`${engine}: the kernel's errors: -EINVAL flags, -E2BIG index, -ENOENT no such CPU, -EOPNOTSUPP another CPU, -ENOSPC full`, () => {
      const rt = new Runtime({ cpus: 2 });
      const events = rt.createMap({ type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: 4 });
      const out = (flags: bigint) => BigInt.asIntN(64, run(engine, outputProgram(events.fd, flags, 1), rt));
      expect(out(1n << 32n)).toBe(-22n);
      expect(out(4n)).toBe(-7n);
      expect(out(3n)).toBe(-2n);
      expect(out(1n)).toBe(-95n);
      events.capacity = 2;
      expect([out(0n), out(0n), out(0n)]).toEqual([0n, 0n, -28n]);
      expect(events.lost).toBe(1);
      expect(events.consume(() => {})).toBe(2);
      expect(out(0n)).toBe(0n);
    });

    it(`${engine}: perf_event_output on another map type traps BAD_MAP_TYPE; a data pointer outside memory OUT_OF_BOUNDS`, () => {
      const rt = new Runtime();
      const h = rt.createMap({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 1 });
      expect(trapAt(() => run(engine, outputProgram(h.fd, 0n, 1), rt))).toEqual(['BAD_MAP_TYPE', 8]);
      const events = rt.createMap({ type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: 1 });
      expect(trapAt(() => run(engine, `lddw %r2, map_fd(${events.fd})\nmov %r3, 0\nmov %r4, 16\nmov %r5, 4\ncall 25\nexit`, rt)))
        .toEqual(['OUT_OF_BOUNDS', 5]);
    });
  }

  it('an async iterator yields records as programs send them', async () => {
    const rt = new Runtime();
    const events = rt.createMap({ type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: 1 });
    const prog = load('jit', outputProgram(events.fd, CURRENT_CPU, 9), rt);
    const controller = new AbortController();
    const got: number[] = [];
    const reader = (async () => {
      for await (const { data } of events.records({ signal: controller.signal })) {
        got.push(u32.decode(data));
        if (got.length === 2) controller.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
    prog();
    await new Promise((resolve) => setTimeout(resolve, 5));
    prog();
    await reader;
    expect(got).toEqual([9, 9]);
  });

  it('key/value operations are EOPNOTSUPP; nextKey walks the indexes', () => {
    const events = new Runtime().createMap({ type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: 2 });
    expect(errnoOf(() => events.lookup())).toBe('EOPNOTSUPP');
    expect(errnoOf(() => events.update())).toBe('EOPNOTSUPP');
    expect([...events.keys()].map((k) => u32.decode(k))).toEqual([0, 1]);
  });
});

describe('prog_array', () => {
  it('holds programs of its runtime by index, for tail calls (runtime.programAt)', () => {
    const rt = new Runtime();
    const jumps = rt.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 4 });
    const a = load('jit', 'mov %r0, 1\nexit', rt);
    const b = load('interp', 'mov %r0, 2\nexit', rt);
    jumps.set(0, a);
    jumps.set(3, b);
    expect(jumps.get(0)).toBe(a);
    expect(rt.programAt(jumps.address, 3)).toBe(b);
    expect(rt.programAt(BigInt(jumps.address), 3n)).toBe(b);
    expect(rt.programAt(jumps.address, 1)).toBeUndefined();
    expect(rt.programAt(jumps.address, 2n ** 40n)).toBeUndefined();
    expect(rt.programAt(jumps.address + 8, 0)).toBeUndefined();
    jumps.delete(0);
    expect(jumps.get(0)).toBeUndefined();
    jumps.set(1, a);
    jumps.delete(u32(1));
    expect([...jumps.keys()].map((k) => u32.decode(k))).toEqual([0, 1, 2, 3]);
  });

  it('E2BIG beyond max_entries, ENOENT deleting an empty slot, EINVAL for another runtime\'s program, EOPNOTSUPP for byte lookups', () => {
    const rt = new Runtime();
    const jumps = rt.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 2 });
    const p = load('jit', 'mov %r0, 1\nexit', rt);
    expect(errnoOf(() => jumps.set(2, p))).toBe('E2BIG');
    expect(errnoOf(() => jumps.delete(1))).toBe('ENOENT');
    expect(errnoOf(() => jumps.set(0, load('jit', 'mov %r0, 1\nexit', new Runtime())))).toBe('EINVAL');
    expect(errnoOf(() => jumps.lookup())).toBe('EOPNOTSUPP');
    expect(errnoOf(() => jumps.update())).toBe('EOPNOTSUPP');
  });
});
