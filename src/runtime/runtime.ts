import { RuntimeTrap } from '../errors.js';
import { checkCount, describeValue } from '../arguments.js';
import { writeErrorLine } from '../host.js';
import type { HelperHost, PacketState } from '../helpers/host.js';
import type { HelperRegistry } from '../helpers/registry.js';
import { computeLayout, MAX_WASM_PAGES, WASM_PAGE, type Layout, type LayoutOptions } from '../abi/layout.js';
import type { BpfMap } from '../maps/bpf-map.js';
import type { MapOf } from '../maps/create-map.js';
import type { MapMemory } from '../maps/memory.js';
import { MapTable } from '../maps/map-table.js';
import { checkRuntimeOptions } from './runtime-options.js';
import type { MapsExports } from '../maps/maps-module.js';
import type { MapSpec } from '../maps/types.js';
import type { TailCallTarget } from '../maps/prog-array.js';

export interface RuntimeOptions extends LayoutOptions {
  /**
   * Helpers available to programs of this runtime. Without them, programs get the helpers
   * their load options name, else the kernel helpers (`kernelHelpers()`), chosen where
   * they are loaded (verify/load-stage.ts).
   */
  helpers?: HelperRegistry;
  /** Number of CPUs per-CPU maps keep a slot for (default 1). */
  cpus?: number;
  /** The CPU programs run on: bpf_get_smp_processor_id, per-CPU map slots (default 0). */
  cpu?: number;
  /** Seed of bpf_get_prandom_u32's generator (default: a random seed). */
  seed?: number;
  /** Where bpf_trace_printk messages go (default: stderr, like trace_pipe). */
  trace?: (message: string) => void;
}

/** stderr in Node, console.error elsewhere (host.ts). */
const defaultTraceSink = writeErrorLine;

/**
 * A runtime owns one `WebAssembly.Memory` laid out as in `abi/layout.ts`, the maps in it,
 * and optionally a helper registry. All programs created against it share them. It is
 * the memory maps live in (`MapMemory`) and what helpers reach (`HelperHost`).
 */
export class Runtime implements MapMemory, HelperHost {
  readonly layout: Layout;
  /** The input area's and the context area's addresses as the r1 a run starts with (made once: a BigInt per run costs). */
  readonly inputAddress: bigint;
  readonly contextAddress: bigint;
  readonly memory: WebAssembly.Memory;
  /** The helpers given to the constructor, if any (see RuntimeOptions.helpers). */
  readonly helpers: HelperRegistry | undefined;
  /** Number of CPUs per-CPU maps keep a slot for. */
  readonly cpus: number;
  /** Length of the input currently placed at `layout.inputBase`. */
  inputLength = 0;
  /** Length of the context struct currently placed at `layout.contextBase`. */
  contextLength = 0;
  /** Tail calls made in the current run (see run-chain.ts). */
  tailCalls = 0;
  /** r1 the current run started with: the input (raw programs) or the context struct. */
  runContext = 0n;
  /** The current run's packet, for packet programs (contexts/skb.ts, contexts/xdp.ts). */
  packet: PacketState | undefined;
  /** One past the last allocated heap byte. */
  private heapEnd: number;
  /**
   * The heap end as a Wasm global every compiled program imports, so programs compiled
   * before a map was created still see (and bounds-check against) the whole heap.
   */
  readonly heapEndGlobal: WebAssembly.Global;
  /**
   * The current input and context lengths and CPU as Wasm globals, which helpers
   * implemented in Wasm (the maps module) read: see publishLengths().
   */
  readonly inputLenGlobal = new WebAssembly.Global({ value: 'i32', mutable: true }, 0);
  readonly ctxLenGlobal = new WebAssembly.Global({ value: 'i32', mutable: true }, 0);
  readonly cpuGlobal = new WebAssembly.Global({ value: 'i32', mutable: true }, 0);
  private cpuIndex = 0;
  private readonly mapTable = new MapTable(this);
  /** bpf_trace_printk's sink. */
  readonly trace: (message: string) => void;
  private randomState: number;

  constructor(runtimeOptions?: RuntimeOptions) {
    const options = checkRuntimeOptions(runtimeOptions);
    this.cpus = options.cpus ?? 1;
    if (!Number.isInteger(this.cpus) || this.cpus < 1 || this.cpus > 1024) throw new RangeError(`cpus must be an integer from 1 to 1024, got ${this.cpus}`);
    this.cpu = options.cpu ?? 0;
    this.trace = options.trace ?? defaultTraceSink;
    this.randomState = (options.seed ?? Math.floor(Math.random() * 0x1_0000_0000)) >>> 0 || 0x9e3779b9;
    this.layout = computeLayout(options);
    this.inputAddress = BigInt(this.layout.inputBase);
    this.contextAddress = BigInt(this.layout.contextBase);
    this.helpers = options.helpers;
    this.heapEnd = this.layout.heapBase;
    this.heapEndGlobal = new WebAssembly.Global({ value: 'i32', mutable: true }, this.heapEnd);
    // A maximum is required for modules importing the memory (Wasm32: 4 GiB).
    this.memory = new WebAssembly.Memory({ initial: this.layout.heapBase / WASM_PAGE, maximum: MAX_WASM_PAGES });
  }

  /**
   * Copy the input and context lengths into their Wasm globals, for the Wasm map helpers'
   * pointer checks. A JIT-compiled run sets the globals itself (from Wasm: setting a
   * global from JS costs ~15 ns, twice an empty program's run); the interpreter calls this
   * when a run starts.
   */
  publishLengths(): void {
    this.inputLenGlobal.value = this.inputLength;
    this.ctxLenGlobal.value = this.contextLength;
  }

  /** The CPU programs run on (0..cpus-1): their slot of per-CPU maps, what get_smp_processor_id returns. */
  get cpu(): number {
    return this.cpuIndex;
  }

  set cpu(cpu: number) {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.cpus) throw new RangeError(`cpu must be an integer from 0 to ${this.cpus - 1}, got ${cpu}`);
    this.cpuIndex = cpu;
    this.cpuGlobal.value = cpu;
  }

  /**
   * Create a map in this runtime's memory, shared by all its programs; throws TypeError or
   * RangeError for a spec no bpf_attr could hold (not an object, sizes that are no u32), MapError
   * (EINVAL, E2BIG, ENOMEM...) for specs the kernel would refuse. Programs refer to it
   * as `lddw rN, map_fd(map.fd)`.
   */
  createMap<S extends MapSpec>(spec: S): MapOf<S['type']> {
    return this.mapTable.create(spec);
  }

  /** The maps by fd. */
  get maps(): ReadonlyMap<number, BpfMap> {
    return this.mapTable.maps;
  }

  /** The first map created with `name`. */
  mapByName(name: string): BpfMap | undefined {
    if (typeof name !== 'string') throw new TypeError(`mapByName(name) must be a string, got ${describeValue(name)}`);
    return this.mapTable.byName(name);
  }

  /** The map whose descriptor is at `address` (what a program holds as a map pointer). */
  mapAt(address: number | bigint): BpfMap | undefined {
    if (typeof address !== 'number' && typeof address !== 'bigint') throw new TypeError(`mapAt(address) must be a number or a bigint, got ${describeValue(address)}`);
    return this.mapTable.at(address);
  }

  /** The program in slot `index` of the prog_array map at `mapAddress`, if any: for bpf_tail_call. */
  programAt(mapAddress: number | bigint, index: number | bigint): TailCallTarget | undefined {
    return this.mapTable.programAt(mapAddress, index);
  }

  /** The runtime's instance of the maps module (map helpers in Wasm), created on first use. */
  get mapsModule(): MapsExports {
    return this.mapTable.exports;
  }

  private byteView: Uint8Array | undefined;

  /**
   * A byte view of the whole memory; cached, and renewed when the memory has grown
   * (growing detaches the old buffer, so its views read as empty). Checking the view's
   * length is cheaper than reading `memory.buffer` on every packet.
   */
  bytes(): Uint8Array {
    if (this.byteView === undefined || this.byteView.byteLength === 0) this.byteView = new Uint8Array(this.memory.buffer);
    return this.byteView;
  }

  private dataViewCache: DataView | undefined;

  /** A DataView of the whole memory, cached like `bytes()`: context structs are written through it on every run. */
  dataView(): DataView {
    if (this.dataViewCache === undefined || this.dataViewCache.byteLength === 0) this.dataViewCache = new DataView(this.memory.buffer);
    return this.dataViewCache;
  }

  /** Current end of the heap (exclusive). */
  get heapLimit(): number {
    return this.heapEnd;
  }

  /**
   * Allocate `size` bytes of zeroed heap, aligned to `align`, for a helper to hand to
   * programs: they may read and write it (memory a helper handed them). Returns the address.
   */
  allocate(size: number, align = 8): number {
    const start = this.allocateMapStorage(size, align);
    this.mapTable.valueAreas.add({ start, elemSize: size, count: 1, valueStart: 0, readonly: false });
    return start;
  }

  /** Heap for a map's own storage, which programs may not reach but through its values (maps/memory.ts). */
  allocateMapStorage(size: number, align = 8): number {
    // A negative size would move the heap's end back over what is allocated.
    checkCount('allocate(size)', size);
    if (checkCount('allocate(align)', align) === 0 || (align & (align - 1)) !== 0) throw new RangeError(`allocate(align) must be a power of 2, got ${align}`);
    const start = Math.ceil(this.heapEnd / align) * align;
    const end = start + size;
    const needPages = Math.ceil(end / WASM_PAGE) - this.memory.buffer.byteLength / WASM_PAGE;
    if (needPages > 0) this.memory.grow(needPages);
    this.heapEnd = end;
    this.heapEndGlobal.value = end;
    return start;
  }

  /** The next value of bpf_get_prandom_u32 (xorshift32: fast, seedable, never 0). */
  nextRandomU32(): number {
    let x = this.randomState;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.randomState = x >>> 0;
    return this.randomState;
  }

  /** Copy `input` into the input area and make it the current input. */
  setInput(input: Uint8Array): void {
    if (input.length > this.layout.maxInputSize) {
      throw new RangeError(`input of ${input.length} bytes exceeds maxInputSize ${this.layout.maxInputSize}`);
    }
    this.bytes().set(input, this.layout.inputBase);
    this.inputLength = input.length;
  }

  /**
   * Whether [addr, addr+size) lies wholly inside one region a program may access: its
   * stack, the input, the context (never for a write: what a program may write there
   * the verifier decides field by field), or one map value (value-areas.ts; for a write,
   * of a map programs may write).
   */
  isAccessible(addr: number, size: number, write = false): boolean {
    const L = this.layout;
    const inside = (base: number, len: number) => addr >= base && addr + size <= base + len;
    return inside(L.stackBase, L.stackTop - L.stackBase)
      || inside(L.inputBase, this.inputLength)
      || (!write && inside(L.contextBase, this.contextLength))
      || (inside(L.heapBase, this.heapEnd - L.heapBase) && this.mapTable.valueAccessible(addr, size, write));
  }

  /** Whether heap bytes [addr, addr + size) lie in one map value (value-areas.ts). */
  valueAccessible(addr: number, size: number, write: boolean): boolean {
    return this.mapTable.valueAccessible(addr, size, write);
  }

  /**
   * A view of program-accessible memory for helpers; throws `RuntimeTrap` if any
   * byte lies outside the accessible regions.
   */
  view(addr: bigint | number, size: number, pc?: number, write = false): Uint8Array {
    const a = typeof addr === 'bigint' ? (addr > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(addr)) : addr;
    if (size < 0 || a < 0 || !this.isAccessible(a, size, write)) {
      throw new RuntimeTrap('OUT_OF_BOUNDS', `helper access of ${size} bytes at 0x${BigInt(addr).toString(16)} is outside program memory`, pc, BigInt(addr), size);
    }
    return new Uint8Array(this.memory.buffer, a, size);
  }
}
