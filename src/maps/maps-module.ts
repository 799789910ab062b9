import { RuntimeTrap } from '../errors.js';
import { MAP_TRAP } from './descriptor.js';
import type { MapMemory } from './memory.js';
import { mapsWasmModule } from './wasm/compile.js';
import { watLayout } from './wasm/wat-layout.js';

/**
 * The exports of a runtime's maps module (wasm/exports.ts). Helper exports take the
 * JIT's helper ABI: i64 registers (BigInts from JS), then the call's pc; they return r0
 * as a signed i64. Host exports take i32 addresses and return i32 results.
 */
export interface MapsExports {
  map_lookup_elem(map: bigint, key: bigint, pc: number): bigint;
  map_update_elem(map: bigint, key: bigint, value: bigint, flags: bigint, pc: number): bigint;
  map_delete_elem(map: bigint, key: bigint, pc: number): bigint;
  map_push_elem(map: bigint, value: bigint, flags: bigint, pc: number): bigint;
  map_pop_elem(map: bigint, value: bigint, pc: number): bigint;
  map_peek_elem(map: bigint, value: bigint, pc: number): bigint;
  ringbuf_output(map: bigint, data: bigint, size: bigint, flags: bigint, pc: number): bigint;
  ringbuf_reserve(map: bigint, size: bigint, flags: bigint, pc: number): bigint;
  ringbuf_submit(sample: bigint, flags: bigint, pc: number): bigint;
  ringbuf_discard(sample: bigint, flags: bigint, pc: number): bigint;
  ringbuf_query(map: bigint, flags: bigint, pc: number): bigint;
  host_init(d: number): void;
  host_lookup(d: number, key: number): number;
  host_update(d: number, key: number, value: number, flags: number): number;
  host_delete(d: number, key: number): number;
  host_next_key(d: number, key: number, out: number): number;
  host_push(d: number, value: number, flags: number): number;
  host_pop(d: number, out: number): number;
  host_peek(d: number, out: number): number;
}

export type HelperExportName = Extract<keyof MapsExports, `map_${string}` | `ringbuf_${string}`>;

/** What the maps module needs from the runtime's map table to report and notify. */
export interface MapDirectory {
  /** A description of the map at descriptor address `d` for messages ("hash map 'counts'"). */
  describe(d: number): string;
  /** A ring buffer's waiting reader has data (the module's `notify` import). */
  notify(d: number): void;
  /** Whether a helper's pointer argument into the heap lies in a map value (value-areas.ts). */
  valueAccessible(addr: number, size: number, write: boolean): boolean;
}

const hex = (v: bigint | number) => `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;

function trapFor(directory: MapDirectory, code: number, pc: number, value: bigint): RuntimeTrap {
  const at = pc < 0 ? undefined : pc;
  switch (code) {
    case MAP_TRAP.BAD_MAP:
      return new RuntimeTrap('BAD_MAP', `map argument ${hex(value)} is not a map of this runtime`, at);
    case MAP_TRAP.BAD_MAP_TYPE:
      return new RuntimeTrap('BAD_MAP_TYPE', `helper cannot be used with ${directory.describe(Number(value))}`, at);
    case MAP_TRAP.BAD_RINGBUF_RECORD:
      return new RuntimeTrap('BAD_RINGBUF_RECORD', `${hex(value)} is not a reserved, unsubmitted ring buffer record`, at);
    case MAP_TRAP.MAP_CORRUPT:
      return new RuntimeTrap('MAP_CORRUPT', `${directory.describe(Number(value))} is corrupt (its memory was overwritten)`, at);
    default:
      return new RuntimeTrap('INTERNAL', `unknown maps module trap ${code}`, at);
  }
}

/** Instantiate the maps module over `runtime`'s memory and globals. */
export function instantiateMapsModule(runtime: MapMemory, directory: MapDirectory): MapsExports {
  const imports = {
    env: {
      memory: runtime.memory,
      heap_end: runtime.heapEndGlobal,
      input_len: runtime.inputLenGlobal,
      ctx_len: runtime.ctxLenGlobal,
      cpu: runtime.cpuGlobal,
      trap: (code: number, pc: number, value: bigint) => {
        throw trapFor(directory, code, pc, value);
      },
      trap_oob: (pc: number, addr: bigint, size: bigint) => {
        const a = BigInt.asUintN(64, addr);
        throw new RuntimeTrap('OUT_OF_BOUNDS', `helper access of ${size} bytes at ${hex(a)} is outside program memory`, pc, a, Number(size));
      },
      notify: (d: number) => directory.notify(d),
      value_accessible: (addr: bigint, size: bigint, write: number) => (directory.valueAccessible(Number(addr), Number(size), write !== 0) ? 1 : 0),
    },
  };
  const instance = new WebAssembly.Instance(mapsWasmModule(watLayout(runtime.layout)), imports);
  return instance.exports as unknown as MapsExports;
}
