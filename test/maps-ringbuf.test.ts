import { describe, expect, it } from 'vitest';
import { u32 } from '../src/maps/codecs.js';
import type { RingBufMap } from '../src/maps/ringbuf-map.js';
import type { EngineName } from '../src/runtime/program.js';
import { Runtime } from '../src/runtime/runtime.js';
import { ENGINES, errnoOf, load, run, trapAt } from './support/maps.js';

const ringbuf = (runtime: Runtime, size = 4096) =>
  runtime.createMap({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: size, name: 'events' });

/** ringbuf_output of `size` bytes from the stack (every byte `fill`), flags; r0 = the result. */
const outputProgram = (fd: number, size: number, fill: number, flags = 0) => `
  lddw %r1, ${BigInt(fill) * 0x0101010101010101n}
  ${Array.from({ length: 8 }, (_, i) => `stxdw [%r10-${64 - 8 * i}], %r1`).join('\n  ')}
  lddw %r1, map_fd(${fd})
  mov %r2, %r10
  add %r2, -64
  mov %r3, ${size}
  mov %r4, ${flags}
  call 130
  exit`;

/** Reserve `size` bytes, write `value` (u32) at the start, then submit (132) or discard (133). */
const reserveProgram = (fd: number, size: number, value: number, commit: 132 | 133 | 0, flags = 0) => `
  lddw %r1, map_fd(${fd})
  mov %r2, ${size}
  mov %r3, ${flags}
  call 131
  jeq %r0, 0, out
  stw [%r0], ${value}
  mov %r6, %r0
  ${commit === 0 ? '' : `mov %r1, %r0\n  mov %r2, 0\n  call ${commit}\n  mov %r0, %r6`}
out:
  exit`;

const query = (engine: EngineName, rt: Runtime, rb: RingBufMap, flag: number) => run(engine, `
  lddw %r1, map_fd(${rb.fd})
  mov %r2, ${flag}
  call 134
  exit`, rt);

describe('ringbuf', () => {
  for (const engine of ENGINES) {
    it(`${engine}: ringbuf_output records reach the host in order, 8-byte aligned, with their exact size`, () => {
      const rt = new Runtime();
      const rb = ringbuf(rt);
      expect(run(engine, outputProgram(rb.fd, 5, 0x11), rt)).toBe(0n);
      expect(run(engine, outputProgram(rb.fd, 16, 0x22), rt)).toBe(0n);
      expect(run(engine, outputProgram(rb.fd, 0, 0x33), rt)).toBe(0n);
      expect(rb.available).toBe(16 + 24 + 8);
      const records = rb.drain();
      expect(records.map((r) => r.length)).toEqual([5, 16, 0]);
      expect([...records[0]]).toEqual([0x11, 0x11, 0x11, 0x11, 0x11]);
      expect(rb.available).toBe(0);
      expect(rb.drain()).toEqual([]);
    });

    it(`${engine}: reserve + submit delivers, reserve + discard is skipped, and an unsubmitted record holds back later ones`, () => {
      const rt = new Runtime();
      const rb = ringbuf(rt);
      const p = (src: string) => load(engine, src, rt);
      expect(p(reserveProgram(rb.fd, 4, 1, 132))()).not.toBe(0n);
      expect(p(reserveProgram(rb.fd, 4, 2, 133))()).not.toBe(0n);
      const pending = p(reserveProgram(rb.fd, 4, 3, 0))();
      expect(p(reserveProgram(rb.fd, 4, 4, 132))()).not.toBe(0n);
      expect(rb.drain().map((r) => u32.decode(r))).toEqual([1]);
      // Submit the pending record from another program: now it and the one after it come out.
      expect(run(engine, `lddw %r1, ${pending}\nmov %r2, 0\ncall 132\nmov %r0, 0\nexit`, rt)).toBe(0n);
      expect(rb.drain().map((r) => u32.decode(r))).toEqual([3, 4]);
    });

    it(`${engine}: reserve fails (NULL) when the record does not fit, output with -EAGAIN; consuming makes room again`, () => {
      const rt = new Runtime();
      const rb = ringbuf(rt);
      // 4096-byte ring: the producer may be at most 4095 bytes ahead, so 1000-byte records (1008 with header) fit 4 times.
      for (let i = 0; i < 4; i++) expect(p0(engine, rt, reserveProgram(rb.fd, 1000, i, 132))).not.toBe(0n);
      expect(p0(engine, rt, reserveProgram(rb.fd, 1000, 9, 132))).toBe(0n);
      // 4032 bytes used: a 48-byte record (56 with its header) still fits, then not even an empty one.
      expect(BigInt.asIntN(64, p0(engine, rt, outputProgram(rb.fd, 48, 1)))).toBe(0n);
      expect(BigInt.asIntN(64, p0(engine, rt, outputProgram(rb.fd, 0, 1)))).toBe(-11n);
      expect(rb.drain().length).toBe(5);
      expect(p0(engine, rt, reserveProgram(rb.fd, 4096, 1, 132))).toBe(0n);
      expect(p0(engine, rt, reserveProgram(rb.fd, 4088, 1, 132))).toBe(0n);
      expect(p0(engine, rt, reserveProgram(rb.fd, 4080, 7, 132))).not.toBe(0n);
      expect(rb.drain().map((r) => [r.length, u32.decode(r)])).toEqual([[4080, 7]]);
    });

    it(`${engine}: records that run past the end of the ring come out whole`, () => {
      const rt = new Runtime();
      const rb = ringbuf(rt);
      const seen: string[] = [];
      const want: string[] = [];
      const record = (r: Uint8Array) => seen.push(r.length === 900 ? `reserved ${u32.decode(r)}` : `output ${r.length} x ${[...new Set(r)]}`);
      for (let round = 0; round < 40; round++) {
        const size = 8 + ((round * 37) % 56);
        expect(p0(engine, rt, outputProgram(rb.fd, size, round + 1))).toBe(0n);
        want.push(`output ${size} x ${round + 1}`);
        expect(p0(engine, rt, reserveProgram(rb.fd, 900, round, 132))).not.toBe(0n);
        want.push(`reserved ${round}`);
        if (round % 3 === 2) rb.consume(record);
      }
      rb.consume(record);
      expect(seen).toEqual(want);
      // The ring went round several times.
      expect(query(engine, rt, rb, 3)).toBeGreaterThan(4n * 4096n);
    });

    it(`${engine}: ringbuf_query reports available data, size and positions; unknown flags give 0`, () => {
      const rt = new Runtime();
      const rb = ringbuf(rt, 8192);
      run(engine, outputProgram(rb.fd, 12, 1), rt);
      expect([0, 1, 2, 3, 4].map((f) => query(engine, rt, rb, f))).toEqual([24n, 8192n, 0n, 24n, 0n]);
      rb.drain();
      expect([0, 2, 3].map((f) => query(engine, rt, rb, f))).toEqual([0n, 24n, 24n]);
    });

    it(`${engine}: flags: reserve with flags is NULL, output with unknown flags -EINVAL`, () => {
      const rt = new Runtime();
      const rb = ringbuf(rt);
      expect(p0(engine, rt, reserveProgram(rb.fd, 8, 1, 132, 1))).toBe(0n);
      expect(BigInt.asIntN(64, p0(engine, rt, outputProgram(rb.fd, 8, 1, 4)))).toBe(-22n);
      expect(p0(engine, rt, outputProgram(rb.fd, 8, 1, 3))).toBe(0n);
    });

    it(`${engine}: submitting twice, or a pointer that is no record, traps BAD_RINGBUF_RECORD with the pc`, () => {
      const rt = new Runtime();
      const rb = ringbuf(rt);
      const twice = `
        lddw %r1, map_fd(${rb.fd})
        mov %r2, 8
        mov %r3, 0
        call 131
        mov %r6, %r0
        mov %r1, %r6
        mov %r2, 0
        call 132
        mov %r1, %r6
        mov %r2, 0
        call 133
        exit`;
      expect(trapAt(() => run(engine, twice, rt))).toEqual(['BAD_RINGBUF_RECORD', 11]);
      expect(trapAt(() => run(engine, 'mov %r1, %r10\nadd %r1, -8\nmov %r2, 0\ncall 132\nexit', rt))).toEqual(['BAD_RINGBUF_RECORD', 3]);
    });

    it(`${engine}: the ring buffer helpers trap BAD_MAP_TYPE on another map type`, () => {
      const rt = new Runtime();
      const h = rt.createMap({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 1 });
      expect(trapAt(() => run(engine, `lddw %r1, map_fd(${h.fd})\nmov %r2, 0\ncall 134\nexit`, rt))).toEqual(['BAD_MAP_TYPE', 3]);
    });
  }

  it('an async iterator waits for records and wakes when a program submits (adaptive wakeup), until aborted', async () => {
    const rt = new Runtime();
    const rb = ringbuf(rt);
    const prog = load('jit', outputProgram(rb.fd, 4, 7), rt);
    const controller = new AbortController();
    const received: number[] = [];
    const reader = (async () => {
      for await (const record of rb.records({ signal: controller.signal })) {
        received.push(record[0]);
        if (received.length === 3) controller.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
    prog();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(received).toEqual([7]);
    prog();
    prog();
    await reader;
    expect(received).toEqual([7, 7, 7]);
  });

  it('BPF_RB_NO_WAKEUP does not wake a waiting reader; BPF_RB_FORCE_WAKEUP does', async () => {
    const rt = new Runtime();
    const rb = ringbuf(rt);
    const controller = new AbortController();
    const received: number[] = [];
    const reader = (async () => {
      for await (const record of rb.records({ signal: controller.signal })) received.push(record[0]);
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
    run('interp', outputProgram(rb.fd, 4, 1, 1), rt);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(received).toEqual([]);
    run('interp', outputProgram(rb.fd, 4, 2, 2), rt);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(received).toEqual([1, 2]);
    controller.abort();
    await reader;
  });

  it('consume hands out views during the callback and frees each record even if the callback throws', () => {
    const rt = new Runtime();
    const rb = ringbuf(rt);
    run('jit', outputProgram(rb.fd, 4, 1), rt);
    run('jit', outputProgram(rb.fd, 4, 2), rt);
    expect(() => rb.consume(() => { throw new Error('stop'); })).toThrow('stop');
    expect(rb.drain().map((r) => r[0])).toEqual([2]);
  });

  it('creation needs a power-of-two, page-multiple size and zero key and value sizes; key/value operations are ENOTSUPP', () => {
    const rt = new Runtime();
    expect(errnoOf(() => ringbuf(rt, 6000))).toBe('EINVAL');
    expect(errnoOf(() => ringbuf(rt, 2048))).toBe('EINVAL');
    expect(errnoOf(() => rt.createMap({ type: 'ringbuf', keySize: 4, valueSize: 0, maxEntries: 4096 }))).toBe('EINVAL');
    const rb = ringbuf(rt);
    expect(rb.size).toBe(4096);
    expect(errnoOf(() => rb.lookup())).toBe('ENOTSUPP');
    expect(errnoOf(() => rb.update())).toBe('ENOTSUPP');
    expect(errnoOf(() => rb.nextKey())).toBe('ENOTSUPP');
  });
});

function p0(engine: EngineName, rt: Runtime, source: string): bigint {
  return run(engine, source, rt);
}
