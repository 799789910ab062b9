import { nodeFiles, type NodeFiles } from '../../host.js';
import { CaptureError } from '../../errors.js';
import { PCAP_FILE_HEADER, pcapFormat, recordProblem, type PcapFormat } from './pcap-format.js';
import { PCAP_RECORD_BYTES } from '../cbpf/wasm/batch-module.js';
import type { PacketFilter } from './filter.js';

/**
 * Counting the matches of a pcap file with no copy and no JS per packet: the file is read
 * in chunks straight into a WebAssembly memory of the filter's (fs.readSync into a view
 * of it), and the filter's module walks the chunk's 16-byte record headers itself, each
 * packet filtered where it lies (the `scan` export of cbpf/wasm/batch-module.ts). A
 * record cut at the chunk's end moves to the chunk's start for the next read. Memory: one
 * chunk (`chunkBytes`, default 512 KiB, which stays in the L2 cache between the read and
 * the scan), plus one record if a record is longer.
 *
 * Returns undefined for a file that is not pcap (pcapng: use PacketFilter.filterCapture).
 * A cut or corrupt file throws a CaptureError with the record's offset, as readCapture does,
 * after the packets before it were counted (the counts are then lost with the throw:
 * `onProgress` saw them).
 */
export interface PcapScanResult {
  readonly packets: number;
  readonly matches: number;
}

export interface PcapScanOptions {
  /** Called after each chunk with the file offset every record before which was filtered. */
  readonly onProgress?: (bytesRead: number) => void;
  /** Bytes read at a time (default DEFAULT_SCAN_CHUNK; at least 64). */
  readonly chunkBytes?: number;
}

export const DEFAULT_SCAN_CHUNK = 512 * 1024;
/** The link type check every pcap path makes before filtering. */
export function checkLinkType(format: PcapFormat, filter: PacketFilter): void {
  if (format.linkType !== filter.linkType) {
    throw new CaptureError('CAPTURE_LINKTYPE', `a capture of link type ${format.linkType}, but the filter is for link type ${filter.linkType}`, 20);
  }
}

export function scanPcapFile(filter: PacketFilter, path: string, options: PcapScanOptions | ((bytesRead: number) => void) = {}): PcapScanResult | undefined {
  const { onProgress, chunkBytes = DEFAULT_SCAN_CHUNK } = typeof options === 'function' ? { onProgress: options } : options;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 64) throw new RangeError(`chunkBytes must be an integer of at least 64, got ${chunkBytes}`);
  const files = nodeFiles();
  const fd = files.openSync(path, 'r');
  try {
    return scan(filter, fd, files.readSync, chunkBytes, onProgress);
  } finally {
    files.closeSync(fd);
  }
}

const PAGE = 65536;
/** Where the chunk starts in the scan's memory: address 0 is never a packet's. */
const CHUNK_AT = 64;

function scan(filter: PacketFilter, fd: number, readSync: NodeFiles['readSync'], chunkBytes: number, onProgress?: (bytesRead: number) => void): PcapScanResult | undefined {
  const header = new Uint8Array(PCAP_FILE_HEADER);
  const format = pcapFormat(header.subarray(0, readSync(fd, header, 0, PCAP_FILE_HEADER, 0)));
  if (format === undefined) return undefined;
  checkLinkType(format, filter);

  // The chunk's room: chunkBytes, or one whole record if a record is longer.
  let room = chunkBytes;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((CHUNK_AT + room) / PAGE) });
  let bytes = new Uint8Array(memory.buffer);
  let filePos = PCAP_FILE_HEADER; // file offset of the chunk's first byte (CHUNK_AT)
  let carry = 0;
  let packets = 0;
  let matches = 0;
  for (;;) {
    const n = readSync(fd, bytes, CHUNK_AT + carry, room - carry, filePos + carry);
    const end = CHUNK_AT + carry + n;
    const scanned = filter.scanRecords(memory, { at: CHUNK_AT, end, verdicts: 0, max: 0xffffffff, format });
    matches += scanned.matches;
    packets += scanned.packets;
    const pos = scanned.stop - CHUNK_AT;
    onProgress?.(filePos + pos);
    const eof = n === 0;
    if (scanned.stop < end || eof) {
      const problem = scanned.stop < end ? recordProblem(bytes, scanned.stop, end, format, eof, filePos + pos) : undefined;
      if (problem) throw problem;
      if (eof) return { packets, matches };
    }
    // The cut record moves to the chunk's start; a record longer than the room grows it.
    carry = end - scanned.stop;
    bytes.copyWithin(CHUNK_AT, scanned.stop, end);
    filePos += pos;
    if (carry >= PCAP_RECORD_BYTES && pos === 0) {
      const need = PCAP_RECORD_BYTES + new DataView(bytes.buffer, CHUNK_AT + 8, 4).getUint32(0, !format.swap);
      if (need > room) {
        memory.grow(Math.ceil((CHUNK_AT + need) / PAGE) - memory.buffer.byteLength / PAGE);
        bytes = new Uint8Array(memory.buffer);
        room = need;
      }
    }
  }
}
