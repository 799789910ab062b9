import { MAX_WASM_PAGES, WASM_PAGE } from '../abi/layout.js';
import { BpfMap, type MapPlacement } from './bpf-map.js';
import { DESC, DESC_MAGIC, DESC_SIZE, ENTRY, MAP_KIND, roundUp8 } from './descriptor.js';
import { MapError } from './map-error.js';
import { checkMapSpec, MAP_FLAGS } from './map-spec-check.js';
import type { MapsExports } from './maps-module.js';
import type { MapMemory } from './memory.js';
import type { ValueArea } from './value-areas.js';
import { PerfEventArrayMap } from './perf-event-array.js';
import { ProgArrayMap } from './prog-array.js';
import { QueueStackMap } from './queue-stack-map.js';
import { RingBufMap } from './ringbuf-map.js';
import { MAP_TYPES, type MapSpec, type MapTypeName } from './types.js';

/** The class `createMap` returns for a map type. */
export type MapOf<T extends MapTypeName> =
  T extends 'ringbuf' ? RingBufMap
    : T extends 'perf_event_array' ? PerfEventArrayMap
      : T extends 'prog_array' ? ProgArrayMap
        : T extends 'queue' | 'stack' ? QueueStackMap
          : BpfMap;

/** Sizes of a map's parts, from its spec and the runtime's CPU count. */
interface Geometry {
  readonly kind: number;
  readonly elemSize: number;
  readonly cpuStride: number;
  readonly valueBlock: number;
  readonly valueOffset: number;
  readonly storageBytes: number;
  readonly bucketCount: number;
  readonly slots: number;
  /** Host staging: two padded keys and a value block. */
  readonly stagingBytes: number;
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

function geometry(spec: MapSpec, cpus: number): Geometry {
  const perCpu = spec.type === 'percpu_array' || spec.type === 'percpu_hash';
  const stride = roundUp8(spec.valueSize);
  const cpuStride = perCpu ? stride : 0;
  // What the host exchanges: the kernel copies value_size bytes, or every CPU's padded value.
  const valueBlock = perCpu ? stride * cpus : spec.valueSize;
  const allocated = perCpu ? stride * cpus : stride;
  const keys = 2 * roundUp8(spec.keySize);
  const base = { cpuStride, valueBlock, valueOffset: 0, bucketCount: 0, slots: 0, stagingBytes: keys + roundUp8(valueBlock) };
  switch (spec.type) {
    case 'array': case 'percpu_array':
      return { ...base, kind: MAP_KIND.array, elemSize: allocated, storageBytes: allocated * spec.maxEntries };
    // The redirect maps are stored as hash maps: an index holds an entry only once stored.
    case 'hash': case 'percpu_hash': case 'lru_hash': case 'devmap': case 'devmap_hash': case 'cpumap': case 'xskmap': {
      const valueOffset = ENTRY.key + roundUp8(spec.keySize);
      const elemSize = valueOffset + allocated;
      return { ...base, kind: MAP_KIND.hash, elemSize, valueOffset, bucketCount: nextPowerOfTwo(spec.maxEntries), storageBytes: elemSize * spec.maxEntries };
    }
    case 'queue': case 'stack': {
      const slots = spec.maxEntries + 1;
      const kind = spec.type === 'queue' ? MAP_KIND.queue : MAP_KIND.stack;
      return { ...base, kind, elemSize: spec.valueSize, slots, storageBytes: slots * spec.valueSize };
    }
    // The data area and, after it, a shadow of the same size for records that run past the end.
    case 'ringbuf':
      return { ...base, kind: MAP_KIND.ringbuf, elemSize: 0, storageBytes: 2 * spec.maxEntries, stagingBytes: 0 };
    case 'prog_array': case 'perf_event_array':
      return { ...base, kind: MAP_KIND.host, elemSize: 0, storageBytes: 0 };
  }
}

/** Allocate `size` heap bytes, or MapError ENOMEM if the 4 GiB memory cannot hold them. */
function allocate(runtime: MapMemory, spec: MapSpec, size: number): number {
  const limit = MAX_WASM_PAGES * WASM_PAGE;
  if (runtime.heapLimit + size + 8 > limit) {
    throw new MapError('ENOMEM', `cannot create ${spec.type} map: ${size} bytes do not fit in the runtime's memory`);
  }
  try {
    return runtime.allocateMapStorage(size, 8);
  } catch (e) {
    if (e instanceof RangeError) throw new MapError('ENOMEM', `cannot create ${spec.type} map: ${e.message}`);
    throw e;
  }
}

/** The values of an array or hash map, which programs reach through map_lookup_elem (value-areas.ts). */
function valueArea(spec: MapSpec, g: Geometry, storage: number, flags: number): ValueArea | undefined {
  if (g.kind !== MAP_KIND.array && g.kind !== MAP_KIND.hash) return undefined;
  return {
    start: storage, elemSize: g.elemSize, count: spec.maxEntries, valueStart: g.valueOffset,
    readonly: (flags & MAP_FLAGS.RDONLY_PROG) !== 0,
  };
}

function randomSeed(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0];
}

/**
 * Create a map in `runtime`'s heap: the descriptor, then the buckets and storage its
 * type needs, then the host API's staging area, all zeroed; then fill in the descriptor
 * and let the maps module initialise the storage (hash free lists).
 */
export function createMap<S extends MapSpec>(runtime: MapMemory, exports: MapsExports, spec: S, fd: number): MapOf<S['type']> {
  checkMapSpec(spec);
  const g = geometry(spec, runtime.cpus);
  const bucketBytes = g.bucketCount * 4;
  const address = allocate(runtime, spec, DESC_SIZE + roundUp8(bucketBytes) + g.storageBytes + g.stagingBytes);
  const buckets = address + DESC_SIZE;
  const storage = buckets + roundUp8(bucketBytes);
  const staging = storage + g.storageBytes;

  const view = new DataView(runtime.memory.buffer);
  const set = (field: number, value: number) => view.setUint32(address + field, value, true);
  const flags = (spec.flags ?? 0) | (spec.readonly ? MAP_FLAGS.RDONLY_PROG : 0);
  set(DESC.magic, DESC_MAGIC);
  set(DESC.self, address);
  set(DESC.type, MAP_TYPES[spec.type]);
  set(DESC.kind, g.kind);
  set(DESC.keySize, spec.keySize);
  set(DESC.valueSize, spec.valueSize);
  set(DESC.maxEntries, spec.maxEntries);
  set(DESC.mapFlags, flags);
  set(DESC.elemSize, g.elemSize);
  set(DESC.cpuStride, g.cpuStride);
  set(DESC.valueBlock, g.valueBlock);
  set(DESC.storage, storage);
  set(DESC.buckets, buckets);
  set(DESC.bucketMask, Math.max(0, g.bucketCount - 1));
  set(DESC.slots, g.slots);
  set(DESC.hashSeed, g.kind === MAP_KIND.hash && !(flags & MAP_FLAGS.ZERO_SEED) ? randomSeed() : 0);
  set(DESC.ringMask, spec.type === 'ringbuf' ? spec.maxEntries - 1 : 0);
  set(DESC.lru, spec.type === 'lru_hash' ? 1 : 0);
  set(DESC.fd, fd);
  set(DESC.valueOffset, g.valueOffset);
  exports.host_init(address);

  if (spec.initial !== undefined) {
    const bytes = runtime.bytes();
    for (let i = 0; i * spec.valueSize < spec.initial.length; i++) {
      bytes.set(spec.initial.subarray(i * spec.valueSize, (i + 1) * spec.valueSize), storage + i * g.elemSize);
    }
  }

  const placement: MapPlacement = {
    fd, name: spec.name ?? `map_${fd}`, address, staging, valueBlockSize: g.valueBlock, values: valueArea(spec, g, storage, flags),
  };
  return instantiate(runtime, spec, placement, exports) as MapOf<S['type']>;
}

function instantiate(runtime: MapMemory, spec: MapSpec, placement: MapPlacement, exports: MapsExports): BpfMap {
  switch (spec.type) {
    case 'ringbuf': return new RingBufMap(runtime, spec, placement, exports);
    case 'perf_event_array': return new PerfEventArrayMap(runtime, spec, placement, exports);
    case 'prog_array': return new ProgArrayMap(runtime, spec, placement, exports);
    case 'queue': case 'stack': return new QueueStackMap(runtime, spec, placement, exports);
    default: return new BpfMap(runtime, spec, placement, exports);
  }
}
