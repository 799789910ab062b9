import { nodeFiles, type NodeFiles } from '../../host.js';
import { CaptureError } from '../../errors.js';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from '../capture/pcap-read.js';
import type { PacketFilter } from './filter.js';
import { dataAt, verdictsAt } from './layout.js';

/**
 * Counting the matches of a pcap file without a copy per packet or per chunk: the file is
 * read straight into the runtime's input area, behind a table big enough for any number
 * of records a chunk can hold; the record headers are parsed where they lie (no object per
 * packet), the table filled, and one batch run filters the chunk. A record cut at the
 * chunk's end moves to its start for the next read. Memory: the input area, nothing else.
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

const FILE_HEADER = 24;
const RECORD_HEADER = 16;
const LIBPCAP_MAX_SNAPLEN = 262144;

export function scanPcapFile(filter: PacketFilter, path: string, onProgress?: (bytesRead: number) => void): PcapScanResult | undefined {
  const { openSync, readSync, closeSync } = nodeFiles();
  const fd = openSync(path, 'r');
  try {
    return scan(filter, fd, readSync, onProgress);
  } finally {
    closeSync(fd);
  }
}

function scan(filter: PacketFilter, fd: number, readSync: NodeFiles['readSync'], onProgress?: (bytesRead: number) => void): PcapScanResult | undefined {
  const header = new Uint8Array(FILE_HEADER);
  const got = readSync(fd, header, 0, FILE_HEADER, 0);
  if (got < 4) return undefined;
  const hv = new DataView(header.buffer);
  const le = [PCAP_MAGIC_US, PCAP_MAGIC_NS].includes(hv.getUint32(0, true));
  const magic = hv.getUint32(0, le);
  if (magic !== PCAP_MAGIC_US && magic !== PCAP_MAGIC_NS) return undefined;
  if (got < FILE_HEADER) throw new CaptureError('CAPTURE_TRUNCATED', 'the file ends inside the pcap file header', 0);
  const linkType = hv.getUint32(20, le) & 0xffff;
  if (linkType !== filter.linkType) {
    throw new CaptureError('CAPTURE_LINKTYPE', `a capture of link type ${linkType}, but the filter is for link type ${filter.linkType}`, 20);
  }
  const maxRecord = Math.max(hv.getUint32(16, le), LIBPCAP_MAX_SNAPLEN);
  const fractionLimit = magic === PCAP_MAGIC_NS ? 1_000_000_000 : 1_000_000;

  // Chunk C and table for C / 16 + 1 records: dataAt(C / 16 + 1) + C <= capacity.
  const capacity = filter.capacity;
  const chunk = Math.floor((capacity - 16) / (1 + 12 / RECORD_HEADER)) & ~7;
  const maxCount = Math.floor(chunk / RECORD_HEADER) + 1;
  const dataStart = dataAt(maxCount);
  if (chunk < RECORD_HEADER + 64) throw new RangeError(`a batch of ${capacity} bytes is too small to scan a capture`);

  let filePos = FILE_HEADER; // file offset of dataStart's first byte
  let carry = 0;
  let packets = 0;
  let matches = 0;
  for (;;) {
    const input = filter.program.input(capacity);
    const n = readSync(fd, input, dataStart + carry, chunk - carry, filePos + carry);
    const avail = carry + n;
    const view = new DataView(input.buffer, input.byteOffset, capacity);
    const words = new Uint32Array(input.buffer, input.byteOffset, (verdictsAt(maxCount) >> 2));
    let pos = 0;
    let count = 0;
    while (pos + RECORD_HEADER <= avail) {
      const at = dataStart + pos;
      const capLen = view.getUint32(at + 8, le);
      if (capLen > maxRecord) {
        throw new CaptureError('CAPTURE_BAD_RECORD', `a record claims ${capLen} captured bytes, more than the limit of ${maxRecord} (corrupt file?)`, filePos + pos);
      }
      if (view.getUint32(at + 4, le) >= fractionLimit) {
        throw new CaptureError('CAPTURE_BAD_RECORD', `a record's fraction field is ${view.getUint32(at + 4, le)}, not below one second (corrupt file?)`, filePos + pos);
      }
      if (pos + RECORD_HEADER + capLen > avail) break;
      words[2 + 2 * count] = at + RECORD_HEADER;
      words[3 + 2 * count] = capLen;
      count++;
      pos += RECORD_HEADER + capLen;
    }
    if (count > 0) {
      words[0] = count;
      words[1] = 0;
      matches += Number(filter.program.runInput(dataStart + avail));
      packets += count;
    }
    onProgress?.(filePos + pos);
    if (n === 0) {
      if (pos < avail) {
        throw new CaptureError('CAPTURE_TRUNCATED', `the file ends inside a record: ${avail - pos} bytes left`, filePos + pos);
      }
      return { packets, matches };
    }
    if (count === 0 && avail === chunk) {
      throw new RangeError(`a record at byte offset ${filePos} does not fit a batch of ${capacity} bytes (the runtime's maxInputSize)`);
    }
    // The cut record moves to the chunk's start.
    input.copyWithin(dataStart, dataStart + pos, dataStart + avail);
    filePos += pos;
    carry = avail - pos;
  }
}
