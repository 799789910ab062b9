import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from './pcap-read.js';
import { checkPacketToWrite, LINKTYPE, type PacketToWrite } from './types.js';

export interface PcapWriteOptions {
  /** Default LINKTYPE_ETHERNET (1). */
  readonly linkType?: number;
  /** Default 262144, libpcap's maximum. */
  readonly snapLen?: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d); default microseconds. */
  readonly nanoseconds?: boolean;
  /** Default true; big-endian files are what some other hosts write. */
  readonly littleEndian?: boolean;
}

/** pcap bytes, a file header and then one record per packet (see pcap-read.ts for the layout). */
export class PcapEncoder {
  private readonly le: boolean;
  private readonly ns: boolean;

  constructor(private readonly options: PcapWriteOptions = {}) {
    this.le = options.littleEndian ?? true;
    this.ns = options.nanoseconds ?? false;
  }

  header(): Uint8Array {
    const bytes = new Uint8Array(24);
    const v = new DataView(bytes.buffer);
    v.setUint32(0, this.ns ? PCAP_MAGIC_NS : PCAP_MAGIC_US, this.le);
    v.setUint16(4, 2, this.le);
    v.setUint16(6, 4, this.le);
    v.setUint32(16, this.options.snapLen ?? 262144, this.le);
    v.setUint32(20, this.options.linkType ?? LINKTYPE.ETHERNET, this.le);
    return bytes;
  }

  packet(packet: PacketToWrite): Uint8Array {
    checkPacketToWrite(packet);
    const { data } = packet;
    const bytes = new Uint8Array(16 + data.length);
    const v = new DataView(bytes.buffer);
    const ns = packet.timestampNs ?? 0n;
    if (ns < 0n) throw new RangeError(`a pcap timestamp cannot be before 1970, got ${ns} ns`);
    const seconds = ns / 1_000_000_000n;
    if (seconds > 0xffffffffn) throw new RangeError(`a pcap timestamp must fit 32 bits of seconds, got ${seconds}`);
    const fraction = ns % 1_000_000_000n;
    v.setUint32(0, Number(seconds), this.le);
    v.setUint32(4, Number(this.ns ? fraction : fraction / 1000n), this.le);
    v.setUint32(8, data.length, this.le);
    v.setUint32(12, packet.originalLength ?? data.length, this.le);
    bytes.set(data, 16);
    return bytes;
  }
}
