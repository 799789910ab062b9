import { checkBytes, checkCount, describeValue } from '../arguments.js';

/**
 * Little-endian codecs for map keys and values. Each is a function that encodes (so
 * `map.lookup(u32(3))` reads naturally) and also a `Codec` (so `map.view(u32, u64)`
 * gives a typed view of the map):
 *
 *   u32(7)                      -> Uint8Array [7, 0, 0, 0]
 *   u64.decode(bytes)           -> bigint
 *   map.view(u32, u64).get(7)   -> bigint | undefined
 */
export interface Codec<T, In = T> {
  /** Encoded size in bytes. */
  readonly size: number;
  encode(value: In): Uint8Array;
  /** Decode `size` bytes at `offset`. */
  decode(bytes: Uint8Array, offset?: number): T;
}

export type CodecFn<T, In = T> = Codec<T, In> & ((value: In) => Uint8Array);

function codec<T, In = T>(size: number, write: (view: DataView, value: In) => void, read: (view: DataView, offset: number) => T): CodecFn<T, In> {
  const encode = (value: In): Uint8Array => {
    const bytes = new Uint8Array(size);
    write(new DataView(bytes.buffer), value);
    return bytes;
  };
  const decode = (bytes: Uint8Array, offset = 0): T => {
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`decode(bytes) must be a Uint8Array, got ${describeValue(bytes)}`);
    if (!Number.isInteger(offset) || offset < 0 || offset + size > bytes.length) {
      throw new RangeError(`decoding ${size} bytes at offset ${offset} of a ${bytes.length}-byte array`);
    }
    return read(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset);
  };
  return Object.assign(encode, { size, encode, decode });
}

function checkInteger(value: number, min: number, max: number, what: string): number {
  if (typeof value !== 'number') throw new TypeError(`${what} takes a number, got ${describeValue(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${what} out of range: ${value}`);
  return value;
}

function checkBigInt(value: bigint | number, min: bigint, max: bigint, what: string): bigint {
  if (typeof value !== 'bigint' && typeof value !== 'number') throw new TypeError(`${what} takes a bigint or a number, got ${describeValue(value)}`);
  const v = typeof value === 'bigint' ? value : BigInt(checkInteger(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, what));
  if (v < min || v > max) throw new RangeError(`${what} out of range: ${value}`);
  return v;
}

export const u8 = codec<number>(1, (v, x) => v.setUint8(0, checkInteger(x, 0, 0xff, 'u8')), (v, o) => v.getUint8(o));
export const u16 = codec<number>(2, (v, x) => v.setUint16(0, checkInteger(x, 0, 0xffff, 'u16'), true), (v, o) => v.getUint16(o, true));
export const u32 = codec<number>(4, (v, x) => v.setUint32(0, checkInteger(x, 0, 0xffff_ffff, 'u32'), true), (v, o) => v.getUint32(o, true));
export const i32 = codec<number>(4, (v, x) => v.setInt32(0, checkInteger(x, -0x8000_0000, 0x7fff_ffff, 'i32'), true), (v, o) => v.getInt32(o, true));
/** Encodes a bigint or a safe-integer number; decodes to bigint. */
export const u64 = codec<bigint, bigint | number>(8, (v, x) => v.setBigUint64(0, checkBigInt(x, 0n, 0xffff_ffff_ffff_ffffn, 'u64'), true),
  (v, o) => v.getBigUint64(o, true));
export const i64 = codec<bigint, bigint | number>(8, (v, x) => v.setBigInt64(0, checkBigInt(x, -(1n << 63n), (1n << 63n) - 1n, 'i64'), true),
  (v, o) => v.getBigInt64(o, true));

/** Raw bytes of a fixed size (a struct key you lay out yourself). */
export function fixedBytes(size: number): CodecFn<Uint8Array> {
  checkCount('fixedBytes(size)', size);
  return codec<Uint8Array>(size, (v, x) => {
    checkBytes(`fixedBytes(${size})`, x, size);
    new Uint8Array(v.buffer).set(x);
  }, (v, o) => new Uint8Array(v.buffer, v.byteOffset + o, size).slice());
}
