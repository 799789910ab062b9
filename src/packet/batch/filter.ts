import type { Program } from '../../runtime/program.js';
import { loadProgram } from '../../engine.js';
import { Runtime } from '../../runtime/runtime.js';
import { CaptureError } from '../../errors.js';
import { parseCbpf } from '../cbpf/parse.js';
import { validateCbpf } from '../cbpf/validate.js';
import { translateCbpfBatch } from '../cbpf/batch-translate.js';
import { batchWasmSupports, compileBatchWasm } from '../cbpf/wasm/batch-module.js';
import { batchWasmProgram } from './wasm-program.js';
import type { CbpfInsn } from '../cbpf/insn.js';
import type { CbpfLoadOptions } from '../cbpf/load.js';
import { readCapture, type CaptureReadOptions, type CaptureSource } from '../capture/read.js';
import { LINKTYPE, type CapturePacket } from '../capture/types.js';
import { BATCH_HEADER_BYTES, dataAt, DESCRIPTOR_BYTES, planSpans, VERDICT_BYTES, verdictsAt } from './layout.js';

/**
 * Bytes a batch takes at most, unless one packet needs more (up to the input area): the
 * batch is copied in and then read, and one that stays in the L2 cache between the two
 * was filtered faster (over 100,000 64-byte packets: ~19 ns per packet in 64 KiB
 * batches, ~35 in 1 MiB ones, with the copy); a call into Wasm per ~800 packets is noise.
 */
export const BATCH_TARGET_BYTES = 64 * 1024;

/** The largest buffer filterBuffer takes: 2^31 - 1 bytes, so its offsets stay int32 (layTable). */
const MAX_BUFFER_BYTES = 0x7fffffff;

/**
 * Filtering many packets per call. A PacketFilter holds a classic filter compiled as a
 * batch program: with the JIT, straight to a Wasm module (cbpf/wasm/batch-module.ts), else
 * (ancillary loads, the interpreter) as eBPF (cbpf/batch-translate.ts). The packets are
 * copied into the runtime's input area in spans (all the packets that lie together in one
 * buffer, a capture chunk or a caller's buffer, take one copy), a table says where each
 * lies, and one run of the program filters all of them, each read where it lies. A batch
 * holds up to BATCH_TARGET_BYTES, or one packet up to the input area (`maxInputSize`,
 * 1 MiB by default); longer inputs run as several.
 *
 * The result of a batch: `matches`, the number of packets with a verdict other than 0,
 * and `verdicts`, each packet's verdict (the length the filter accepts, 0 to drop: more
 * than a bitmap, and `indices()` gives the matching packets' positions).
 */
export interface BatchResult {
  readonly matches: number;
  readonly verdicts: Uint32Array;
  /** Positions of the packets whose verdict is not 0. */
  indices(): number[];
}

/** An engine's load options; `optLevel` and `budget` apply only to the eBPF route (the Wasm compiler has no passes, and no loop but the batch's). */
export interface PacketFilterOptions extends CbpfLoadOptions {
  /** The link type the filter was compiled for (default LINKTYPE_ETHERNET); filterCapture refuses others. */
  readonly linkType?: number;
}

export interface FilterCaptureOptions extends CaptureReadOptions {
  /** Packets per batch (default 4096). */
  readonly batchPackets?: number;
}

function result(verdicts: Uint32Array, matches: number): BatchResult {
  return {
    matches, verdicts,
    indices() {
      const out: number[] = [];
      verdicts.forEach((v, i) => { if (v !== 0) out.push(i); });
      return out;
    },
  };
}

export class PacketFilter {
  readonly linkType: number;
  /** Bytes one batch may take: the input area. */
  readonly capacity: number;
  /** The input area, whole, and as u32 words (layOut makes them). */
  private input: Uint8Array = new Uint8Array(0);
  private words: Uint32Array = new Uint32Array(0);
  /** scanBatch's result: the batch's end and the buffer range its packets span. */
  private spanEnd = 0;
  private spanLo = 0;
  private spanHi = 0;

  /** Runs the batch laid out in the input area (`length` bytes); returns the matches. */
  private readonly runLaidOut: (length: number) => number;

  private constructor(readonly program: Program, linkType: number, runBatch?: (length: number) => number) {
    this.linkType = linkType;
    this.capacity = program.runtime.layout.maxInputSize;
    this.runLaidOut = runBatch ?? ((length) => Number(program.runInput(length)));
  }

  /** A classic filter (tcpdump -dd / -ddd text, sock_filter bytes, instructions), checked as Linux checks it. */
  static fromCbpf(input: string | Uint8Array | readonly CbpfInsn[], options: PacketFilterOptions = {}): PacketFilter {
    const cbpf = parseCbpf(input);
    const specs = validateCbpf(cbpf);
    const runtime = options.runtime ?? new Runtime();
    // The JIT's way for a classic program: straight to Wasm (cbpf/wasm/batch-module.ts),
    // unless it reads ancillary data, which the eBPF translation computes.
    if ((options.engine ?? 'jit') === 'jit' && batchWasmSupports(cbpf, specs)) {
      const { program, runBatch } = batchWasmProgram(compileBatchWasm(cbpf, specs), () => translateCbpfBatch(cbpf, specs), runtime);
      return new PacketFilter(program, options.linkType ?? LINKTYPE.ETHERNET, runBatch);
    }
    const insns = translateCbpfBatch(cbpf, specs);
    // No loop but the batch's: each packet runs at most the whole program once.
    const maxPackets = Math.ceil(runtime.layout.maxInputSize / (DESCRIPTOR_BYTES + VERDICT_BYTES)) + 1;
    const budget = options.budget ?? Math.min(Number.MAX_SAFE_INTEGER, maxPackets * (insns.length + 1));
    // No proof search (verify 'runtime'): the program's packet pointers are loaded from its
    // table, so the checked verifier proved none of their accesses, only r10's, which the
    // JIT never checks anyway, and its search was two thirds of a filter's compile time.
    const program = loadProgram(insns, { engine: options.engine, optLevel: options.optLevel, runtime, budget, programType: 'raw', verify: 'runtime' });
    return new PacketFilter(program, options.linkType ?? LINKTYPE.ETHERNET);
  }

  /** One packet's verdict (a batch of one, laid out with no allocation). */
  match(packet: Uint8Array): number {
    const start = dataAt(1);
    const length = start + packet.length;
    if (length > this.capacity) throw this.tooBig(packet.length);
    const words = this.layOut(1, length);
    words[2] = start;
    words[3] = packet.length;
    this.input.set(packet, start);
    this.runLaidOut(length);
    return words[verdictsAt(1) >> 2];
  }

  /** The verdicts of many packets; packets that lie together in one buffer are copied together. */
  filter(packets: readonly Uint8Array[]): BatchResult {
    const verdicts = new Uint32Array(packets.length);
    let matches = 0;
    let from = 0;
    while (from < packets.length) {
      const to = this.fit(packets, from);
      matches += this.runBatch(packets, from, to, verdicts);
      from = to;
    }
    return result(verdicts, matches);
  }

  /**
   * Packets given as (offset, length) pairs into one buffer: each batch copies the part of
   * the buffer its packets lie in once (a capture file's bytes, say), with no per-packet work in JS
   * but checking the pair and writing two table entries. `verdicts` (at least as long as
   * `offsets`) receives the verdicts instead of a new array: a caller filtering buffer
   * after buffer saves allocating one each time (for 100,000 packets, a fresh 400 kB
   * array cost more than the filter did). Buffers of 2 GiB and more are refused.
   */
  filterBuffer(buffer: Uint8Array, offsets: ArrayLike<number>, lengths: ArrayLike<number>, verdicts?: Uint32Array): BatchResult {
    const count = offsets.length;
    if (count !== lengths.length) throw new RangeError(`${count} offsets but ${lengths.length} lengths`);
    if (verdicts !== undefined && verdicts.length < count) throw new RangeError(`${count} packets but room for ${verdicts.length} verdicts`);
    if (buffer.length > MAX_BUFFER_BYTES) throw new RangeError(`a buffer of ${buffer.length} bytes: filterBuffer takes up to ${MAX_BUFFER_BYTES} (filter larger ones in parts)`);
    const out = verdicts === undefined ? new Uint32Array(count) : verdicts.subarray(0, count);
    return result(out, this.filterSpans(buffer, offsets, lengths, out));
  }

  /**
   * filterBuffer's batches; returns the matches. Its loops live here rather than in
   * filterBuffer: V8 optimised them there by on-stack replacement, and that code, compiled
   * before the call's end ever ran, deoptimised at the end of every call (~2x slower).
   */
  private filterSpans(buffer: Uint8Array, offsets: ArrayLike<number>, lengths: ArrayLike<number>, out: Uint32Array): number {
    const words = this.area();
    let matches = 0;
    for (let from = 0; from < offsets.length; from = this.spanEnd) {
      this.layTable(buffer.length, offsets, lengths, from, words);
      const lo = this.spanLo;
      const n = this.spanEnd - from;
      const start = dataAt(n);
      words[0] = n;
      // The table holds offsets from the first packet's; the bias moves them to where the
      // copy of [lo, hi) puts them (layout.ts: u32 arithmetic, so any order works).
      words[1] = start - lo + offsets[from];
      this.input.set(buffer.subarray(lo, this.spanHi), start);
      matches += this.run(n, start + this.spanHi - lo, words, out, from);
    }
    return matches;
  }

  /**
   * The packets of a capture (path, stream, chunks) that the filter accepts, in order,
   * filtered in batches. If the capture is cut or corrupt, the matches among the packets
   * before the problem come first, then its CaptureError.
   */
  async *filterCapture(source: CaptureSource, options: FilterCaptureOptions = {}): AsyncGenerator<CapturePacket> {
    const batchPackets = options.batchPackets ?? 4096;
    let pending: CapturePacket[] = [];
    const flush = (): CapturePacket[] => {
      const { verdicts } = this.filter(pending.map((p) => p.data));
      const kept = pending.filter((_, i) => verdicts[i] !== 0);
      pending = [];
      return kept;
    };
    try {
      for await (const packet of readCapture(source, options)) {
        if (packet.interface.linkType !== this.linkType) {
          throw new CaptureError('CAPTURE_LINKTYPE',
            `a packet of link type ${packet.interface.linkType}, but the filter is for link type ${this.linkType}`, packet.offset);
        }
        pending.push(packet);
        if (pending.length >= batchPackets) yield* flush();
      }
    } catch (e) {
      // A corrupt or cut capture: the packets read before the problem are still filtered first.
      if (pending.length > 0) yield* flush();
      throw e;
    }
    if (pending.length > 0) yield* flush();
  }

  /**
   * The table of the longest run of packets from `from` whose byte range, with the table,
   * fits the batch target (a packet alone may take the whole input area), each pair
   * checked on the way and written as it is (its offset from the first packet's): one
   * pass. Sets spanEnd and the range [spanLo, spanHi) of the buffer to copy.
   */
  private layTable(size: number, offsets: ArrayLike<number>, lengths: ArrayLike<number>, from: number, words: Uint32Array): void {
    // Everything here is below 2^31 (filterBuffer refuses larger buffers), and the `| 0`s
    // tell V8 so: it then keeps the loop in int32 (measured: 3.8 -> 1.8 ns per packet).
    const count = offsets.length | 0;
    const first = offsets[from] | 0;
    const target = Math.min(this.capacity, BATCH_TARGET_BYTES) | 0;
    let lo = size | 0;
    let hi = 0;
    let to = from | 0;
    let word = 2;
    // dataAt(to - from + 1), kept up to date: header, then a descriptor and a verdict per packet, 8-aligned.
    let table = BATCH_HEADER_BYTES + 7;
    while (to < count) {
      const o = offsets[to];
      const n = lengths[to];
      // Non-negative integers (NaN and fractions fail `(v | 0) === v`) with o + n <= size.
      if ((o | 0) !== o || (n | 0) !== n || o < 0 || n < 0 || o > size - n) {
        throw new RangeError(`packet ${to} (offset ${o}, length ${n}) is outside the buffer of ${size} bytes`);
      }
      const end = (o + n) | 0;
      const nlo = o < lo ? o : lo;
      const nhi = end > hi ? end : hi;
      table = (table + DESCRIPTOR_BYTES + VERDICT_BYTES) | 0;
      const need = ((table & ~7) + nhi - nlo) | 0;
      if (need > target && (to > from || need > this.capacity)) {
        if (to === from) throw this.tooBig(n);
        break;
      }
      words[word] = (o - first) | 0; // stored as u32: wraps below the first packet
      words[word + 1] = n;
      word = (word + 2) | 0;
      lo = nlo;
      hi = nhi;
      to = (to + 1) | 0;
    }
    this.spanLo = lo;
    this.spanHi = hi;
    this.spanEnd = to;
  }

  /** The end of the longest batch from `from` that fits the batch target (at least one packet, within the input area). */
  private fit(packets: readonly Uint8Array[], from: number): number {
    const target = Math.min(this.capacity, BATCH_TARGET_BYTES);
    let to = from;
    let bytes = 0;
    while (to < packets.length) {
      const need = dataAt(to - from + 1) + bytes + packets[to].length + 64; // + a span gap at most
      if (need > (to === from ? this.capacity : target)) break;
      bytes += packets[to].length + 64;
      to++;
    }
    if (to === from) throw this.tooBig(packets[from].length);
    return to;
  }

  /** The batch's table (as u32 words) over the input area of `length` bytes, the header written. */
  private layOut(count: number, length: number): Uint32Array {
    const words = this.area();
    if ((verdictsAt(count) >> 2) + count > words.length || length > this.capacity) throw this.tooBig(length);
    words[0] = count;
    words[1] = 0;
    return words;
  }

  /**
   * The input area as u32 words (and this.input as bytes): one view, made again only when
   * the memory grew, which detaches it (its length reads 0), as a typed array over Wasm
   * memory cost ~0.5 us to make, per batch.
   */
  private area(): Uint32Array {
    if (this.input.byteLength === 0) {
      this.input = this.program.input(this.capacity);
      this.words = new Uint32Array(this.input.buffer, this.input.byteOffset, this.capacity >> 2);
    }
    return this.words;
  }

  /** Runs the laid-out batch, copies its verdicts to `out` at `at`; returns the matches. */
  private run(count: number, length: number, words: Uint32Array, out: Uint32Array, at: number): number {
    const matches = this.runLaidOut(length);
    const first = verdictsAt(count) >> 2;
    for (let i = 0; i < count; i++) out[at + i] = words[first + i];
    return matches;
  }

  private tooBig(length: number): RangeError {
    return new RangeError(`a packet of ${length} bytes does not fit a batch of ${this.capacity} bytes (the runtime's maxInputSize)`);
  }

  /** Lays out packets[from, to) in the input area, runs them, copies their verdicts to `out`; returns the matches. */
  private runBatch(packets: readonly Uint8Array[], from: number, to: number, out: Uint32Array): number {
    const count = to - from;
    const { spans, spanOf } = planSpans(packets, from, to);
    const spanAt: number[] = [];
    let length = dataAt(count);
    for (const s of spans) {
      spanAt.push(length);
      length += s.end - s.start;
    }
    const words = this.layOut(count, length);
    spans.forEach((s, i) => this.input.set(new Uint8Array(s.source.buffer, s.start, s.end - s.start), spanAt[i]));
    for (let i = 0; i < count; i++) {
      const p = packets[from + i];
      words[2 + 2 * i] = spanAt[spanOf[i]] + (p.byteOffset - spans[spanOf[i]].start);
      words[3 + 2 * i] = p.length;
    }
    return this.run(count, length, words, out, from);
  }
}
