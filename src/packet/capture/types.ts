/**
 * What the capture readers yield and the writers take. Timestamps are nanoseconds since
 * the Unix epoch as a bigint: pcap's micro- and nanosecond records and pcapng's decimal
 * resolutions down to 10^-9 convert exactly; finer or binary (2^-n) resolutions round down.
 */

import { describeValue } from '../../arguments.js';

/** LINKTYPE_* values (tcpdump.org/linktypes.html) the library knows by name. */
export const LINKTYPE = { NULL: 0, ETHERNET: 1, RAW: 101, LINUX_SLL: 113, IPV4: 228, IPV6: 229, LINUX_SLL2: 276 } as const;

/** One capture interface: pcap has one per file, pcapng one per Interface Description Block. */
export interface CaptureInterface {
  /** Index in its section (pcapng's interface id; 0 for pcap). */
  readonly id: number;
  readonly linkType: number;
  /** Longest packet the capture kept (0: no limit given). */
  readonly snapLen: number;
  /** Timestamp units per second (10^6 for pcap's microsecond format and pcapng's default). */
  readonly unitsPerSecond: bigint;
  /** pcapng if_name, when given. */
  readonly name?: string;
}

export interface CapturePacket {
  /** The captured bytes (at most the snap length), a view the reader never writes to again. */
  readonly data: Uint8Array;
  /** The packet's length on the wire (at least data.length in a well-formed capture). */
  readonly originalLength: number;
  /** Nanoseconds since 1970-01-01 UTC (0 for pcapng's Simple Packet Blocks, which have none). */
  readonly timestampNs: bigint;
  readonly interface: CaptureInterface;
  /** Byte offset of the packet's record (pcap) or block (pcapng) in the stream. */
  readonly offset: number;
}

/** A packet to write: what a reader yields, or the least a caller must give. */
export interface PacketToWrite {
  readonly data: Uint8Array;
  /** Default: data.length. */
  readonly originalLength?: number;
  /** Default: 0. */
  readonly timestampNs?: bigint;
  /** pcapng: the interface (index into the writer's interfaces); default 0. */
  readonly interfaceId?: number;
}

/**
 * A packet a writer takes: `data` a Uint8Array, and each optional field of its type
 * (TypeError naming the field otherwise). Ranges are each format's to check.
 */
export function checkPacketToWrite(packet: PacketToWrite): PacketToWrite {
  const p = packet as Partial<PacketToWrite> | null;
  const bad = typeof p !== 'object' || p === null ? 'a packet { data, originalLength?, timestampNs?, interfaceId? }'
    : !(p.data instanceof Uint8Array) ? 'a packet whose data is a Uint8Array'
      : p.originalLength !== undefined && !Number.isSafeInteger(p.originalLength) ? 'a packet whose originalLength is an integer'
        : p.timestampNs !== undefined && typeof p.timestampNs !== 'bigint' ? 'a packet whose timestampNs is a bigint'
          : p.interfaceId !== undefined && !Number.isSafeInteger(p.interfaceId) ? 'a packet whose interfaceId is an integer' : undefined;
  if (bad) throw new TypeError(`a packet to write must be ${bad}, got ${describeValue(packet)}`);
  return packet;
}

export type CaptureFormat = 'pcap' | 'pcapng';
