import { checkOptions, describeValue } from '../../arguments.js';
import { nodeFiles } from '../../host.js';
import { PcapEncoder, type PcapWriteOptions } from './pcap-write.js';
import { concat, PcapngEncoder, type PcapngWriteOptions } from './pcapng-write.js';
import type { CaptureFormat, PacketToWrite } from './types.js';

/**
 * Writing captures: `encodeCapture` gives the bytes of a whole capture; `CaptureWriter`
 * streams one to a file or a Node Writable, packet by packet, waiting when the stream
 * asks it to (backpressure), so memory stays bounded however many packets pass.
 */
export type CaptureWriteOptions =
  | ({ readonly format?: 'pcap' } & PcapWriteOptions)
  | ({ readonly format: 'pcapng' } & PcapngWriteOptions);

function encoderFor(options: CaptureWriteOptions): PcapEncoder | PcapngEncoder {
  return options.format === 'pcapng' ? new PcapngEncoder(options) : new PcapEncoder(options);
}

/** A whole capture's bytes. */
export function encodeCapture(packets: Iterable<PacketToWrite>, options: CaptureWriteOptions = {}): Uint8Array {
  if (typeof (packets as Partial<Iterable<PacketToWrite>> | null)?.[Symbol.iterator] !== 'function') {
    throw new TypeError(`encodeCapture(packets) must be an iterable of packets, got ${describeValue(packets)}`);
  }
  const encoder = encoderFor(options);
  const parts = [encoder.header()];
  for (const p of packets) parts.push(encoder.packet(p));
  return concat(parts);
}

/**
 * Where a CaptureWriter writes: a Node Writable (what it uses of one), named structurally
 * so the shipped declarations need no Node types.
 */
export interface CaptureSink {
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  /** An EventEmitter's: the writer waits for 'drain' and 'finish' (and fails on 'error'). */
  once(event: 'drain' | 'finish' | 'error', listener: (...args: unknown[]) => void): unknown;
  removeListener(event: 'drain' | 'finish' | 'error', listener: (...args: unknown[]) => void): unknown;
}

/** Until `event`, or the sink's error (events.once without node:events). */
function waitFor(sink: CaptureSink, event: 'drain' | 'finish'): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => { sink.removeListener('error', failed); resolve(); };
    const failed = (e: unknown) => { sink.removeListener(event, done); reject(e); };
    sink.once(event, done);
    sink.once('error', failed);
  });
}

export class CaptureWriter {
  readonly format: CaptureFormat;
  private readonly encoder: PcapEncoder | PcapngEncoder;
  private readonly stream: CaptureSink;
  private readonly ownsStream: boolean;
  private started = false;

  /** A file path (created or truncated) or a Writable, which `close()` ends only if the writer opened it. */
  constructor(destination: string | CaptureSink, options: CaptureWriteOptions = {}) {
    const sink = destination as { write?: unknown } | null;
    if (typeof destination !== 'string' && (typeof sink !== 'object' || sink === null || typeof sink.write !== 'function')) {
      throw new TypeError(`CaptureWriter destination must be a file path or a writable stream, got ${describeValue(destination)}`);
    }
    checkOptions('CaptureWriter', options);
    this.format = options.format ?? 'pcap';
    this.encoder = encoderFor(options);
    this.ownsStream = typeof destination === 'string';
    this.stream = typeof destination === 'string' ? nodeFiles().createWriteStream(destination) : destination;
  }

  async write(packet: PacketToWrite): Promise<void> {
    if (!this.started) await this.put(this.encoder.header());
    await this.put(this.encoder.packet(packet));
  }

  /** Writes every packet of an iterable or async iterable (what readCapture yields, say). */
  async writeAll(packets: Iterable<PacketToWrite> | AsyncIterable<PacketToWrite>): Promise<number> {
    let n = 0;
    for await (const p of packets) {
      await this.write(p);
      n++;
    }
    return n;
  }

  /** Writes the header if no packet came, then ends a stream the writer opened and waits for it. */
  async close(): Promise<void> {
    if (!this.started) await this.put(this.encoder.header());
    if (this.ownsStream) {
      this.stream.end();
      await waitFor(this.stream, 'finish');
    }
  }

  private async put(bytes: Uint8Array): Promise<void> {
    this.started = true;
    if (!this.stream.write(bytes)) await waitFor(this.stream, 'drain');
  }
}
