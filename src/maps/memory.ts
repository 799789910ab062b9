import type { Layout } from '../abi/layout.js';

/**
 * The memory maps live in, as the maps see it: the linear memory and its layout, the
 * heap they are allocated from, and the globals their WebAssembly module imports. A
 * `Runtime` is one; maps see this interface instead of the class, so the map layer sits
 * below the runtime that composes it.
 */
export interface MapMemory {
  readonly layout: Layout;
  readonly memory: WebAssembly.Memory;
  /** CPUs per-CPU maps keep a value for, and the one programs run on now. */
  readonly cpus: number;
  readonly cpu: number;
  /** The heap's current end (exclusive): maps are allocated below it. */
  readonly heapLimit: number;
  /** The heap end, the input and context lengths and the CPU, as the maps module imports them. */
  readonly heapEndGlobal: WebAssembly.Global;
  readonly inputLenGlobal: WebAssembly.Global;
  readonly ctxLenGlobal: WebAssembly.Global;
  readonly cpuGlobal: WebAssembly.Global;
  /** A byte view of the whole memory (renewed when the memory grows). */
  bytes(): Uint8Array;
  /**
   * Allocate `size` zeroed heap bytes aligned to `align` for a map's own storage; returns
   * the address. Programs reach none of it but the values the map declares (valueArea).
   */
  allocateMapStorage(size: number, align?: number): number;
}
