/**
 * The map descriptor: the fixed-size record at `map.address` in linear memory that the
 * maps module (wasm/*.ts) reads to operate on a map, and that programs receive as the
 * map pointer (`lddw r1, map_fd(N)`). The host side (JS) writes it once at creation and
 * reads the ring-buffer positions from it; the WAT source uses the same offsets, so the
 * two can never disagree.
 *
 *   off  size  field
 *     0  u32   magic            DESC_MAGIC: with `self`, tells a map pointer from any other pointer
 *     4  u32   self             the descriptor's own address
 *     8  u32   type             kernel map type id (MAP_TYPES)
 *    12  u32   kind             how the maps module operates on it (MAP_KIND)
 *    16  u32   key_size
 *    20  u32   value_size
 *    24  u32   max_entries
 *    28  u32   map_flags        BPF_F_* flags of the spec
 *    32  u32   elem_size        bytes between consecutive elements' values (array) / entries (hash)
 *    36  u32   cpu_stride       offset between two CPUs' copies of a value: round_up(value_size, 8)
 *                               for per-CPU maps, 0 otherwise (so value + cpu * cpu_stride needs no branch)
 *    40  u32   value_block      bytes of one element's value as the host API sees it: value_size, or
 *                               ncpus * round_up(value_size, 8) for per-CPU maps (the kernel's syscall layout)
 *    44  u32   storage          array: values; hash: entry pool; queue/stack: slots; ringbuf: data area
 *    48  u32   buckets          hash: bucket heads (u32 entry addresses)
 *    52  u32   bucket_mask      hash: bucket count - 1
 *    56  u32   free_head        hash: first free entry (linked through `next`), 0 when full
 *    60  u32   count            hash: live entries
 *    64  u32   lru_head         lru_hash: most recently used entry;  queue/stack: head slot index
 *    68  u32   lru_tail         lru_hash: least recently used entry; queue/stack: tail slot index
 *    72  u32   slots            queue/stack: max_entries + 1 (one slot stays free, as in the kernel)
 *    76  u32   hash_seed        hash: seed of the key hash (0 with BPF_F_ZERO_SEED)
 *    80  u64   consumer_pos     ringbuf: bytes consumed (written by the host consumer)
 *    88  u64   producer_pos     ringbuf: bytes reserved (written by the maps module)
 *    96  u32   ring_mask        ringbuf: ring size - 1
 *   100  u32   waiting          ringbuf: 1 while a host reader waits, so submit notifies it
 *   104  u32   lru              1 for lru_hash
 *   108  u32   fd
 *   112  u32   value_offset     hash: offset of the value in an entry (16 + round_up(key_size, 8))
 *   116  ...   reserved up to DESC_SIZE
 */
export const DESC = {
  magic: 0,
  self: 4,
  type: 8,
  kind: 12,
  keySize: 16,
  valueSize: 20,
  maxEntries: 24,
  mapFlags: 28,
  elemSize: 32,
  cpuStride: 36,
  valueBlock: 40,
  storage: 44,
  buckets: 48,
  bucketMask: 52,
  freeHead: 56,
  count: 60,
  lruHead: 64,
  lruTail: 68,
  slots: 72,
  hashSeed: 76,
  consumerPos: 80,
  producerPos: 88,
  ringMask: 96,
  waiting: 100,
  lru: 104,
  fd: 108,
  valueOffset: 112,
} as const;

export const DESC_SIZE = 128;
/** 'EBPM' little-endian. */
export const DESC_MAGIC = 0x4d504245;

/** How the maps module handles a map; several kernel types share one implementation. */
export const MAP_KIND = {
  /** prog_array, perf_event_array: no data in linear memory (the host holds it). */
  host: 0,
  /** array, percpu_array */
  array: 1,
  /** hash, percpu_hash, lru_hash */
  hash: 2,
  queue: 3,
  stack: 4,
  ringbuf: 5,
} as const;

/**
 * A hash entry, 8-aligned:
 *    0 u32 next      next entry in the bucket chain, or in the free list
 *    4 u32 hash      the key's hash
 *    8 u32 lru_prev  lru_hash: the more recently used neighbour
 *   12 u32 lru_next  lru_hash: the less recently used neighbour
 *   16     key       key_size bytes, padded to 8
 *   ..     value     value_block bytes (per-CPU maps: ncpus slots of round_up(value_size, 8))
 * As in the kernel's `struct htab_elem`, the value starts 8-aligned after the padded key.
 */
export const ENTRY = { next: 0, hash: 4, lruPrev: 8, lruNext: 12, key: 16 } as const;

/** Ring buffer record header (the kernel's `struct bpf_ringbuf_hdr`): u32 len, u32 pg_off. */
export const RINGBUF = {
  headerSize: 8,
  busyBit: 0x8000_0000,
  discardBit: 0x4000_0000,
} as const;

/** Codes the maps module passes to its `trap` import (see maps-module.ts for the messages). */
export const MAP_TRAP = {
  /** The map argument is not the descriptor of a map of this runtime. */
  BAD_MAP: 1,
  /** The helper does not apply to this map type (the kernel's verifier would reject the call). */
  BAD_MAP_TYPE: 2,
  /** ringbuf_submit/discard of a pointer that is not an unsubmitted ring buffer record. */
  BAD_RINGBUF_RECORD: 3,
  /** A bucket chain longer than max_entries: the program overwrote the map's internals. */
  MAP_CORRUPT: 4,
} as const;

export function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
