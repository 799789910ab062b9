import { checkOptions } from '../../arguments.js';
import { nodeFiles, type NodeFiles } from '../../host.js';
import { scanFileRange, type FileRange } from './pcap-range.js';
import { scanRangesInWorkers } from './workers.js';
import { CaptureError } from '../../errors.js';
import { PCAP_FILE_HEADER, pcapFormat, recordProblem, type PcapFormat } from './pcap-format.js';
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
  /**
   * Scan the file in this many byte ranges, each on a worker thread of its own (Node, a
   * filter compiled straight to Wasm; others scan on this thread); the call then returns a
   * Promise. `onProgress` is not called.
   */
  readonly workers?: number;
}

export const DEFAULT_SCAN_CHUNK = 512 * 1024;
/** The link type check every pcap path makes before filtering. */
export function checkLinkType(format: PcapFormat, filter: PacketFilter): void {
  if (format.linkType !== filter.linkType) {
    throw new CaptureError('CAPTURE_LINKTYPE', `a capture of link type ${format.linkType}, but the filter is for link type ${filter.linkType}`, 20);
  }
}

export function scanPcapFile(filter: PacketFilter, path: string, options?: (PcapScanOptions & { readonly workers?: undefined }) | ((bytesRead: number) => void)): PcapScanResult | undefined;
export function scanPcapFile(filter: PacketFilter, path: string, options: PcapScanOptions & { readonly workers: number }): Promise<PcapScanResult | undefined>;
export function scanPcapFile(filter: PacketFilter, path: string, options: PcapScanOptions | ((bytesRead: number) => void) = {}): PcapScanResult | undefined | Promise<PcapScanResult | undefined> {
  const { onProgress, chunkBytes = DEFAULT_SCAN_CHUNK, workers } = typeof options === 'function' ? { onProgress: options } as PcapScanOptions : checkOptions('scanPcapFile()', options);
  if (!Number.isInteger(chunkBytes) || chunkBytes < 64) throw new RangeError(`chunkBytes must be an integer of at least 64, got ${chunkBytes}`);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) throw new RangeError(`workers must be an integer of at least 1, got ${workers}`);
  const files = nodeFiles();
  const fd = files.openSync(path, 'r');
  let closeLater = false;
  try {
    const header = new Uint8Array(PCAP_FILE_HEADER);
    const format = pcapFormat(header.subarray(0, files.readSync(fd, header, 0, PCAP_FILE_HEADER, 0)));
    if (format === undefined) return workers === undefined ? undefined : Promise.resolve(undefined);
    checkLinkType(format, filter);
    const module = filter.batchModule();
    const here = () => {
      const { packets, matches } = scanHere(filter, files, fd, format, { start: PCAP_FILE_HEADER, end: Infinity, ...format, chunkBytes }, onProgress);
      return { packets, matches };
    };
    if (workers === undefined) return here();
    // A filter that runs as eBPF scans on this thread (its program lives in the runtime's memory).
    if (module === undefined) return new Promise((resolve) => resolve(here()));
    closeLater = true;
    return scanInWorkers(filter, module, files, fd, path, format, chunkBytes, workers).finally(() => files.closeSync(fd));
  } finally {
    if (!closeLater) files.closeSync(fd);
  }
}

/** The records of `range` filtered on this thread; a cut or corrupt record is its CaptureError. */
function scanHere(filter: PacketFilter, files: NodeFiles, fd: number, format: PcapFormat, range: FileRange, onProgress?: (offset: number) => void): PcapScanResult & { next: number } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const scanChunk = (at: number, end: number) => filter.scanRecords(memory, { at, end, verdicts: 0, max: 0xffffffff, format });
  const r = scanFileRange(files.readSync, fd, memory, scanChunk, range, onProgress);
  if (r.stopped === 'problem') throw problemAt(files, fd, r.next, format);
  return { packets: r.packets, matches: r.matches, next: r.next };
}

/** The CaptureError for the record at `offset`, where a scan stopped before the file's end. */
function problemAt(files: NodeFiles, fd: number, offset: number, format: PcapFormat): CaptureError {
  const header = new Uint8Array(16);
  const n = files.readSync(fd, header, 0, 16, offset);
  const left = files.fstatSync(fd).size - offset;
  return recordProblem(header, 0, n, format, true, offset)
    ?? new CaptureError('CAPTURE_TRUNCATED', `the file ends inside a record: ${left} bytes left`, offset);
}

/**
 * The file cut into `workers` byte ranges, each scanned by a worker thread from the first
 * record boundary it finds in it (a guess: pcap has no sync marks), checked here against
 * where the range before it ended; a range whose guess was wrong is scanned again here
 * from the true boundary, so the counts are always those of one scan.
 */
async function scanInWorkers(filter: PacketFilter, module: WebAssembly.Module, files: NodeFiles, fd: number, path: string, format: PcapFormat,
  chunkBytes: number, workers: number): Promise<PcapScanResult> {
  const size = files.fstatSync(fd).size;
  const bounds = Array.from({ length: workers + 1 }, (_, k) => PCAP_FILE_HEADER + Math.floor((k * (size - PCAP_FILE_HEADER)) / workers));
  const ranges = bounds.slice(0, -1).map((start, k): FileRange => ({ start, end: k === workers - 1 ? Infinity : bounds[k + 1], ...format, chunkBytes }));
  const parts = await scanRangesInWorkers(module, path, size, ranges);
  let expected = PCAP_FILE_HEADER;
  let packets = 0;
  let matches = 0;
  for (const [k, part] of parts.entries()) {
    if (part.first !== expected) {
      const again = scanHere(filter, files, fd, format, { ...ranges[k], start: expected });
      packets += again.packets;
      matches += again.matches;
      expected = again.next;
      continue;
    }
    if (part.stopped === 'problem') throw problemAt(files, fd, part.next!, format);
    packets += part.packets!;
    matches += part.matches!;
    expected = part.next!;
  }
  return { packets, matches };
}
