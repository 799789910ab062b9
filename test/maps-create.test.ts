import { describe, expect, it } from 'vitest';
import { EbpfError } from '../src/errors.js';
import { BpfMap } from '../src/maps/bpf-map.js';
import { u32, u64 } from '../src/maps/codecs.js';
import { MapError } from '../src/maps/map-error.js';
import { MAP_FLAGS } from '../src/maps/map-spec-check.js';
import { PerfEventArrayMap } from '../src/maps/perf-event-array.js';
import { ProgArrayMap } from '../src/maps/prog-array.js';
import { QueueStackMap } from '../src/maps/queue-stack-map.js';
import { RingBufMap } from '../src/maps/ringbuf-map.js';
import type { MapSpec } from '../src/maps/types.js';
import { Runtime } from '../src/runtime/runtime.js';
import { errnoOf, mapError } from './support/maps.js';

const spec = (over: Partial<MapSpec> & Pick<MapSpec, 'type'>): MapSpec => ({ keySize: 4, valueSize: 8, maxEntries: 4, ...over });

describe('runtime.createMap', () => {
  it('gives fds 1, 2, 3... and finds maps by fd, name and descriptor address', () => {
    const rt = new Runtime();
    const a = rt.createMap(spec({ type: 'hash', name: 'flows' }));
    const b = rt.createMap(spec({ type: 'array' }));
    expect([a.fd, b.fd]).toEqual([1, 2]);
    expect(rt.maps.get(2)).toBe(b);
    expect([...rt.maps.keys()]).toEqual([1, 2]);
    expect(rt.mapByName('flows')).toBe(a);
    expect(b.name).toBe('map_2');
    expect(rt.mapByName('nope')).toBeUndefined();
    expect(rt.mapAt(a.address)).toBe(a);
    expect(rt.mapAt(BigInt(b.address))).toBe(b);
    expect(rt.mapAt(a.address + 8)).toBeUndefined();
    expect(a.spec.name).toBe('flows');
  });

  it('places maps in the heap, 8-aligned, where programs reach their values and not their descriptors', () => {
    const rt = new Runtime();
    const m = rt.createMap(spec({ type: 'hash' }));
    expect(m.address % 8).toBe(0);
    expect(m.address).toBeGreaterThanOrEqual(rt.layout.heapBase);
    expect(rt.isAccessible(m.address, 8)).toBe(false);
    const value = (() => { m.update(u32(1), u64(1)); return m.valueAddress(u32(1))!; })();
    expect(value % 8).toBe(0);
    expect(rt.isAccessible(value, 8)).toBe(true);
  });

  it('returns the class of the map type', () => {
    const rt = new Runtime();
    expect(rt.createMap(spec({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 }))).toBeInstanceOf(RingBufMap);
    expect(rt.createMap(spec({ type: 'perf_event_array', valueSize: 4 }))).toBeInstanceOf(PerfEventArrayMap);
    expect(rt.createMap(spec({ type: 'prog_array', valueSize: 4 }))).toBeInstanceOf(ProgArrayMap);
    expect(rt.createMap(spec({ type: 'stack', keySize: 0 }))).toBeInstanceOf(QueueStackMap);
    const hash = rt.createMap(spec({ type: 'lru_hash' }));
    expect(hash).toBeInstanceOf(BpfMap);
    expect(hash.constructor).toBe(BpfMap);
  });

  it.each([
    ['a zero size', spec({ type: 'hash', valueSize: 0 }), 'EINVAL'],
    ['zero entries', spec({ type: 'array', maxEntries: 0 }), 'EINVAL'],
    ['array keys that are not 4 bytes', spec({ type: 'array', keySize: 8 }), 'EINVAL'],
    ['fd array values that are not 4 bytes', spec({ type: 'prog_array' }), 'EINVAL'],
    ['hash keys larger than the stack', spec({ type: 'hash', keySize: 513 }), 'E2BIG'],
    ['per-CPU values over 32 KiB', spec({ type: 'percpu_array', valueSize: 32 * 1024 + 1 }), 'E2BIG'],
    ['unknown flags', spec({ type: 'hash', flags: 1 << 20 }), 'EINVAL'],
    ['BPF_F_ZERO_SEED on an array', spec({ type: 'array', flags: MAP_FLAGS.ZERO_SEED }), 'EINVAL'],
    ['an unknown type', spec({ type: 'sockmap' as never }), 'EINVAL'],
    ['initial contents on a hash', spec({ type: 'hash', initial: new Uint8Array(1) }), 'EINVAL'],
    ['initial contents larger than the array', spec({ type: 'array', maxEntries: 1, initial: new Uint8Array(9) }), 'EINVAL'],
  ])('refuses %s like the kernel', (_what, s, code) => {
    expect(errnoOf(() => new Runtime().createMap(s))).toBe(code);
  });

  it('a spec no bpf_attr could hold is a TypeError or RangeError naming the field', () => {
    const rt = new Runtime();
    expect(() => rt.createMap(spec({ type: 'hash', keySize: -4 }))).toThrow(new RangeError('createMap(spec) keySize must be an integer from 0 to 4294967295, got -4'));
    expect(() => rt.createMap(spec({ type: 'hash', maxEntries: 2 ** 32 }))).toThrow(RangeError);
    expect(() => rt.createMap(spec({ type: 'hash', valueSize: '8' as never }))).toThrow(new TypeError('createMap(spec) valueSize must be a number, got the string "8"'));
    expect(() => rt.createMap(null as never)).toThrow(new TypeError('createMap(spec) must be an object { type, keySize, valueSize, maxEntries }, got null'));
    expect(() => rt.createMap(spec({ type: 2 as never }))).toThrow(TypeError);
    // 'toString' in MAP_TYPES is true: only the table's own names are types.
    expect(errnoOf(() => rt.createMap(spec({ type: 'toString' as never })))).toBe('EINVAL');
    expect(rt.maps.size).toBe(0);
  });

  it('ENOMEM when the map cannot fit in the 4 GiB memory; the runtime stays usable', () => {
    const rt = new Runtime();
    const e = mapError(() => rt.createMap(spec({ type: 'array', valueSize: 4096, maxEntries: 2 ** 20 + 1 })));
    expect([e.code, e.errno, e.kind]).toEqual(['ENOMEM', 12, 'map']);
    expect(e).toBeInstanceOf(EbpfError);
    expect(rt.createMap(spec({ type: 'array' })).fd).toBe(1);
  });

  it('BPF_F_RDONLY / BPF_F_WRONLY restrict the host API with EPERM', () => {
    const rt = new Runtime();
    const ro = rt.createMap(spec({ type: 'hash', flags: MAP_FLAGS.RDONLY }));
    expect(errnoOf(() => ro.update(u32(1), u64(1)))).toBe('EPERM');
    expect(ro.lookup(u32(1))).toBeUndefined();
    const wo = rt.createMap(spec({ type: 'hash', flags: MAP_FLAGS.WRONLY }));
    wo.update(u32(1), u64(1));
    expect(errnoOf(() => wo.lookup(u32(1)))).toBe('EPERM');
  });

  it('MapError carries the errno name as code and the positive errno', () => {
    const e = mapError(() => new Runtime().createMap(spec({ type: 'hash' })).delete(u32(1)));
    expect(e).toBeInstanceOf(MapError);
    expect([e.code, e.errno]).toEqual(['ENOENT', 2]);
    expect(e.message).toMatch(/delete on hash map 'map_1' \(fd 1\): ENOENT/);
  });
});
