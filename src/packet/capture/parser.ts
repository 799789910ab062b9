import { CaptureError } from '../../errors.js';
import type { ChunkQueue } from './chunk-queue.js';
import type { CaptureFormat, CapturePacket } from './types.js';

/**
 * A capture format's parser, driven by a sync loop (a buffer) or an async one (a stream):
 * `step` consumes one record from the queue and returns its packet, 'skip' for a record
 * that holds no packet (a pcapng block of another kind), 'need' when the queue does not
 * hold the whole record yet (the driver pushes a chunk and calls again), or 'end' at the
 * end of the input on a record boundary. Malformed input throws a CaptureError with the
 * offset; nothing is consumed from a record that is not complete, so every packet before
 * a problem has been returned first.
 */
export interface CaptureParser {
  readonly format: CaptureFormat;
  step(queue: ChunkQueue, eof: boolean): CapturePacket | 'skip' | 'need' | 'end';
}

/** Records longer than this are taken as corruption rather than buffered (bounded memory). */
export const DEFAULT_MAX_RECORD = 16 * 1024 * 1024;

/** The whole record of `length` bytes, or 'need'/a truncation error when it is not all here. */
export function takeRecord(queue: ChunkQueue, length: number, eof: boolean, what: string): Uint8Array | 'need' {
  const bytes = queue.take(length);
  if (bytes) return bytes;
  if (!eof) return 'need';
  throw new CaptureError('CAPTURE_TRUNCATED',
    `the file ends inside ${what}: ${length} bytes needed, ${queue.available} left`, queue.offset);
}

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
