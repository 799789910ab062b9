import { CaptureError } from '../../errors.js';
import type { ChunkQueue } from './chunk-queue.js';
import { DEFAULT_MAX_RECORD, takeRecord, viewOf, type CaptureParser } from './parser.js';
import type { CaptureInterface, CapturePacket } from './types.js';

/**
 * pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks, each `type, total length, body,
 * total length`, lengths multiples of 4. A Section Header Block starts each section and
 * sets its byte order (its byte-order magic); Interface Description Blocks number the
 * section's interfaces (link type, snap length, if_tsresol, if_tsoffset, if_name); packets
 * come in Enhanced (EPB), Simple (SPB: interface 0, no timestamp) and the obsolete Packet
 * Blocks. Every other block is skipped.
 */
export const PCAPNG_BLOCK = { SHB: 0x0a0d0d0a, IDB: 0x00000001, PB: 0x00000002, SPB: 0x00000003, EPB: 0x00000006 } as const;
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT = { END: 0, IF_NAME: 2, IF_TSRESOL: 9, IF_TSOFFSET: 14 } as const;

interface Interface extends CaptureInterface {
  /** if_tsoffset: seconds added to every timestamp. */
  readonly offsetSeconds: bigint;
}

export class PcapngParser implements CaptureParser {
  readonly format = 'pcapng' as const;
  private littleEndian = true;
  private interfaces: Interface[] = [];
  private started = false;

  constructor(private readonly maxRecordBytes = DEFAULT_MAX_RECORD) {}

  step(queue: ChunkQueue, eof: boolean): CapturePacket | 'skip' | 'need' | 'end' {
    if (queue.available === 0 && eof) {
      if (!this.started) throw new CaptureError('CAPTURE_TRUNCATED', 'empty pcapng file', queue.offset);
      return 'end';
    }
    const offset = queue.offset;
    const head = queue.peek(12);
    if (!head) return takeRecord(queue, 12, eof, 'a block header') as 'need';
    const type = viewOf(head).getUint32(0, true);
    if (type === PCAPNG_BLOCK.SHB) this.readByteOrder(head, offset);
    else if (!this.started) throw new CaptureError('CAPTURE_BAD_MAGIC', 'a pcapng file starts with a Section Header Block', offset);
    const le = this.littleEndian;
    const length = viewOf(head).getUint32(4, le);
    if (length < 12 || length % 4 !== 0) {
      throw new CaptureError('CAPTURE_BAD_BLOCK', `block length ${length} is not a multiple of 4 of at least 12`, offset + 4);
    }
    if (length > this.maxRecordBytes) {
      throw new CaptureError('CAPTURE_BAD_BLOCK', `a block of ${length} bytes is longer than the limit of ${this.maxRecordBytes} (corrupt file?)`, offset + 4);
    }
    const block = takeRecord(queue, length, eof, `a block of ${length} bytes`);
    if (block === 'need') return 'need';
    const v = viewOf(block);
    const btype = v.getUint32(0, le);
    if (v.getUint32(length - 4, le) !== length) {
      throw new CaptureError('CAPTURE_BAD_BLOCK', `the block's trailing length ${v.getUint32(length - 4, le)} differs from its leading length ${length}`, offset + length - 4);
    }
    const body = block.subarray(8, length - 4);
    switch (btype) {
      case PCAPNG_BLOCK.SHB: this.readSection(body, offset); return 'skip';
      case PCAPNG_BLOCK.IDB: this.readInterface(body, offset); return 'skip';
      case PCAPNG_BLOCK.EPB: return this.readEnhanced(body, offset);
      case PCAPNG_BLOCK.SPB: return this.readSimple(body, offset);
      case PCAPNG_BLOCK.PB: return this.readObsolete(body, offset);
      default: return 'skip';
    }
  }

  private readByteOrder(head: Uint8Array, offset: number): void {
    const magic = viewOf(head).getUint32(8, true);
    if (magic === PCAPNG_BYTE_ORDER_MAGIC) this.littleEndian = true;
    else if (viewOf(head).getUint32(8, false) === PCAPNG_BYTE_ORDER_MAGIC) this.littleEndian = false;
    else throw new CaptureError('CAPTURE_BAD_MAGIC', `bad pcapng byte-order magic 0x${magic.toString(16)}`, offset + 8);
  }

  private readSection(body: Uint8Array, offset: number): void {
    if (body.length < 16) throw new CaptureError('CAPTURE_BAD_BLOCK', 'a Section Header Block shorter than 28 bytes', offset);
    const major = viewOf(body).getUint16(4, this.littleEndian);
    if (major !== 1) throw new CaptureError('CAPTURE_BAD_VERSION', `pcapng version ${major}, expected 1.x`, offset + 12);
    this.started = true;
    this.interfaces = []; // interface ids are per section
  }

  private readInterface(body: Uint8Array, offset: number): void {
    if (body.length < 8) throw new CaptureError('CAPTURE_BAD_BLOCK', 'an Interface Description Block shorter than 20 bytes', offset);
    const v = viewOf(body);
    const le = this.littleEndian;
    let unitsPerSecond = 1_000_000n;
    let offsetSeconds = 0n;
    let name: string | undefined;
    for (const [code, value] of options(body.subarray(8), le, offset + 16)) {
      if (code === OPT.IF_TSRESOL && value.length >= 1) {
        const r = value[0];
        unitsPerSecond = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
      } else if (code === OPT.IF_TSOFFSET && value.length >= 8) {
        offsetSeconds = viewOf(value).getBigInt64(0, le);
      } else if (code === OPT.IF_NAME) {
        name = new TextDecoder().decode(value).replace(/\0+$/, '');
      }
    }
    this.interfaces.push({
      id: this.interfaces.length, linkType: v.getUint16(0, le), snapLen: v.getUint32(4, le),
      unitsPerSecond, offsetSeconds, ...(name !== undefined ? { name } : {}),
    });
  }

  private iface(id: number, offset: number): Interface {
    const iface = this.interfaces[id];
    if (!iface) throw new CaptureError('CAPTURE_BAD_INTERFACE', `a packet of interface ${id}, but the section describes ${this.interfaces.length}`, offset);
    return iface;
  }

  private timestamp(iface: Interface, high: number, low: number): bigint {
    const units = (BigInt(high) << 32n) | BigInt(low);
    return (units * 1_000_000_000n) / iface.unitsPerSecond + iface.offsetSeconds * 1_000_000_000n;
  }

  private packet(body: Uint8Array, at: number, capLen: number, offset: number): Uint8Array {
    if (at + capLen > body.length) {
      throw new CaptureError('CAPTURE_BAD_BLOCK', `a packet of ${capLen} bytes does not fit in its block`, offset);
    }
    return body.subarray(at, at + capLen);
  }

  private readEnhanced(body: Uint8Array, offset: number): CapturePacket {
    if (body.length < 20) throw new CaptureError('CAPTURE_BAD_BLOCK', 'an Enhanced Packet Block shorter than 32 bytes', offset);
    const v = viewOf(body);
    const le = this.littleEndian;
    const iface = this.iface(v.getUint32(0, le), offset);
    const capLen = v.getUint32(12, le);
    return {
      data: this.packet(body, 20, capLen, offset), originalLength: v.getUint32(16, le),
      timestampNs: this.timestamp(iface, v.getUint32(4, le), v.getUint32(8, le)), interface: iface, offset,
    };
  }

  private readSimple(body: Uint8Array, offset: number): CapturePacket {
    if (body.length < 4) throw new CaptureError('CAPTURE_BAD_BLOCK', 'a Simple Packet Block shorter than 16 bytes', offset);
    const iface = this.iface(0, offset);
    const originalLength = viewOf(body).getUint32(0, this.littleEndian);
    // No captured length: the smaller of the original length and the snap length (pcapng 4.4).
    const capLen = Math.min(originalLength, iface.snapLen || originalLength, body.length - 4);
    return { data: body.subarray(4, 4 + capLen), originalLength, timestampNs: 0n, interface: iface, offset };
  }

  private readObsolete(body: Uint8Array, offset: number): CapturePacket {
    if (body.length < 20) throw new CaptureError('CAPTURE_BAD_BLOCK', 'a Packet Block shorter than 32 bytes', offset);
    const v = viewOf(body);
    const le = this.littleEndian;
    const iface = this.iface(v.getUint16(0, le), offset);
    const capLen = v.getUint32(12, le);
    return {
      data: this.packet(body, 20, capLen, offset), originalLength: v.getUint32(16, le),
      timestampNs: this.timestamp(iface, v.getUint32(4, le), v.getUint32(8, le)), interface: iface, offset,
    };
  }
}

/** The options of a block (code, value), up to opt_endofopt or the end; malformed ones are an error. */
function* options(bytes: Uint8Array, le: boolean, offset: number): Generator<[number, Uint8Array]> {
  const v = viewOf(bytes);
  let at = 0;
  while (at + 4 <= bytes.length) {
    const code = v.getUint16(at, le);
    const length = v.getUint16(at + 2, le);
    if (code === OPT.END) return;
    if (at + 4 + length > bytes.length) {
      throw new CaptureError('CAPTURE_BAD_BLOCK', `option ${code} of ${length} bytes runs past its block`, offset + at);
    }
    yield [code, bytes.subarray(at + 4, at + 4 + length)];
    at += 4 + ((length + 3) & ~3);
  }
}
