/**
 * The loop that filters a byte range of a pcap file in chunks read straight into a
 * WebAssembly memory, for scanPcapFile on the calling thread and for worker threads
 * (workers.ts runs these functions' own source: each is self-contained, with no reference
 * outside its body).
 */

/** A range of a pcap file: the records that start in [start, end) (the last may run past `end`). */
export interface FileRange {
  readonly start: number;
  readonly end: number;
  readonly swap: boolean;
  readonly maxCaplen: number;
  readonly fracLimit: number;
  readonly chunkBytes: number;
}

export interface RangeResult {
  readonly packets: number;
  readonly matches: number;
  /** File offset of the first record not filtered: the first at `end` or later, or where the scan stopped. */
  readonly next: number;
  /** 'limit': the range is done; 'end': the file ended after a whole record; 'problem': a record at `next` is cut by the file's end or corrupt. */
  readonly stopped: 'limit' | 'end' | 'problem';
}

/** One scan of the records in memory from `at` (the `scan` export's contract: batch-module.ts). */
export type ChunkScan = (at: number, end: number, limit: number) => { matches: number; packets: number; stop: number };

export function scanFileRange(readSync: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => number,
  fd: number, memory: WebAssembly.Memory, scanChunk: ChunkScan, range: FileRange, onProgress?: (offset: number) => void): RangeResult {
  const CHUNK_AT = 64; // address 0 is never a packet's
  const PAGE = 65536;
  const RECORD = 16;
  let room = range.chunkBytes;
  const grow = () => {
    const pages = Math.ceil((CHUNK_AT + room) / PAGE) - memory.buffer.byteLength / PAGE;
    if (pages > 0) memory.grow(pages);
    return new Uint8Array(memory.buffer);
  };
  let bytes = grow();
  let filePos = range.start; // file offset of the byte at CHUNK_AT
  let carry = 0;
  let packets = 0;
  let matches = 0;
  for (;;) {
    const n = readSync(fd, bytes, CHUNK_AT + carry, room - carry, filePos + carry);
    const end = CHUNK_AT + carry + n;
    // Records at or after range.end are not this range's (a start past the end: none are).
    const limit = Math.max(0, Math.min(range.end - filePos + CHUNK_AT, 0xffffffff));
    const r = scanChunk(CHUNK_AT, end, limit);
    matches += r.matches;
    packets += r.packets;
    const next = filePos + r.stop - CHUNK_AT;
    onProgress?.(next);
    if (r.stop >= limit) return { packets, matches, next, stopped: 'limit' };
    if (r.stop < end) {
      // Cut by the chunk's end, or corrupt: a corrupt header says so in its first 12 bytes.
      const view = new DataView(memory.buffer, r.stop, end - r.stop);
      const corrupt = end - r.stop >= 12 && (view.getUint32(4, !range.swap) >= range.fracLimit || view.getUint32(8, !range.swap) > range.maxCaplen);
      if (corrupt || n === 0) return { packets, matches, next, stopped: 'problem' };
    } else if (n === 0) {
      return { packets, matches, next, stopped: 'end' };
    }
    // The cut record moves to the chunk's start; one longer than the room grows it.
    carry = end - r.stop;
    bytes.copyWithin(CHUNK_AT, r.stop, end);
    filePos = next;
    if (carry >= RECORD && r.stop === CHUNK_AT) {
      const need = RECORD + new DataView(memory.buffer, CHUNK_AT + 8, 4).getUint32(0, !range.swap);
      if (need > room) {
        room = need;
        bytes = grow();
      }
    }
  }
}

/**
 * The first offset at or after range.start where a run of plausible records starts (a
 * worker's guess at a record boundary in the middle of a file; the caller checks it
 * against where the range before it ended): up to 16 headers in a row whose fraction
 * is below the limit, captured length within the limit and at most the wire length,
 * seconds within a day of each other, each record whole. -1 if none in the first
 * 256 KiB (or up to the file's end).
 */
export function findRecordStart(readSync: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => number,
  fd: number, range: FileRange, fileSize: number): number {
  const WINDOW = 256 * 1024;
  const RUN = 16;
  const want = Math.min(fileSize - range.start, WINDOW + RUN * (16 + range.maxCaplen));
  const bytes = new Uint8Array(Math.max(0, want));
  let got = 0;
  while (got < bytes.length) {
    const n = readSync(fd, bytes, got, bytes.length - got, range.start + got);
    if (n === 0) break;
    got += n;
  }
  const view = new DataView(bytes.buffer, 0, got);
  const le = !range.swap;
  const atEof = range.start + got >= fileSize;
  for (let p = 0; p < Math.min(got, WINDOW); p++) {
    let at = p;
    let ok = true;
    let prevSec = -1;
    for (let k = 0; k < RUN; k++) {
      if (at === got && atEof) break; // the file ends after a whole record
      if (at + 16 > got) { ok = k > 0 && !atEof; break; }
      const sec = view.getUint32(at, le);
      const caplen = view.getUint32(at + 8, le);
      const wire = view.getUint32(at + 12, le);
      if (view.getUint32(at + 4, le) >= range.fracLimit || caplen > range.maxCaplen || caplen > wire || (prevSec >= 0 && Math.abs(sec - prevSec) > 86400)) { ok = false; break; }
      prevSec = sec;
      at += 16 + caplen;
      if (at > got) { ok = k > 0 && !atEof; break; }
    }
    if (ok) return range.start + p;
  }
  return -1;
}
