/**
 * Map definitions, as the kernel's `union bpf_attr` (BPF_MAP_CREATE) and libbpf's
 * BTF-defined maps describe them. The ELF loader produces `MapSpec`s; a `Runtime`
 * creates the maps (`runtime.createMap`) in its linear memory, where every program of
 * the runtime shares them.
 */

/** Map types with the kernel's ids (`enum bpf_map_type` in include/uapi/linux/bpf.h). */
export const MAP_TYPES = {
  hash: 1,
  array: 2,
  prog_array: 3,
  perf_event_array: 4,
  percpu_hash: 5,
  percpu_array: 6,
  lru_hash: 9,
  devmap: 14,
  cpumap: 16,
  xskmap: 17,
  queue: 22,
  stack: 23,
  devmap_hash: 25,
  ringbuf: 27,
} as const;

/**
 * The maps bpf_redirect_map() takes: devices, CPUs and AF_XDP sockets by index (by key
 * for devmap_hash). Here they are plain maps: the host stores what an entry would name
 * (an ifindex, a queue size, a socket fd) and a slot holds an entry once one was stored.
 */
export const REDIRECT_MAP_TYPES = ['devmap', 'devmap_hash', 'cpumap', 'xskmap'] as const;

export type MapTypeName = keyof typeof MAP_TYPES;

/** The name of a kernel map type id, or undefined if we do not support it. */
export function mapTypeName(id: number): MapTypeName | undefined {
  return (Object.keys(MAP_TYPES) as MapTypeName[]).find((name) => MAP_TYPES[name] === id);
}

/** `flags` of map_update_elem (BPF_ANY, BPF_NOEXIST, BPF_EXIST). */
export const UPDATE_FLAGS = { ANY: 0, NOEXIST: 1, EXIST: 2 } as const;

export interface MapSpec {
  readonly type: MapTypeName;
  /** Bytes; 0 for queue, stack and ringbuf. */
  readonly keySize: number;
  /** Bytes; 0 for ringbuf. */
  readonly valueSize: number;
  /** Entries; for ringbuf the ring's size in bytes (a power of two). */
  readonly maxEntries: number;
  /** BPF_F_* map flags (e.g. BPF_F_NO_PREALLOC); default 0. */
  readonly flags?: number;
  /** The map's name (the ELF symbol for maps loaded from an object). */
  readonly name?: string;
  /**
   * Initial contents of an array map's values (all entries back to back), used for the
   * `.data` / `.rodata` / `.bss` maps libbpf makes from an object's global variables.
   */
  readonly initial?: Uint8Array;
  /** Programs may not write it (`.rodata`); the host API still may. */
  readonly readonly?: boolean;
}
