import { checkInteger, describeValue } from '../arguments.js';
import { MapError } from './map-error.js';
import { MAP_TYPES, type MapSpec } from './types.js';

/** BPF_F_* map creation flags (include/uapi/linux/bpf.h). */
export const MAP_FLAGS = {
  NO_PREALLOC: 1 << 0,
  NO_COMMON_LRU: 1 << 1,
  NUMA_NODE: 1 << 2,
  RDONLY: 1 << 3,
  WRONLY: 1 << 4,
  ZERO_SEED: 1 << 6,
  RDONLY_PROG: 1 << 7,
  WRONLY_PROG: 1 << 8,
  MMAPABLE: 1 << 10,
  PRESERVE_ELEMS: 1 << 11,
  INNER_MAP: 1 << 12,
} as const;

const F = MAP_FLAGS;
const ACCESS = F.RDONLY | F.WRONLY | F.RDONLY_PROG | F.WRONLY_PROG;
/** The kernel's *_CREATE_FLAG_MASKs. */
const HASH_FLAGS = F.NO_PREALLOC | F.NO_COMMON_LRU | F.NUMA_NODE | ACCESS | F.ZERO_SEED;
const ARRAY_FLAGS = F.NUMA_NODE | F.MMAPABLE | ACCESS | F.PRESERVE_ELEMS | F.INNER_MAP;
const QUEUE_STACK_FLAGS = F.NUMA_NODE | ACCESS;
const RINGBUF_FLAGS = F.NUMA_NODE;
/** DEV_CREATE_FLAG_MASK (devmap, devmap_hash), XSK's, cpumap's. */
const DEV_FLAGS = F.NUMA_NODE | F.RDONLY | F.WRONLY;
const CPUMAP_FLAGS = F.NUMA_NODE;

/** The kernel's MAX_BPF_STACK: keys are built on the stack, so none is larger. */
const MAX_KEY_SIZE = 512;
/** PCPU_MIN_UNIT_SIZE: the largest per-CPU value. */
const MAX_PERCPU_VALUE = 32 * 1024;
/** KMALLOC_MAX_SIZE on x86-64 (4 MiB), the largest array/queue value. */
const MAX_VALUE_SIZE = 4 << 20;
/** The page size ring buffer sizes are multiples of (x86-64). */
export const PAGE_SIZE = 4096;

function fail(spec: MapSpec, code: 'EINVAL' | 'E2BIG' | 'ENOTSUPP', why: string): never {
  throw new MapError(code, `cannot create ${spec.type} map${spec.name ? ` '${spec.name}'` : ''}: ${why}`);
}

/**
 * What no `bpf_attr` could hold, checked before the kernel's checks: a spec that is not
 * an object, a type that is not a string, sizes and flags that are no u32 (TypeError,
 * RangeError, naming the field); the rest is the kernel's to refuse, with its errno.
 */
function checkSpecShape(spec: MapSpec): void {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new TypeError(`createMap(spec) must be an object { type, keySize, valueSize, maxEntries }, got ${describeValue(spec)}`);
  }
  if (typeof spec.type !== 'string') throw new TypeError(`createMap(spec) type must be a string such as 'hash' or 'array', got ${describeValue(spec.type)}`);
  for (const field of ['keySize', 'valueSize', 'maxEntries'] as const) checkInteger(`createMap(spec) ${field}`, spec[field], 0, 0xffff_ffff);
  if (spec.flags !== undefined) checkInteger('createMap(spec) flags', spec.flags, 0, 0xffff_ffff);
  if (spec.name !== undefined && typeof spec.name !== 'string') throw new TypeError(`createMap(spec) name must be a string, got ${describeValue(spec.name)}`);
  if (spec.readonly !== undefined && typeof spec.readonly !== 'boolean') {
    throw new TypeError(`createMap(spec) readonly must be a boolean, got ${describeValue(spec.readonly)}`);
  }
  if (spec.initial !== undefined && !(spec.initial instanceof Uint8Array)) {
    throw new TypeError(`createMap(spec) initial must be a Uint8Array, got ${describeValue(spec.initial)}`);
  }
}

/**
 * The checks of the kernel's map_alloc_check functions (hashtab.c, arraymap.c,
 * queue_stack_maps.c, ringbuf.c): EINVAL for sizes a type does not allow and unknown
 * flags, E2BIG for keys or values too large. Memory is checked when allocating (ENOMEM).
 */
export function checkMapSpec(spec: MapSpec): void {
  checkSpecShape(spec);
  // Own properties only: 'toString' in MAP_TYPES is true.
  if (!Object.hasOwn(MAP_TYPES, spec.type)) fail(spec, 'EINVAL', `unknown map type '${spec.type}'`);
  const { keySize, valueSize, maxEntries } = spec;
  const flags = spec.flags ?? 0;
  const allowFlags = (mask: number) => {
    if (flags & ~mask) fail(spec, 'EINVAL', `flags 0x${flags.toString(16)} include some this map type does not take`);
  };
  switch (spec.type) {
    case 'hash': case 'percpu_hash': case 'lru_hash':
      allowFlags(HASH_FLAGS);
      if (maxEntries === 0 || keySize === 0 || valueSize === 0) fail(spec, 'EINVAL', 'keySize, valueSize and maxEntries must be positive');
      if (spec.type === 'lru_hash' && flags & F.NO_PREALLOC) fail(spec, 'ENOTSUPP', 'an LRU map is always preallocated');
      if (spec.type !== 'lru_hash' && flags & F.NO_COMMON_LRU) fail(spec, 'EINVAL', 'BPF_F_NO_COMMON_LRU is for LRU maps');
      if (keySize > MAX_KEY_SIZE) fail(spec, 'E2BIG', `keySize ${keySize} exceeds ${MAX_KEY_SIZE}`);
      if (spec.type === 'percpu_hash' && valueSize > MAX_PERCPU_VALUE) fail(spec, 'E2BIG', `per-CPU values are at most ${MAX_PERCPU_VALUE} bytes`);
      if (valueSize > MAX_VALUE_SIZE) fail(spec, 'E2BIG', `valueSize ${valueSize} exceeds ${MAX_VALUE_SIZE}`);
      break;
    case 'array': case 'percpu_array': case 'prog_array': case 'perf_event_array':
      allowFlags(ARRAY_FLAGS);
      if (maxEntries === 0 || keySize !== 4 || valueSize === 0) fail(spec, 'EINVAL', 'arrays need keySize 4 and positive valueSize and maxEntries');
      if ((spec.type === 'prog_array' || spec.type === 'perf_event_array') && valueSize !== 4) fail(spec, 'EINVAL', 'valueSize must be 4 (an fd)');
      if (spec.type === 'percpu_array' && valueSize > MAX_PERCPU_VALUE) fail(spec, 'E2BIG', `per-CPU values are at most ${MAX_PERCPU_VALUE} bytes`);
      if (valueSize > MAX_VALUE_SIZE) fail(spec, 'E2BIG', `valueSize ${valueSize} exceeds ${MAX_VALUE_SIZE}`);
      break;
    case 'queue': case 'stack':
      allowFlags(QUEUE_STACK_FLAGS);
      if (maxEntries === 0 || keySize !== 0 || valueSize === 0) fail(spec, 'EINVAL', 'queues and stacks need keySize 0 and positive valueSize and maxEntries');
      if (valueSize > MAX_VALUE_SIZE) fail(spec, 'E2BIG', `valueSize ${valueSize} exceeds ${MAX_VALUE_SIZE}`);
      break;
    case 'devmap': case 'devmap_hash': case 'cpumap': case 'xskmap': {
      allowFlags(spec.type === 'cpumap' ? CPUMAP_FLAGS : DEV_FLAGS);
      // devmap/cpumap values: a u32 (ifindex, queue size) or the struct with a program fd; xskmap: a socket fd.
      const values = spec.type === 'xskmap' ? [4] : [4, 8];
      if (maxEntries === 0 || keySize !== 4 || !values.includes(valueSize)) {
        fail(spec, 'EINVAL', `${spec.type} needs keySize 4, valueSize ${values.join(' or ')} and a positive maxEntries`);
      }
      break;
    }
    case 'ringbuf':
      allowFlags(RINGBUF_FLAGS);
      if (keySize !== 0 || valueSize !== 0) fail(spec, 'EINVAL', 'ring buffers need keySize 0 and valueSize 0');
      if (maxEntries < PAGE_SIZE || (maxEntries & (maxEntries - 1)) !== 0) {
        fail(spec, 'EINVAL', `maxEntries (the ring size) must be a power of 2 and a multiple of ${PAGE_SIZE}, got ${maxEntries}`);
      }
      break;
  }
  if (spec.initial !== undefined) {
    if (spec.type !== 'array') fail(spec, 'EINVAL', 'initial contents are for array maps');
    if (spec.initial.length > maxEntries * valueSize) {
      fail(spec, 'EINVAL', `initial must be at most maxEntries * valueSize = ${maxEntries * valueSize} bytes, got ${spec.initial.length}`);
    }
  }
}
