import { ElfError } from '../errors.js';

/**
 * Little-endian reads over a byte range where every access is bounds-checked, so a
 * corrupt offset or count becomes an `ElfError` naming `what` was being read instead of
 * a RangeError from DataView (or, worse, a silently wrong zero from a typed array).
 */
export class ByteReader {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** What these bytes are, for messages: "ELF header", "section '.BTF'". */
    readonly what: string,
    /** The error code for a read past the end. */
    readonly truncatedCode = 'TRUNCATED',
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Throw unless [offset, offset + size) lies inside the range. */
  check(offset: number, size: number, field: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || size < 0 || offset + size > this.bytes.length) {
      throw new ElfError(this.truncatedCode,
        `${this.what}: ${field} at offset ${offset} (${size} bytes) is past the end (${this.bytes.length} bytes)`);
    }
  }

  u8(offset: number, field: string): number {
    this.check(offset, 1, field);
    return this.view.getUint8(offset);
  }

  u16(offset: number, field: string): number {
    this.check(offset, 2, field);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, field: string): number {
    this.check(offset, 4, field);
    return this.view.getUint32(offset, true);
  }

  i32(offset: number, field: string): number {
    this.check(offset, 4, field);
    return this.view.getInt32(offset, true);
  }

  u64(offset: number, field: string): bigint {
    this.check(offset, 8, field);
    return this.view.getBigUint64(offset, true);
  }

  /** A sub-range, itself bounds-checked. */
  slice(offset: number, size: number, field: string): Uint8Array {
    this.check(offset, size, field);
    return this.bytes.subarray(offset, offset + size);
  }

  /** The NUL-terminated string at `offset` (UTF-8); `field` names it for errors. */
  cstring(offset: number, field: string, code = 'BAD_STRING'): string {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.bytes.length) {
      throw new ElfError(code, `${this.what}: ${field} string offset ${offset} is outside the table (${this.bytes.length} bytes)`);
    }
    const end = this.bytes.indexOf(0, offset);
    if (end < 0) throw new ElfError(code, `${this.what}: ${field} string at offset ${offset} has no terminating NUL`);
    return UTF8.decode(this.bytes.subarray(offset, end));
  }
}

const UTF8 = new TextDecoder('utf-8');

/**
 * A 64-bit ELF field as a JS number, for offsets and sizes we then compare with the
 * file's length; values past 2^53 can only come from a corrupt file.
 */
export function toSafeNumber(value: bigint, what: string, code: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ElfError(code, `${what} is ${value}, far beyond any file`);
  }
  return Number(value);
}
