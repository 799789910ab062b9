import { checkArray, checkBytes, describeValue } from '../arguments.js';
import type { Codec } from './codecs.js';
import { MapView, PerCpuMapView } from './map-view.js';
import { MapError, type ErrnoName } from './map-error.js';
import type { MapsExports } from './maps-module.js';
import type { MapMemory } from './memory.js';
import type { ValueArea } from './value-areas.js';
import { UPDATE_FLAGS, type MapSpec, type MapTypeName } from './types.js';

/** Where a map lives in its runtime's memory (see create-map.ts). */
export interface MapPlacement {
  readonly fd: number;
  readonly name: string;
  /** The descriptor: what programs get from `lddw map_fd`. */
  readonly address: number;
  /** Private scratch for the host API: two keys (padded to 8) and one value block. */
  readonly staging: number;
  /** Bytes of one value as the host sees it (per-CPU maps: every CPU's value). */
  readonly valueBlockSize: number;
  /** Where its values lie, for maps that hand programs pointers to them (array and hash kinds). */
  readonly values?: ValueArea;
}

/** One batch of `lookupBatch`: parallel keys and values, and where to continue. */
export interface MapBatch {
  readonly keys: Uint8Array[];
  readonly values: Uint8Array[];
  /** Pass as `after` to get the next batch; undefined when the map has no more entries. */
  readonly next: Uint8Array | undefined;
}

const BPF_F_RDONLY = 1 << 3;
const BPF_F_WRONLY = 1 << 4;

/**
 * A map of a runtime, with a host API in the spirit of the `bpf()` commands: keys and
 * values are `Uint8Array`s of the map's key and value size, and failures are
 * `MapError`s with the errno the kernel would return. Lookups return undefined for a
 * missing key rather than throwing ENOENT.
 *
 * Every operation runs the same WebAssembly code programs call as helpers (the maps
 * module), on the same memory, so the host and programs can never disagree about a
 * map's contents. Arguments are staged in a private area next to the map.
 *
 * Per-CPU maps (percpu_array, percpu_hash) exchange values in the kernel's layout:
 * `runtime.cpus` values, each padded to a multiple of 8 bytes, back to back.
 *
 * This class serves array and hash maps (hash, percpu_hash, lru_hash, array,
 * percpu_array); the other types have subclasses that add their own API and answer
 * these operations as the kernel does for them.
 */
export class BpfMap {
  readonly fd: number;
  readonly name: string;
  readonly type: MapTypeName;
  /** Address of the map's descriptor in linear memory. */
  readonly address: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** Bytes of a value in the host API: valueSize, or cpus * round_up(valueSize, 8) for per-CPU maps. */
  readonly valueBlockSize: number;
  protected readonly keySlot: number;
  protected readonly nextKeySlot: number;
  protected readonly valueSlot: number;
  /** Where its values lie in the heap, if programs get pointers to them (value-areas.ts). */
  readonly valueArea: ValueArea | undefined;

  constructor(
    /** The memory (the runtime) the map lives in. */
    readonly runtime: MapMemory,
    readonly spec: MapSpec,
    placement: MapPlacement,
    /** The maps module every operation runs in. */
    protected readonly wasm: MapsExports,
  ) {
    this.fd = placement.fd;
    this.name = placement.name;
    this.type = spec.type;
    this.address = placement.address;
    this.keySize = spec.keySize;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.valueBlockSize = placement.valueBlockSize;
    this.valueArea = placement.values;
    const paddedKey = Math.ceil(spec.keySize / 8) * 8;
    this.keySlot = placement.staging;
    this.nextKeySlot = placement.staging + paddedKey;
    this.valueSlot = placement.staging + 2 * paddedKey;
  }

  /** Whether values are per CPU (percpu_array, percpu_hash). */
  get perCpu(): boolean {
    return this.type === 'percpu_array' || this.type === 'percpu_hash';
  }

  /** `"hash map 'counts' (fd 3)"`, for messages. */
  describe(): string {
    return `${this.type} map '${this.name}' (fd ${this.fd})`;
  }

  /** The value stored under `key`, or undefined if there is none. */
  lookup(key: Uint8Array): Uint8Array | undefined {
    this.checkAccess('read');
    const value = this.wasm.host_lookup(this.address, this.stageKey(key, 'lookup'));
    return value === 0 ? undefined : this.runtime.bytes().slice(value, value + this.valueBlockSize);
  }

  /**
   * Where the value under `key` lives in the runtime's memory (what a program's lookup
   * returns; for per-CPU maps, CPU 0's copy), or undefined: for zero-copy access through
   * `runtime.bytes()`. The address stays valid until the key is deleted.
   */
  valueAddress(key: Uint8Array): number | undefined {
    const value = this.wasm.host_lookup(this.address, this.stageKey(key, 'valueAddress'));
    return value === 0 ? undefined : value;
  }

  has(key: Uint8Array): boolean {
    return this.lookup(key) !== undefined;
  }

  /** Store `value` under `key`; `flags` is BPF_ANY (0, default), BPF_NOEXIST (1) or BPF_EXIST (2). */
  update(key: Uint8Array, value: Uint8Array, flags: number = UPDATE_FLAGS.ANY): void {
    this.checkAccess('write');
    const k = this.stageKey(key, 'update');
    const v = this.stageValue(value, 'update');
    this.check(this.wasm.host_update(this.address, k, v, this.flagsArg(flags, 'update')), 'update');
  }

  /** Remove `key`; MapError ENOENT if absent (EINVAL for arrays, whose elements always exist). */
  delete(key: Uint8Array): void {
    this.checkAccess('write');
    const k = this.stageKey(key, 'delete');
    if (this.spec.type === 'array' || this.spec.type === 'percpu_array') throw this.error('EINVAL', 'delete', 'array elements cannot be deleted');
    this.check(this.wasm.host_delete(this.address, k), 'delete');
  }

  /** Look up and remove `key` (BPF_MAP_LOOKUP_AND_DELETE_ELEM); undefined if absent. */
  lookupAndDelete(key: Uint8Array): Uint8Array | undefined {
    const value = this.lookup(key);
    if (value !== undefined) this.delete(key);
    return value;
  }

  /**
   * The key after `key` in the map's iteration order, the first key when `key` is
   * undefined (or, as in the kernel, not in the map), undefined after the last.
   */
  nextKey(key?: Uint8Array): Uint8Array | undefined {
    const k = key === undefined ? 0 : this.stageKey(key, 'nextKey');
    const result = this.wasm.host_next_key(this.address, k, this.nextKeySlot);
    if (result !== 0) {
      this.check(result, 'nextKey', ['ENOENT']);
      return undefined;
    }
    return this.runtime.bytes().slice(this.nextKeySlot, this.nextKeySlot + this.keySize);
  }

  /** Every key, by `nextKey`. Deleting the current key while iterating is allowed. */
  *keys(): IterableIterator<Uint8Array> {
    for (let key = this.nextKey(); key !== undefined; key = this.nextKey(key)) yield key;
  }

  *values(): IterableIterator<Uint8Array> {
    for (const [, value] of this.entries()) yield value;
  }

  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const key of this.keys()) {
      const value = this.lookup(key);
      if (value !== undefined) yield [key, value];
    }
  }

  [Symbol.iterator](): IterableIterator<[Uint8Array, Uint8Array]> {
    return this.entries();
  }

  /**
   * Up to `count` entries following the key `after` (from the start without it), like
   * BPF_MAP_LOOKUP_BATCH. The kernel's cursor for hash maps is a bucket index; ours is
   * the last key returned, so deleting that key between batches restarts the walk.
   */
  lookupBatch(count: number, after?: Uint8Array): MapBatch {
    if (typeof count !== 'number') throw new TypeError(`${this.argument('lookupBatch', 'count')} must be a number, got ${describeValue(count)}`);
    if (!Number.isInteger(count) || count < 0 || count > 0xffff_ffff) {
      throw new RangeError(`${this.argument('lookupBatch', 'count')} must be an integer from 1 to 4294967295, got ${count}`);
    }
    // The kernel's batch count is a u32 that may not be 0.
    if (count === 0) throw this.error('EINVAL', 'lookupBatch', 'count must be positive, got 0');
    if (after !== undefined) this.stageKey(after, 'lookupBatch');
    const keys: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    let key = this.nextKey(after);
    while (key !== undefined && keys.length < count) {
      const value = this.lookup(key);
      if (value !== undefined) {
        keys.push(key);
        values.push(value);
      }
      key = this.nextKey(key);
    }
    return { keys, values, next: key === undefined ? undefined : keys.at(-1) };
  }

  /**
   * Update `keys[i]` to `values[i]` in order, like BPF_MAP_UPDATE_BATCH; returns the
   * count. On failure the MapError's `processed` tells how many succeeded first.
   */
  updateBatch(keys: readonly Uint8Array[], values: readonly Uint8Array[], flags: number = UPDATE_FLAGS.ANY): number {
    checkArray(this.argument('updateBatch', 'keys'), keys);
    checkArray(this.argument('updateBatch', 'values'), values);
    if (keys.length !== values.length) throw this.error('EINVAL', 'updateBatch', `${keys.length} keys but ${values.length} values`);
    // Every argument is checked before the first update, so a wrong one changes nothing.
    this.flagsArg(flags, 'updateBatch');
    keys.forEach((key, i) => checkBytes(this.argument('updateBatch', `keys[${i}]`), key, this.keySize));
    values.forEach((value, i) => checkBytes(this.argument('updateBatch', `values[${i}]`), value, this.valueBlockSize, this.perCpuLayout()));
    keys.forEach((key, i) => this.batchStep(i, () => this.update(key, values[i], flags)));
    return keys.length;
  }

  /** Delete every key in order, like BPF_MAP_DELETE_BATCH; returns the count. */
  deleteBatch(keys: readonly Uint8Array[]): number {
    checkArray(this.argument('deleteBatch', 'keys'), keys);
    keys.forEach((key, i) => checkBytes(this.argument('deleteBatch', `keys[${i}]`), key, this.keySize));
    keys.forEach((key, i) => this.batchStep(i, () => this.delete(key)));
    return keys.length;
  }

  /** A typed view: `map.view(u32, u64).get(7)` is a bigint or undefined. */
  view<K, V, KIn = K, VIn = V>(key: Codec<K, KIn>, value: Codec<V, VIn>): MapView<K, V, KIn, VIn> {
    if (this.perCpu) throw this.error('EINVAL', 'view', 'per-CPU maps hold one value per CPU: use perCpuView()');
    return new MapView(this, key, value);
  }

  /** A typed view of a per-CPU map: values are arrays with one element per CPU. */
  perCpuView<K, V, KIn = K, VIn = V>(key: Codec<K, KIn>, value: Codec<V, VIn>): PerCpuMapView<K, V, KIn, VIn> {
    if (!this.perCpu) throw this.error('EINVAL', 'perCpuView', 'not a per-CPU map: use view()');
    return new PerCpuMapView(this, key, value, this.runtime.cpus);
  }

  // --- shared by subclasses ---

  protected error(code: ErrnoName, op: string, why: string): MapError {
    return new MapError(code, `${op} on ${this.describe()}: ${why}`);
  }

  /** Throw the MapError for a negative errno (unless it is one of `allowed`). */
  protected check(result: number, op: string, allowed: readonly ErrnoName[] = []): void {
    if (result === 0) return;
    const error = MapError.fromErrno(result, `${op} on ${this.describe()}`);
    if (!allowed.includes(error.code as ErrnoName)) throw error;
  }

  /** BPF_F_RDONLY / BPF_F_WRONLY restrict the host (the kernel answers EPERM). */
  protected checkAccess(access: 'read' | 'write'): void {
    const flags = this.spec.flags ?? 0;
    if (access === 'write' && flags & BPF_F_RDONLY) throw this.error('EPERM', 'write', 'the map was created with BPF_F_RDONLY');
    if (access === 'read' && flags & BPF_F_WRONLY) throw this.error('EPERM', 'read', 'the map was created with BPF_F_WRONLY');
  }

  /** How a message names argument `name` of operation `op`: "update on hash map 'm' (fd 1): key". */
  protected argument(op: string, name: string): string {
    return `${op} on ${this.describe()}: ${name}`;
  }

  /**
   * Update flags: TypeError if not a number, RangeError if not a non-negative integer;
   * unknown bits are the kernel's EINVAL (its flags are a u64), from the maps module.
   */
  protected flagsArg(flags: number, op: string): number {
    if (typeof flags !== 'number') {
      throw new TypeError(`${this.argument(op, 'flags')} must be a number (BPF_ANY 0, BPF_NOEXIST 1, BPF_EXIST 2), got ${describeValue(flags)}`);
    }
    if (!Number.isInteger(flags) || flags < 0) throw new RangeError(`${this.argument(op, 'flags')} must be a non-negative integer, got ${flags}`);
    if (flags > 0xffff_ffff) throw this.error('EINVAL', op, `unknown flags ${flags}`);
    return flags;
  }

  /** Copy a key into the staging area; returns its address. */
  protected stageKey(key: Uint8Array, op: string): number {
    checkBytes(this.argument(op, 'key'), key, this.keySize);
    this.runtime.bytes().set(key, this.keySlot);
    return this.keySlot;
  }

  /** Copy a value block into the staging area; returns its address. */
  protected stageValue(value: Uint8Array, op: string, size = this.valueBlockSize): number {
    checkBytes(this.argument(op, 'value'), value, size, size === this.valueBlockSize ? this.perCpuLayout() : '');
    this.runtime.bytes().set(value, this.valueSlot);
    return this.valueSlot;
  }

  /** How a per-CPU map's value block is made up, for messages; '' for other maps. */
  private perCpuLayout(): string {
    return this.perCpu ? ` (${this.runtime.cpus} CPUs x ${Math.ceil(this.valueSize / 8) * 8} bytes)` : '';
  }

  private batchStep(index: number, step: () => void): void {
    try {
      step();
    } catch (e) {
      if (e instanceof MapError) throw MapError.withProcessed(e, index);
      throw e;
    }
  }
}
