import { checkFunction } from '../arguments.js';
import { BpfMap } from './bpf-map.js';
import { DESC, RINGBUF } from './descriptor.js';
import { checkStreamOptions, recordStream, Wakeup, type StreamOptions } from './record-stream.js';

/**
 * A ring buffer (BPF_MAP_TYPE_RINGBUF): programs produce records with ringbuf_output or
 * ringbuf_reserve + submit/discard (in the maps module, wasm/ringbuf.ts); the host is
 * the consumer, as user space is with libbpf's ring_buffer__consume:
 *
 *   rb.consume((record) => ...)          // every record available now; views valid during the callback
 *   rb.drain()                           // the same, as copies
 *   for await (const record of rb) ...   // copies, waiting for new records when there are none
 *
 * Consumption stops at a record that is reserved but not yet submitted, even if later
 * ones are (records are read in reservation order); discarded records are skipped.
 * Every consumed record frees its space for the producer at once.
 *
 * The key/value operations of the `bpf()` host API do not apply: ENOTSUPP, like the kernel.
 */
export class RingBufMap extends BpfMap {
  private readonly wakeup = new Wakeup();

  /** Ring size in bytes. */
  get size(): number {
    return this.maxEntries;
  }

  /** Bytes produced and not yet consumed (BPF_RB_AVAIL_DATA). */
  get available(): number {
    return this.position(DESC.producerPos) - this.position(DESC.consumerPos);
  }

  /** Deliver every record available now to `callback` (a view, valid during the call); returns the count. */
  consume(callback: (record: Uint8Array) => void): number {
    // Checked first: a record is freed once its callback was called, whatever it threw.
    checkFunction(this.argument('consume', 'callback'), callback);
    const mask = this.maxEntries - 1;
    const data = this.storage();
    let count = 0;
    let consumer = this.position(DESC.consumerPos);
    while (consumer < this.position(DESC.producerPos)) {
      const bytes = this.runtime.bytes();
      const header = data + (consumer & mask);
      const len = readU32(bytes, header);
      if (len & RINGBUF.busyBit) break;
      const size = len & ~(RINGBUF.busyBit | RINGBUF.discardBit);
      consumer += Math.ceil((size + RINGBUF.headerSize) / 8) * 8;
      try {
        if (!(len & RINGBUF.discardBit)) {
          count++;
          callback(bytes.subarray(header + RINGBUF.headerSize, header + RINGBUF.headerSize + size));
        }
      } finally {
        // Free the record's space after its callback (also when it throws), as libbpf does.
        this.setPosition(DESC.consumerPos, consumer);
      }
    }
    return count;
  }

  /** Every record available now, copied. */
  drain(): Uint8Array[] {
    const records: Uint8Array[] = [];
    this.consume((record) => records.push(record.slice()));
    return records;
  }

  /** Records as they come, copied; waits (without polling) when there are none. */
  records(options: StreamOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    return recordStream(() => this.drain(), this.wakeup, checkStreamOptions(`records() on ${this.describe()}`, options), (waiting) => this.setWaiting(waiting));
  }

  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return this.records();
  }

  /** Called when a program's commit notifies a waiting reader (wasm/ringbuf.ts). */
  wake(): void {
    this.setWaiting(false);
    this.wakeup.wake();
  }

  override lookup(): Uint8Array | undefined {
    throw this.error('ENOTSUPP', 'lookup', 'ring buffers are read with consume(), drain() or for await');
  }

  override update(): void {
    throw this.error('ENOTSUPP', 'update', 'programs write ring buffers');
  }

  override delete(): void {
    throw this.error('ENOTSUPP', 'delete', 'ring buffers have no keys');
  }

  override nextKey(): Uint8Array | undefined {
    throw this.error('ENOTSUPP', 'nextKey', 'ring buffers have no keys');
  }

  private storage(): number {
    return readU32(this.runtime.bytes(), this.address + DESC.storage);
  }

  /** A 64-bit position of the descriptor, as a number (exact below 2^53 bytes). */
  private position(field: number): number {
    const bytes = this.runtime.bytes();
    return readU32(bytes, this.address + field) + readU32(bytes, this.address + field + 4) * 2 ** 32;
  }

  private setPosition(field: number, value: number): void {
    const bytes = this.runtime.bytes();
    writeU32(bytes, this.address + field, value >>> 0);
    writeU32(bytes, this.address + field + 4, Math.floor(value / 2 ** 32));
  }

  private setWaiting(waiting: boolean): void {
    writeU32(this.runtime.bytes(), this.address + DESC.waiting, waiting ? 1 : 0);
  }
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 | bytes[at + 3] << 24) >>> 0;
}

function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = value >>> 24;
}
