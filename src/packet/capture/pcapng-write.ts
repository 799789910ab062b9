import { PCAPNG_BLOCK, PCAPNG_BYTE_ORDER_MAGIC } from './pcapng-read.js';
import { checkPacketToWrite, LINKTYPE, type PacketToWrite } from './types.js';

export interface PcapngInterfaceOptions {
  /** Default LINKTYPE_ETHERNET (1). */
  readonly linkType?: number;
  /** Default 0 (no limit). */
  readonly snapLen?: number;
  /** Timestamp units per second, a power of 10 or of 2 (if_tsresol); default 10^6. */
  readonly unitsPerSecond?: bigint;
  readonly name?: string;
}

export interface PcapngWriteOptions {
  /** The interfaces, by id (a packet's interfaceId); default one Ethernet interface. */
  readonly interfaces?: readonly PcapngInterfaceOptions[];
  /** Default true. */
  readonly littleEndian?: boolean;
}

const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;

/** if_tsresol's byte for a number of units per second: 10^n is n, 2^n is 0x80 | n. */
function tsresolByte(units: bigint): number {
  for (let n = 0; n < 128; n++) {
    if (10n ** BigInt(n) === units) return n;
    if (1n << BigInt(n) === units) return 0x80 | n;
  }
  throw new RangeError(`unitsPerSecond must be a power of 10 or 2, got ${units}`);
}

/** A block: type, total length, body padded to 4 bytes, total length. */
function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const length = 12 + padded;
  const bytes = new Uint8Array(length);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, length, le);
  bytes.set(body, 8);
  v.setUint32(length - 4, length, le);
  return bytes;
}

function optionsBytes(list: readonly [number, Uint8Array][], le: boolean): Uint8Array {
  if (list.length === 0) return new Uint8Array(0);
  const size = list.reduce((n, [, v]) => n + 4 + ((v.length + 3) & ~3), 4);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const [code, value] of list) {
    view.setUint16(at, code, le);
    view.setUint16(at + 2, value.length, le);
    bytes.set(value, at + 4);
    at += 4 + ((value.length + 3) & ~3);
  }
  return bytes; // ends with opt_endofopt (four zero bytes)
}

/** pcapng bytes: a Section Header Block with the Interface Description Blocks, then one Enhanced Packet Block per packet. */
export class PcapngEncoder {
  private readonly le: boolean;
  private readonly interfaces: readonly PcapngInterfaceOptions[];

  constructor(options: PcapngWriteOptions = {}) {
    this.le = options.littleEndian ?? true;
    this.interfaces = options.interfaces?.length ? options.interfaces : [{}];
    for (const i of this.interfaces) tsresolByte(i.unitsPerSecond ?? 1_000_000n);
  }

  header(): Uint8Array {
    const le = this.le;
    const shb = new Uint8Array(16);
    const v = new DataView(shb.buffer);
    v.setUint32(0, PCAPNG_BYTE_ORDER_MAGIC, le);
    v.setUint16(4, 1, le);
    v.setUint16(6, 0, le);
    v.setBigInt64(8, -1n, le); // section length not given
    const blocks = [block(PCAPNG_BLOCK.SHB, shb, le)];
    for (const i of this.interfaces) {
      const options: [number, Uint8Array][] = [];
      if (i.name !== undefined) options.push([OPT_IF_NAME, new TextEncoder().encode(i.name)]);
      const units = i.unitsPerSecond ?? 1_000_000n;
      if (units !== 1_000_000n) options.push([OPT_IF_TSRESOL, Uint8Array.of(tsresolByte(units))]);
      const opts = optionsBytes(options, le);
      const body = new Uint8Array(8 + opts.length);
      const bv = new DataView(body.buffer);
      bv.setUint16(0, i.linkType ?? LINKTYPE.ETHERNET, le);
      bv.setUint32(4, i.snapLen ?? 0, le);
      body.set(opts, 8);
      blocks.push(block(PCAPNG_BLOCK.IDB, body, le));
    }
    return concat(blocks);
  }

  packet(packet: PacketToWrite): Uint8Array {
    checkPacketToWrite(packet);
    const id = packet.interfaceId ?? 0;
    const iface = this.interfaces[id];
    if (!iface) throw new RangeError(`interfaceId ${id} names no interface (the writer has ${this.interfaces.length})`);
    const ns = packet.timestampNs ?? 0n;
    if (ns < 0n) throw new RangeError(`a timestamp cannot be before 1970, got ${ns} ns`);
    const units = (ns * (iface.unitsPerSecond ?? 1_000_000n)) / 1_000_000_000n;
    const body = new Uint8Array(20 + packet.data.length);
    const v = new DataView(body.buffer);
    v.setUint32(0, id, this.le);
    v.setUint32(4, Number(units >> 32n), this.le);
    v.setUint32(8, Number(units & 0xffffffffn), this.le);
    v.setUint32(12, packet.data.length, this.le);
    v.setUint32(16, packet.originalLength ?? packet.data.length, this.le);
    body.set(packet.data, 20);
    return block(PCAPNG_BLOCK.EPB, body, this.le);
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
