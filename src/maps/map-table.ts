import type { BpfMap } from './bpf-map.js';
import { createMap, type MapOf } from './create-map.js';
import { instantiateMapsModule, type MapDirectory, type MapsExports } from './maps-module.js';
import type { MapMemory } from './memory.js';
import { ProgArrayMap, type TailCallTarget } from './prog-array.js';
import { RingBufMap } from './ringbuf-map.js';
import type { MapSpec } from './types.js';
import { ValueAreas } from './value-areas.js';

/**
 * A runtime's maps: by fd (small integers from 1, in creation order), by name and by
 * descriptor address (what programs hold), plus the runtime's maps module, which is
 * instantiated on first use so runtimes without maps never pay for it.
 */
export class MapTable implements MapDirectory {
  private readonly byFd = new Map<number, BpfMap>();
  private readonly byAddress = new Map<number, BpfMap>();
  private module: MapsExports | undefined;
  /** Where programs may reach the heap: the values of the maps. */
  readonly valueAreas = new ValueAreas();

  constructor(private readonly runtime: MapMemory) {}

  get exports(): MapsExports {
    this.module ??= instantiateMapsModule(this.runtime, this);
    return this.module;
  }

  get maps(): ReadonlyMap<number, BpfMap> {
    return this.byFd;
  }

  create<S extends MapSpec>(spec: S): MapOf<S['type']> {
    const map = createMap(this.runtime, this.exports, spec, this.byFd.size + 1);
    this.byFd.set(map.fd, map);
    this.byAddress.set(map.address, map);
    if (map.valueArea) this.valueAreas.add(map.valueArea);
    return map;
  }

  /** The first map created with `name` (names need not be unique, as in the kernel). */
  byName(name: string): BpfMap | undefined {
    for (const map of this.byFd.values()) if (map.name === name) return map;
    return undefined;
  }

  /** The map whose descriptor is at `address` (a program's map pointer), if any. */
  at(address: number | bigint): BpfMap | undefined {
    return this.byAddress.get(Number(address));
  }

  /** The program in slot `index` of the prog_array at `mapAddress`, if both exist (bpf_tail_call). */
  programAt(mapAddress: number | bigint, index: number | bigint): TailCallTarget | undefined {
    const map = this.byAddress.get(Number(mapAddress));
    const i = Number(index);
    // No slot past max_entries (the kernel's tail call just falls through); get() would refuse a non-u32.
    return map instanceof ProgArrayMap && Number.isInteger(i) && i >= 0 && i < map.maxEntries ? map.get(i) : undefined;
  }

  valueAccessible(addr: number, size: number, write: boolean): boolean {
    return this.valueAreas.contains(addr, size, write);
  }

  describe(d: number): string {
    return this.byAddress.get(d)?.describe() ?? `the map at 0x${d.toString(16)}`;
  }

  notify(d: number): void {
    const map = this.byAddress.get(d);
    if (map instanceof RingBufMap) map.wake();
  }
}
