import { CaptureError } from '../../errors.js';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from '../capture/pcap-read.js';

/** A pcap file's header and records, as the batch path's scans read them (pcap-scan.ts, arena.ts). */
export const PCAP_FILE_HEADER = 24;
const LIBPCAP_MAX_SNAPLEN = 262144;

/** What a pcap file header says that scanning its records needs. */
export interface PcapFormat {
  /** The records' byte order is not little-endian (this host's: Wasm memory is little-endian). */
  readonly swap: boolean;
  readonly linkType: number;
  /** A record longer than this is corrupt (libpcap: max(snaplen, 262144)). */
  readonly maxCaplen: number;
  /** The timestamp fraction's limit: 10^6 (microseconds) or 10^9. */
  readonly fracLimit: number;
}

/**
 * The format of a pcap file from its first bytes: undefined if they are not a pcap magic
 * (pcapng, say); a CaptureError if the header is cut.
 */
export function pcapFormat(header: Uint8Array): PcapFormat | undefined {
  if (header.length < 4) return undefined;
  const hv = new DataView(header.buffer, header.byteOffset, header.length);
  const le = [PCAP_MAGIC_US, PCAP_MAGIC_NS].includes(hv.getUint32(0, true));
  const magic = hv.getUint32(0, le);
  if (magic !== PCAP_MAGIC_US && magic !== PCAP_MAGIC_NS) return undefined;
  if (header.length < PCAP_FILE_HEADER) throw new CaptureError('CAPTURE_TRUNCATED', 'the file ends inside the pcap file header', 0);
  return {
    swap: !le,
    linkType: hv.getUint32(20, le) & 0xffff,
    maxCaplen: Math.max(hv.getUint32(16, le), LIBPCAP_MAX_SNAPLEN),
    fracLimit: magic === PCAP_MAGIC_NS ? 1_000_000_000 : 1_000_000,
  };
}

/**
 * Why a scan stopped at the record at `at` of `bytes` before `end` (the bytes that are
 * there): the error for a corrupt record, or undefined if the record is merely cut by `end`
 * (`eof`: the file ends there, and that is an error too). `fileOffset` is the record's.
 */
export function recordProblem(bytes: Uint8Array, at: number, end: number, format: PcapFormat, eof: boolean, fileOffset: number): CaptureError | undefined {
  const left = end - at;
  if (left >= 8) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at, left);
    const fraction = view.getUint32(4, !format.swap);
    if (fraction >= format.fracLimit) {
      return new CaptureError('CAPTURE_BAD_RECORD', `a record's fraction field is ${fraction}, not below one second (corrupt file?)`, fileOffset);
    }
    const capLen = left >= 12 ? view.getUint32(8, !format.swap) : 0;
    if (capLen > format.maxCaplen) {
      return new CaptureError('CAPTURE_BAD_RECORD', `a record claims ${capLen} captured bytes, more than the limit of ${format.maxCaplen} (corrupt file?)`, fileOffset);
    }
  }
  if (eof) return new CaptureError('CAPTURE_TRUNCATED', `the file ends inside a record: ${left} bytes left`, fileOffset);
  return undefined;
}

