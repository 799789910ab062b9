import { CaptureError } from '../../errors.js';
import type { ChunkQueue } from './chunk-queue.js';
import { DEFAULT_MAX_RECORD, takeRecord, viewOf, type CaptureParser } from './parser.js';
import type { CaptureInterface, CapturePacket } from './types.js';

/**
 * The classic pcap format (tcpdump.org's pcap(5), draft-ietf-opsawg-pcap): a 24-byte file
 * header (magic, version, thiszone, sigfigs, snaplen, link type) then records of a 16-byte
 * header (seconds, micro- or nanoseconds, captured and original length) and the captured
 * bytes. The magic tells the byte order (the writer's) and the fraction's unit.
 */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;
/** libpcap refuses records longer than max(snaplen, 262144) as corrupt (MAXIMUM_SNAPLEN). */
const LIBPCAP_MAX_SNAPLEN = 262144;

/** Whether 4 bytes start a pcap file, in either byte order. */
export function isPcapMagic(bytes: Uint8Array): boolean {
  const v = viewOf(bytes);
  return [true, false].some((le) => {
    const m = v.getUint32(0, le);
    return m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS;
  });
}

export class PcapParser implements CaptureParser {
  readonly format = 'pcap' as const;
  private littleEndian = true;
  private nanoseconds = false;
  private iface?: CaptureInterface;
  private maxRecord = 0;

  constructor(private readonly maxRecordBytes = DEFAULT_MAX_RECORD) {}

  step(queue: ChunkQueue, eof: boolean): CapturePacket | 'need' | 'end' {
    if (!this.iface) {
      const header = takeRecord(queue, FILE_HEADER, eof, 'the pcap file header');
      if (header === 'need') return 'need';
      this.readFileHeader(header, queue.offset - FILE_HEADER);
    }
    const iface = this.iface!;
    if (queue.available === 0 && eof) return 'end';
    const offset = queue.offset;
    const head = queue.peek(RECORD_HEADER);
    if (!head) return takeRecord(queue, RECORD_HEADER, eof, 'a record header') as 'need';
    const v = viewOf(head);
    const le = this.littleEndian;
    const seconds = v.getUint32(0, le);
    const fraction = v.getUint32(4, le);
    const capLen = v.getUint32(8, le);
    const origLen = v.getUint32(12, le);
    if (capLen > this.maxRecord) {
      throw new CaptureError('CAPTURE_BAD_RECORD', `a record claims ${capLen} captured bytes, more than the limit of ${this.maxRecord} (corrupt file?)`, offset);
    }
    if (fraction >= (this.nanoseconds ? 1_000_000_000 : 1_000_000)) {
      throw new CaptureError('CAPTURE_BAD_RECORD', `a record's ${this.nanoseconds ? 'nano' : 'micro'}second field is ${fraction}, not below one second (corrupt file?)`, offset);
    }
    const record = takeRecord(queue, RECORD_HEADER + capLen, eof, `a record of ${capLen} bytes`);
    if (record === 'need') return 'need';
    const timestampNs = BigInt(seconds) * 1_000_000_000n + BigInt(this.nanoseconds ? fraction : fraction * 1000);
    return { data: record.subarray(RECORD_HEADER), originalLength: origLen, timestampNs, interface: iface, offset };
  }

  private readFileHeader(header: Uint8Array, offset: number): void {
    const v = viewOf(header);
    const magicLe = v.getUint32(0, true);
    const magicBe = v.getUint32(0, false);
    if (magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS) this.littleEndian = true;
    else if (magicBe === PCAP_MAGIC_US || magicBe === PCAP_MAGIC_NS) this.littleEndian = false;
    else throw new CaptureError('CAPTURE_BAD_MAGIC', `not a pcap file: magic 0x${magicBe.toString(16).padStart(8, '0')}`, offset);
    const le = this.littleEndian;
    this.nanoseconds = v.getUint32(0, le) === PCAP_MAGIC_NS;
    const major = v.getUint16(4, le);
    if (major !== 2) throw new CaptureError('CAPTURE_BAD_VERSION', `pcap version ${major}.${v.getUint16(6, le)}, expected 2.x`, offset + 4);
    const snapLen = v.getUint32(16, le);
    // The link-type field's upper bits carry FCS information (pcap(5)); the type is the low 16.
    const linkType = v.getUint32(20, le) & 0xffff;
    this.maxRecord = Math.min(Math.max(snapLen, LIBPCAP_MAX_SNAPLEN), this.maxRecordBytes);
    this.iface = { id: 0, linkType, snapLen, unitsPerSecond: this.nanoseconds ? 1_000_000_000n : 1_000_000n };
  }
}
