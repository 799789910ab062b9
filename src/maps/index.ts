/** The maps API: what `src/index.ts` re-exports. */
export { MAP_TYPES, UPDATE_FLAGS, mapTypeName, type MapSpec, type MapTypeName } from './types.js';
export { MAP_FLAGS } from './map-spec-check.js';
export { MapError, ERRNO, errnoName, type ErrnoName } from './map-error.js';
export { BpfMap, type MapBatch } from './bpf-map.js';
export { QueueStackMap } from './queue-stack-map.js';
export { RingBufMap } from './ringbuf-map.js';
export { PerfEventArrayMap, DEFAULT_PERF_CAPACITY, type PerfRecord } from './perf-event-array.js';
export { ProgArrayMap } from './prog-array.js';
export type { MapOf } from './create-map.js';
export { MapView, PerCpuMapView } from './map-view.js';
export { u8, u16, u32, i32, u64, i64, fixedBytes, type Codec, type CodecFn } from './codecs.js';
export type { StreamOptions } from './record-stream.js';
