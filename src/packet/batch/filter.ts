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
import { dataAt, DESCRIPTOR_BYTES, planSpans, VERDICT_BYTES, verdictsAt } from './layout.js';

/**
 * Filtering many packets per call. A PacketFilter holds a classic filter compiled as a
 * batch program (cbpf/batch-translate.ts): the packets are copied into the runtime's input
 * area in spans (all the packets that lie together in one buffer, a capture chunk or a
 * caller's buffer, take one copy), a table says where each lies, and one run of the
 * program filters all of them, each read where it lies. A batch holds as many packets as
 * fit the input area (`maxInputSize`, 1 MiB by default); longer inputs run as several.
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
  /** The input area of the batch being laid out. */
  private input: Uint8Array = new Uint8Array(0);

  private constructor(readonly program: Program, linkType: number) {
    this.linkType = linkType;
    this.capacity = program.runtime.layout.maxInputSize;
  }

  /** A classic filter (tcpdump -dd / -ddd text, sock_filter bytes, instructions), checked as Linux checks it. */
  static fromCbpf(input: string | Uint8Array | readonly CbpfInsn[], options: PacketFilterOptions = {}): PacketFilter {
    const cbpf = parseCbpf(input);
    const specs = validateCbpf(cbpf);
    const insns = translateCbpfBatch(cbpf, specs);
    const runtime = options.runtime ?? new Runtime();
    // The JIT's way for a classic program: straight to Wasm (cbpf/wasm/batch-module.ts),
    // unless it reads ancillary data, which the eBPF translation computes.
    if ((options.engine ?? 'jit') === 'jit' && batchWasmSupports(cbpf, specs)) {
      return new PacketFilter(batchWasmProgram(compileBatchWasm(cbpf, specs), insns, runtime), options.linkType ?? LINKTYPE.ETHERNET);
    }
    // No loop but the batch's: each packet runs at most the whole program once.
    const maxPackets = Math.ceil(runtime.layout.maxInputSize / (DESCRIPTOR_BYTES + VERDICT_BYTES)) + 1;
    const budget = options.budget ?? Math.min(Number.MAX_SAFE_INTEGER, maxPackets * (insns.length + 1));
    // No proof search (verify 'runtime'): the program's packet pointers are loaded from its
    // table, so the checked verifier proved none of their accesses, only r10's, which the
    // JIT never checks anyway, and its search was two thirds of a filter's compile time.
    const program = loadProgram(insns, { engine: options.engine, optLevel: options.optLevel, runtime, budget, programType: 'raw', verify: 'runtime' });
    return new PacketFilter(program, options.linkType ?? LINKTYPE.ETHERNET);
  }

  /** One packet's verdict (a batch of one). */
  match(packet: Uint8Array): number {
    return this.filter([packet]).verdicts[0];
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
   * but writing two table entries.
   */
  filterBuffer(buffer: Uint8Array, offsets: ArrayLike<number>, lengths: ArrayLike<number>): BatchResult {
    const count = offsets.length;
    if (count !== lengths.length) throw new RangeError(`${count} offsets but ${lengths.length} lengths`);
    for (let i = 0; i < count; i++) {
      const o = offsets[i];
      const n = lengths[i];
      if (!Number.isInteger(o) || !Number.isInteger(n) || o < 0 || n < 0 || o + n > buffer.length) {
        throw new RangeError(`packet ${i} (offset ${o}, length ${n}) is outside the buffer of ${buffer.length} bytes`);
      }
    }
    const verdicts = new Uint32Array(count);
    let matches = 0;
    let from = 0;
    while (from < count) {
      // The longest run of packets from `from` whose byte range, with the table, fits.
      let lo = offsets[from];
      let hi = lo + lengths[from];
      let to = from + 1;
      if (dataAt(1) + hi - lo > this.capacity) throw this.tooBig(lengths[from]);
      while (to < count) {
        const nlo = Math.min(lo, offsets[to]);
        const nhi = Math.max(hi, offsets[to] + lengths[to]);
        if (dataAt(to - from + 1) + nhi - nlo > this.capacity) break;
        lo = nlo;
        hi = nhi;
        to++;
      }
      const n = to - from;
      const start = dataAt(n);
      const words = this.layOut(n, start + hi - lo);
      this.input.set(buffer.subarray(lo, hi), start);
      for (let i = 0; i < n; i++) {
        words[2 + 2 * i] = start + offsets[from + i] - lo;
        words[3 + 2 * i] = lengths[from + i];
      }
      matches += this.run(n, start + hi - lo, words, verdicts, from);
      from = to;
    }
    return result(verdicts, matches);
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

  /** The end of the longest batch from `from` that fits the input area (at least one packet). */
  private fit(packets: readonly Uint8Array[], from: number): number {
    let to = from;
    let bytes = 0;
    while (to < packets.length) {
      const need = dataAt(to - from + 1) + bytes + packets[to].length + 64; // + a span gap at most
      if (need > this.capacity) break;
      bytes += packets[to].length + 64;
      to++;
    }
    if (to === from) throw this.tooBig(packets[from].length);
    return to;
  }

  /** The batch's table (as u32 words) over the input area of `length` bytes, the header written. */
  private layOut(count: number, length: number): Uint32Array {
    this.input = this.program.input(length);
    const words = new Uint32Array(this.input.buffer, this.input.byteOffset, (verdictsAt(count) >> 2) + count);
    words[0] = count;
    words[1] = 0;
    return words;
  }

  /** Runs the laid-out batch, copies its verdicts to `out` at `at`; returns the matches. */
  private run(count: number, length: number, words: Uint32Array, out: Uint32Array, at: number): number {
    const matches = Number(this.program.runInput(length));
    out.set(words.subarray(verdictsAt(count) >> 2, (verdictsAt(count) >> 2) + count), at);
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
