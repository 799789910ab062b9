import { checkArrayLike, checkInputBytes, checkOptions, checkPackets, checkString } from '../../arguments.js';
import { CaptureError } from '../../errors.js';
import { nodeFiles } from '../../host.js';
import { cbpfInsn, type CbpfInsn } from '../cbpf/insn.js';
import { validateCbpf } from '../cbpf/validate.js';
import { compileBatchWasm, type BatchExports } from '../cbpf/wasm/batch-module.js';
import { LINKTYPE } from '../capture/types.js';
import { SPLIT_PACKETS, type ArenaPlan } from './arena-plan.js';
import { PCAP_FILE_HEADER, pcapFormat, recordProblem, type PcapFormat } from './pcap-format.js';
import { batchModule } from './wasm-program.js';

export interface PacketArenaOptions {
  /**
   * Back the arena with a shared WebAssembly.Memory (a SharedArrayBuffer), which worker
   * threads can filter in parts: `filter.filterArena(arena, { workers: n })`. Default false.
   */
  readonly shared?: boolean;
  /** The packets' link type (fromBuffer, fromPackets; a pcap file says its own). Default LINKTYPE_ETHERNET. */
  readonly linkType?: number;
}

const PAGE = 65536;
const MAX_PAGES = 65536;
/** Where the packets start in an arena's memory: address 0 is never a packet's. */
const DATA_AT = 64;
const MAX_ARENA_BYTES = MAX_PAGES * PAGE - DATA_AT;

/**
 * Packets placed once in a WebAssembly memory of their own, for filters to run over as
 * often as they like without a copy (PacketFilter.filterArena / countArena): a service's
 * capture held in memory, or a file read straight into it (`readPcap`, fs.readSync into a
 * view of the memory). Any number of compiled filters run over one arena, each
 * instantiated over its memory once; the arena is freed with its last reference.
 *
 * A pcap arena keeps the file's records as they are: a filter's module walks their 16-byte
 * headers itself. A list arena (`fromBuffer`, `fromPackets`) keeps one buffer of packets and
 * two u32 arrays of their offsets and lengths. The arena's memory holds, after the
 * packets, room for one verdict per packet, which filterArena fills and copies out.
 */
export class PacketArena {
  /** Packets in the arena. */
  readonly count: number;
  /** @internal Where everything lies (arena-plan.ts). */
  readonly plan: ArenaPlan;
  /** Set while worker threads filter it (one such run at a time: they share the verdicts). */
  private busyWith: Promise<unknown> | undefined;

  private constructor(readonly memory: WebAssembly.Memory, plan: ArenaPlan, readonly linkType: number) {
    this.plan = plan;
    this.count = plan.count;
  }

  /** Whether the memory is shared (workers can filter it). */
  get shared(): boolean {
    return typeof SharedArrayBuffer !== 'undefined' && this.memory.buffer instanceof SharedArrayBuffer;
  }

  /** The bytes the packets lie in (a pcap arena: the file's records, without the file header). */
  get bytes(): Uint8Array {
    const p = this.plan;
    return p.kind === 'pcap' ? new Uint8Array(this.memory.buffer, p.recordsAt, p.end - p.recordsAt) : new Uint8Array(this.memory.buffer, p.dataAt, p.size);
  }

  /** A pcap file's bytes (either byte order, micro- or nanoseconds), copied into an arena once. A cut or corrupt file is a CaptureError with the record's offset. */
  static fromPcap(file: Uint8Array, options: PacketArenaOptions = {}): PacketArena {
    checkBuffer('PacketArena.fromPcap() file', file);
    checkOptions('PacketArena.fromPcap()', options);
    const format = pcapHeader(file);
    const size = file.length - PCAP_FILE_HEADER;
    const memory = arenaMemory(size, options);
    new Uint8Array(memory.buffer).set(file.subarray(PCAP_FILE_HEADER), DATA_AT);
    return new PacketArena(memory, indexPcap(memory, format, size), format.linkType);
  }

  /** A pcap file read straight into an arena's memory (Node: fs.readSync into a view of it). */
  static readPcap(path: string, options: PacketArenaOptions = {}): PacketArena {
    checkString('PacketArena.readPcap() path', path);
    checkOptions('PacketArena.readPcap()', options);
    const files = nodeFiles();
    const fd = files.openSync(path, 'r');
    try {
      const header = new Uint8Array(PCAP_FILE_HEADER);
      const format = pcapHeader(header.subarray(0, files.readSync(fd, header, 0, PCAP_FILE_HEADER, 0)));
      const size = files.fstatSync(fd).size - PCAP_FILE_HEADER;
      const memory = arenaMemory(size, options);
      const bytes = new Uint8Array(memory.buffer, DATA_AT, size);
      for (let got = 0; got < size;) {
        const n = files.readSync(fd, bytes, got, Math.min(size - got, 1 << 30), PCAP_FILE_HEADER + got);
        if (n === 0) throw new CaptureError('CAPTURE_TRUNCATED', `${path} shrank while it was read`, PCAP_FILE_HEADER + got);
        got += n;
      }
      return new PacketArena(memory, indexPcap(memory, format, size), format.linkType);
    } finally {
      files.closeSync(fd);
    }
  }

  /** Packets given as (offset, length) pairs into one buffer, copied into an arena once (buffer, offsets and lengths each with one copy). */
  static fromBuffer(buffer: Uint8Array, offsets: ArrayLike<number>, lengths: ArrayLike<number>, options: PacketArenaOptions = {}): PacketArena {
    checkBuffer('PacketArena.fromBuffer() buffer', buffer);
    checkArrayLike('PacketArena.fromBuffer() offsets', offsets);
    checkArrayLike('PacketArena.fromBuffer() lengths', lengths);
    checkOptions('PacketArena.fromBuffer()', options);
    const count = offsets.length;
    if (count !== lengths.length) throw new RangeError(`${count} offsets but ${lengths.length} lengths`);
    const size = buffer.length;
    for (let i = 0; i < count; i++) {
      const o = offsets[i];
      const n = lengths[i];
      if (!Number.isInteger(o) || !Number.isInteger(n) || o < 0 || n < 0 || o > size - n) {
        throw new RangeError(`packet ${i} (offset ${o}, length ${n}) is outside the buffer of ${size} bytes`);
      }
    }
    const offsetsAt = align8(DATA_AT + size);
    const lengthsAt = offsetsAt + 4 * count;
    const verdictsAt = lengthsAt + 4 * count;
    const memory = arenaMemory(verdictsAt + 4 * count - DATA_AT, options);
    new Uint8Array(memory.buffer).set(buffer, DATA_AT);
    new Uint32Array(memory.buffer, offsetsAt, count).set(offsets);
    new Uint32Array(memory.buffer, lengthsAt, count).set(lengths);
    return new PacketArena(memory, { kind: 'list', count, verdictsAt, offsetsAt, lengthsAt, dataAt: DATA_AT, size }, options.linkType ?? LINKTYPE.ETHERNET);
  }

  /** Packets, each its own Uint8Array, copied into an arena once. */
  static fromPackets(packets: readonly Uint8Array[], options: PacketArenaOptions = {}): PacketArena {
    checkPackets('PacketArena.fromPackets() packets', packets);
    const offsets = new Uint32Array(packets.length);
    const lengths = new Uint32Array(packets.length);
    let size = 0;
    packets.forEach((p, i) => {
      offsets[i] = size;
      lengths[i] = p.length;
      size += p.length;
    });
    const buffer = new Uint8Array(size);
    packets.forEach((p, i) => buffer.set(p, offsets[i]));
    return PacketArena.fromBuffer(buffer, offsets, lengths, options);
  }

  /** @internal The verdicts a run left, copied to `out` (packets [first, first + out.length)). */
  copyVerdicts(out: Uint32Array, first = 0): void {
    out.set(new Uint32Array(this.memory.buffer, this.plan.verdictsAt + 4 * first, out.length));
  }

  /**
   * @internal The packets as (offset, length) pairs into `bytes`: for the filters that run
   * as eBPF (interpreter, ancillary loads), which filter them with filterBuffer.
   */
  table(): { offsets: Uint32Array; lengths: Uint32Array } {
    const p = this.plan;
    if (p.kind === 'list') return { offsets: new Uint32Array(this.memory.buffer, p.offsetsAt, p.count), lengths: new Uint32Array(this.memory.buffer, p.lengthsAt, p.count) };
    const view = new DataView(this.memory.buffer);
    const offsets = new Uint32Array(p.count);
    const lengths = new Uint32Array(p.count);
    for (let i = 0, at = p.recordsAt; i < p.count; i++) {
      lengths[i] = view.getUint32(at + 8, !p.swap);
      offsets[i] = at + 16 - p.recordsAt;
      at += 16 + lengths[i];
    }
    return { offsets, lengths };
  }

  /** @internal Marks the arena busy until `run` settles; refuses a second such run meanwhile. */
  async exclusive<T>(run: () => Promise<T>): Promise<T> {
    if (this.busyWith) throw new Error('this arena is being filtered by worker threads: wait for that run (they share its verdicts)');
    const p = run();
    this.busyWith = p;
    try {
      return await p;
    } finally {
      this.busyWith = undefined;
    }
  }

  /** @internal Whether worker threads are filtering it. */
  get busy(): boolean {
    return this.busyWith !== undefined;
  }
}

const align8 = (n: number) => (n + 7) & ~7;

function pcapHeader(bytes: Uint8Array): PcapFormat {
  const format = pcapFormat(bytes);
  if (format === undefined) throw new CaptureError('CAPTURE_BAD_MAGIC', 'not a pcap file (a pcapng capture: read it with readCapture and use PacketArena.fromPackets)', 0);
  return format;
}

/** A memory of `bytes` after DATA_AT (shared ones with room to grow for the verdicts). */
function arenaMemory(bytes: number, options: PacketArenaOptions): WebAssembly.Memory {
  if (bytes > MAX_ARENA_BYTES) throw new RangeError(`an arena of ${bytes} bytes: at most ${MAX_ARENA_BYTES} (a WebAssembly memory's 4 GiB)`);
  const initial = Math.ceil((DATA_AT + bytes) / PAGE);
  return options.shared ? new WebAssembly.Memory({ initial, maximum: MAX_PAGES, shared: true }) : new WebAssembly.Memory({ initial });
}

/** The batch module of a filter that accepts nothing: its `scan` walks and checks a pcap arena's records (one per memory kind). */
const walkers: { plain?: WebAssembly.Module; shared?: WebAssembly.Module } = {};

function walker(shared: boolean): WebAssembly.Module {
  const key = shared ? 'shared' : 'plain';
  const program: CbpfInsn[] = [cbpfInsn(0x06, 0, 0, 0)]; // ret #0
  return (walkers[key] ??= batchModule(compileBatchWasm(program, validateCbpf(program), shared)));
}

/**
 * A pcap arena's plan: its records walked in Wasm, SPLIT_PACKETS at a time (the split
 * points), checked as the file scan checks them; then room for the verdicts.
 */
function indexPcap(memory: WebAssembly.Memory, format: PcapFormat, size: number): ArenaPlan {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const x = new WebAssembly.Instance(walker(shared), { env: { memory } }).exports as unknown as BatchExports;
  const end = DATA_AT + size;
  const splits: number[] = [];
  let at = DATA_AT;
  let count = 0;
  for (;;) {
    splits.push(at);
    x.scan(at, end, 0, SPLIT_PACKETS, format.swap ? 1 : 0, format.maxCaplen, format.fracLimit, end);
    const got = x.packets.value as number;
    count += got;
    at = x.stop.value as number;
    if (got < SPLIT_PACKETS) break;
  }
  if (at < end) throw recordProblem(new Uint8Array(memory.buffer), at, end, format, true, at - DATA_AT + PCAP_FILE_HEADER)!;
  const verdictsAt = align8(end);
  const pages = Math.ceil((verdictsAt + 4 * count) / PAGE) - memory.buffer.byteLength / PAGE;
  if (pages > 0) memory.grow(pages);
  return { kind: 'pcap', count, verdictsAt, recordsAt: DATA_AT, end, swap: format.swap, maxCaplen: format.maxCaplen, fracLimit: format.fracLimit, splits };
}

/** A required Uint8Array (checkInputBytes also lets `undefined` through, for an empty input). */
function checkBuffer(what: string, value: unknown): void {
  if (checkInputBytes(what, value) === undefined) throw new TypeError(`${what} must be a Uint8Array, got undefined`);
}

