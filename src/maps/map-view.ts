import { checkArray, describeValue } from '../arguments.js';
import type { Codec } from './codecs.js';
import { UPDATE_FLAGS } from './types.js';

/**
 * The byte-level operations a view is made of: what `BpfMap` offers (it is one), named
 * here so the views sit below the map class that creates them.
 */
export interface ByteMap {
  readonly keySize: number;
  readonly valueSize: number;
  lookup(key: Uint8Array): Uint8Array | undefined;
  has(key: Uint8Array): boolean;
  update(key: Uint8Array, value: Uint8Array, flags?: number): void;
  delete(key: Uint8Array): void;
  keys(): IterableIterator<Uint8Array>;
  values(): IterableIterator<Uint8Array>;
  entries(): IterableIterator<[Uint8Array, Uint8Array]>;
}

/** The codecs of a view: TypeError if one is not a codec (u32, u64, fixedBytes(n)...), RangeError if its size is not the map's. */
function checkCodecs(map: ByteMap, key: Codec<unknown, never>, value: Codec<unknown, never>): void {
  for (const [name, codec, size] of [['key', key, map.keySize], ['value', value, map.valueSize]] as const) {
    const c = codec as Partial<Codec<unknown, never>> | null;
    if ((typeof c !== 'object' && typeof c !== 'function') || c === null
      || typeof c.size !== 'number' || typeof c.encode !== 'function' || typeof c.decode !== 'function') {
      throw new TypeError(`view(${name}) must be a codec with size, encode and decode (u32, u64, fixedBytes(n)...), got ${describeValue(codec)}`);
    }
    if (c.size !== size) throw new RangeError(`${name} codec encodes ${c.size} bytes, the map's ${name}s have ${size}`);
  }
}

/**
 * A typed view of a map through key and value codecs, with the shape of a JS `Map`:
 *
 *   const counts = runtime.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 64 }).view(u32, u64);
 *   counts.set(7, 1n);
 *   counts.get(7);                 // 1n
 *   for (const [port, n] of counts) ...
 *
 * Errors are the underlying map's `MapError`s.
 */
export class MapView<K, V, KIn = K, VIn = V> {
  constructor(readonly map: ByteMap, readonly key: Codec<K, KIn>, readonly value: Codec<V, VIn>) {
    checkCodecs(map, key, value);
  }

  get(key: KIn): V | undefined {
    const bytes = this.map.lookup(this.key.encode(key));
    return bytes === undefined ? undefined : this.value.decode(bytes);
  }

  has(key: KIn): boolean {
    return this.map.has(this.key.encode(key));
  }

  /** Update with BPF_ANY (default), BPF_NOEXIST or BPF_EXIST. */
  set(key: KIn, value: VIn, flags: number = UPDATE_FLAGS.ANY): this {
    this.map.update(this.key.encode(key), this.value.encode(value), flags);
    return this;
  }

  delete(key: KIn): void {
    this.map.delete(this.key.encode(key));
  }

  *keys(): IterableIterator<K> {
    for (const key of this.map.keys()) yield this.key.decode(key);
  }

  *values(): IterableIterator<V> {
    for (const value of this.map.values()) yield this.value.decode(value);
  }

  *entries(): IterableIterator<[K, V]> {
    for (const [key, value] of this.map.entries()) yield [this.key.decode(key), this.value.decode(value)];
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}

/**
 * A typed view of a per-CPU map: each value is an array with one element per CPU,
 * decoded from (and encoded to) the kernel's layout of values padded to 8 bytes.
 */
export class PerCpuMapView<K, V, KIn = K, VIn = V> {
  private readonly stride: number;

  constructor(readonly map: ByteMap, readonly key: Codec<K, KIn>, readonly value: Codec<V, VIn>, readonly cpus: number) {
    checkCodecs(map, key, value);
    this.stride = Math.ceil(map.valueSize / 8) * 8;
  }

  get(key: KIn): V[] | undefined {
    const bytes = this.map.lookup(this.key.encode(key));
    return bytes === undefined ? undefined : this.decode(bytes);
  }

  /** Set every CPU's value: `values` has one element per CPU. */
  set(key: KIn, values: readonly VIn[], flags: number = UPDATE_FLAGS.ANY): this {
    checkArray('PerCpuMapView.set(values)', values);
    if (values.length !== this.cpus) throw new RangeError(`expected ${this.cpus} values (one per CPU), got ${values.length}`);
    const block = new Uint8Array(this.cpus * this.stride);
    values.forEach((v, cpu) => block.set(this.value.encode(v), cpu * this.stride));
    this.map.update(this.key.encode(key), block, flags);
    return this;
  }

  delete(key: KIn): void {
    this.map.delete(this.key.encode(key));
  }

  *entries(): IterableIterator<[K, V[]]> {
    for (const [key, value] of this.map.entries()) yield [this.key.decode(key), this.decode(value)];
  }

  [Symbol.iterator](): IterableIterator<[K, V[]]> {
    return this.entries();
  }

  private decode(block: Uint8Array): V[] {
    return Array.from({ length: this.cpus }, (_, cpu) => this.value.decode(block, cpu * this.stride));
  }
}
