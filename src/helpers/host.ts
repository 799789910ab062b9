import type { Enterable } from '../abi/signals.js';
import type { Layout } from '../abi/layout.js';
import type { SkbHeaders } from '../abi/program-types.js';
import type { BpfMap } from '../maps/bpf-map.js';
import type { MapsExports } from '../maps/maps-module.js';

/**
 * Where the current run's packet lies. An skb's data is [frameStart, frameEnd); an XDP
 * packet moves inside its page, whose usable bytes are [frameStart, frameEnd) (data,
 * data_meta and data_end are in the run's struct xdp_md, which the XDP helpers update).
 */
export interface PacketState {
  readonly kind: 'skb' | 'xdp';
  readonly frameStart: number;
  readonly frameEnd: number;
  /** skb: where its headers and buffer lie, relative to the data (frameStart). */
  readonly skbHeaders?: SkbHeaders;
}

/**
 * What a helper can reach of the runtime a program runs in: its memory (through checked
 * views), its maps, the run's counters and sinks. A `Runtime` is one; helpers see this
 * interface instead of the class, so the helper layer sits below the runtime that
 * composes it.
 */
export interface HelperHost {
  readonly layout: Layout;
  readonly memory: WebAssembly.Memory;
  /** The CPU programs run on, and how many there are (per-CPU maps, get_smp_processor_id). */
  readonly cpu: number;
  readonly cpus: number;
  /** bpf_trace_printk's sink. */
  readonly trace: (message: string) => void;
  /** Tail calls made in the current run (bpf_tail_call counts them). */
  tailCalls: number;
  /** r1 the current run started with: its context (bpf_tail_call passes only this one on). */
  readonly runContext: bigint;
  /** The packet of the current run, for the packet helpers; undefined when the run has none. */
  readonly packet: PacketState | undefined;
  /** The runtime's maps module: the map helpers in WebAssembly. */
  readonly mapsModule: MapsExports;
  /** A byte view of the whole memory (renewed when the memory grows). */
  bytes(): Uint8Array;
  /** Whether [addr, addr + size) lies wholly inside one region a program may access (`write`: may write). */
  isAccessible(addr: number, size: number, write?: boolean): boolean;
  /** A view of program-accessible memory (`write`: that a program may write); a `RuntimeTrap` OUT_OF_BOUNDS if any byte is not. */
  view(addr: bigint | number, size: number, pc?: number, write?: boolean): Uint8Array;
  /** Allocate zeroed heap that programs may read and write (memory a helper hands them); returns the address. */
  allocate(size: number, align?: number): number;
  /** The next value of bpf_get_prandom_u32. */
  nextRandomU32(): number;
  /** The map whose descriptor is at `address` (a program's map pointer). */
  mapAt(address: number | bigint): BpfMap | undefined;
  /** The program in slot `index` of the prog_array at `mapAddress` (bpf_tail_call). */
  programAt(mapAddress: number | bigint, index: number | bigint): Enterable | undefined;
}
