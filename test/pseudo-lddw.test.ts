import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { loadProgram } from '../src/engine.js';
import { u32, u64 } from '../src/maps/codecs.js';
import { Runtime } from '../src/runtime/runtime.js';
import { ENGINES, failure, load } from './support/maps.js';


describe('lddw map pseudo loads', () => {
  for (const engine of ENGINES) {
    it(`${engine}: map_fd(fd) loads the map's address, map_value(fd, off) the address of its value + off`, () => {
      const rt = new Runtime();
      rt.createMap({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 1 });
      const data = rt.createMap({ type: 'array', keySize: 4, valueSize: 16, maxEntries: 1, name: '.data' });
      expect(load(engine, `lddw %r0, map_fd(${data.fd})\nexit`, rt)()).toBe(BigInt(data.address));
      expect(load(engine, `lddw %r0, map_value(${data.fd}, 12)\nexit`, rt)()).toBe(BigInt(data.valueAddress(u32(0))! + 12));
    });

    it(`${engine}: a program reads and writes global data (.data as a 1-entry array map) through map_value`, () => {
      const rt = new Runtime();
      const data = rt.createMap({ type: 'array', keySize: 4, valueSize: 16, maxEntries: 1, name: '.data', initial: u64(40) });
      const prog = load(engine, `
        lddw %r1, map_value(${data.fd}, 0)
        ldxdw %r0, [%r1]
        add %r0, 1
        stxdw [%r1], %r0
        lddw %r2, map_value(${data.fd}, 8)
        stxdw [%r2], %r0
        exit`, rt);
      expect([prog(), prog()]).toEqual([41n, 42n]);
      expect(u64.decode(data.lookup(u32(0))!, 8)).toBe(42n);
    });

    it(`${engine}: map_idx / map_idx_value resolve through the program's maps option`, () => {
      const rt = new Runtime();
      const a = rt.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 });
      const b = rt.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 });
      const prog = load(engine, 'lddw %r1, map_idx(1)\nlddw %r2, map_idx_value(0, 4)\nmov %r0, %r1\nsub %r0, %r2\nexit', rt, { maps: [a, b] });
      expect(BigInt.asIntN(64, prog())).toBe(BigInt(b.address - (a.valueAddress(u32(0))! + 4)));
    });

    it(`${engine}: load-time errors with the pc: UNKNOWN_MAP, BAD_MAP_VALUE, UNRESOLVED_PSEUDO`, () => {
      const rt = new Runtime();
      const hash = rt.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 1 });
      const big = rt.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 2 });
      const one = rt.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 });
      const percpu = rt.createMap({ type: 'percpu_array', keySize: 4, valueSize: 8, maxEntries: 1 });
      const other = new Runtime().createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 });
      const fail = (src: string, maps?: Parameters<typeof load>[3]) => failure(() => load(engine, `mov %r0, 0\n${src}\nexit`, rt, maps));
      const cls = 'VerifierError';
      expect(fail('lddw %r1, map_fd(9)')).toEqual([cls, 'UNKNOWN_MAP', 1]);
      expect(fail('lddw %r1, map_value(9, 0)')).toEqual([cls, 'UNKNOWN_MAP', 1]);
      expect(fail(`lddw %r1, map_value(${hash.fd}, 0)`)).toEqual([cls, 'BAD_MAP_VALUE', 1]);
      expect(fail(`lddw %r1, map_value(${big.fd}, 0)`)).toEqual([cls, 'BAD_MAP_VALUE', 1]);
      expect(fail(`lddw %r1, map_value(${percpu.fd}, 0)`)).toEqual([cls, 'BAD_MAP_VALUE', 1]);
      expect(fail(`lddw %r1, map_value(${one.fd}, 8)`)).toEqual([cls, 'BAD_MAP_VALUE', 1]);
      expect(fail(`lddw %r1, map_value(${one.fd}, -1)`)).toEqual([cls, 'BAD_MAP_VALUE', 1]);
      expect(fail('lddw %r1, map_idx(0)')).toEqual([cls, 'UNKNOWN_MAP', 1]);
      expect(fail('lddw %r1, map_idx(1)', { maps: [one] })).toEqual([cls, 'UNKNOWN_MAP', 1]);
      expect(fail('lddw %r1, map_idx(0)', { maps: [other] })).toEqual([cls, 'UNKNOWN_MAP', 1]);
      expect(fail('lddw %r1, btf_id(1)')).toEqual([cls, 'UNRESOLVED_PSEUDO', 1]);
      expect(fail(`lddw %r1, map_fd(${one.fd})\nlddw %r2, map_fd(7)`)).toEqual([cls, 'UNKNOWN_MAP', 3]);
    });
  }

  it('loadProgram passes the maps option to either engine', () => {
    const rt = new Runtime();
    const m = rt.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 });
    for (const engine of ENGINES) {
      expect(loadProgram(assemble('lddw %r0, map_idx(0)\nexit'), { engine, runtime: rt, maps: [m] })()).toBe(BigInt(m.address));
    }
  });
});
