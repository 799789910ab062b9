import { checkUint8Array } from '../../arguments.js';
import { nodeFiles } from '../../host.js';
import { CaptureError } from '../../errors.js';
import { ChunkQueue } from './chunk-queue.js';
import { DEFAULT_MAX_RECORD, viewOf, type CaptureParser } from './parser.js';
import { isPcapMagic, PcapParser } from './pcap-read.js';
import { PCAPNG_BLOCK, PcapngParser } from './pcapng-read.js';
import type { CaptureFormat, CapturePacket } from './types.js';

/**
 * Reading captures: pcap or pcapng, told apart by the first four bytes, from a buffer
 * (parseCapture, synchronous) or a stream (readCapture: a file path, a Node Readable, any
 * async iterable of byte chunks). The stream reader holds what it has not yet handed out
 * (about a record and a chunk), so a capture of any size reads in bounded memory. A
 * truncated or corrupt capture throws a CaptureError with the byte offset, after every
 * packet before that offset was yielded.
 */

export interface CaptureReadOptions {
  /** Largest record or block accepted (default 16 MiB); a longer one is taken as corruption. */
  readonly maxRecordBytes?: number;
  /** Bytes per read from a file path (default 1 MiB). */
  readonly chunkSize?: number;
}

export type CaptureSource = string | Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** The format of a capture that starts with these bytes (at least 4), or undefined. */
export function captureFormatOf(bytes: Uint8Array): CaptureFormat | undefined {
  checkUint8Array('captureFormatOf(bytes)', bytes);
  if (bytes.length < 4) return undefined;
  if (viewOf(bytes).getUint32(0, true) === PCAPNG_BLOCK.SHB) return 'pcapng';
  return isPcapMagic(bytes) ? 'pcap' : undefined;
}

function parserFor(queue: ChunkQueue, eof: boolean, options: CaptureReadOptions): CaptureParser | 'need' {
  const magic = queue.peek(4);
  if (!magic) {
    if (!eof) return 'need';
    throw new CaptureError('CAPTURE_TRUNCATED', `not a capture: ${queue.available} bytes, too short for a file header`, 0);
  }
  const format = captureFormatOf(magic);
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD;
  if (format === 'pcap') return new PcapParser(max);
  if (format === 'pcapng') return new PcapngParser(max);
  const hex = [...magic].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new CaptureError('CAPTURE_BAD_MAGIC', `not a pcap or pcapng file (starts with ${hex})`, 0);
}

/** The packets of a capture held in memory, in order. Packet data are views into `bytes`. */
export function* parseCapture(bytes: Uint8Array, options: CaptureReadOptions = {}): Generator<CapturePacket> {
  const queue = new ChunkQueue();
  queue.push(bytes);
  const parser = parserFor(queue, true, options) as CaptureParser;
  for (;;) {
    const r = parser.step(queue, true);
    if (r === 'end') return;
    if (r !== 'skip' && r !== 'need') yield r;
  }
}

function chunksOf(source: CaptureSource, options: CaptureReadOptions): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  if (typeof source === 'string') return nodeFiles().createReadStream(source, { highWaterMark: options.chunkSize ?? 1 << 20 });
  if (source instanceof Uint8Array) return [source];
  return source;
}

/** The packets of a capture stream, in order, reading chunks only as they are needed. */
export async function* readCapture(source: CaptureSource, options: CaptureReadOptions = {}): AsyncGenerator<CapturePacket> {
  const queue = new ChunkQueue();
  const input = chunksOf(source, options);
  const iterator = Symbol.asyncIterator in input
    ? (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
    : (input as Iterable<Uint8Array>)[Symbol.iterator]();
  let eof = false;
  let parser: CaptureParser | undefined;
  try {
    for (;;) {
      const r = parser ? parser.step(queue, eof) : parserFor(queue, eof, options);
      if (r === 'need') {
        const next = await iterator.next();
        if (next.done) eof = true;
        else queue.push(toBytes(next.value));
      } else if (r === 'end') {
        return;
      } else if (r !== 'skip') {
        if ('step' in r) parser = r;
        else yield r;
      }
    }
  } finally {
    // Stop a file stream when the caller leaves the loop early.
    await iterator.return?.();
  }
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw new TypeError(`a capture stream must yield bytes (Buffer or Uint8Array), got ${typeof chunk}`);
}
