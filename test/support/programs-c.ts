import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { ElfFile } from '../../src/elf/reader.js';
import { load, type LoadedObject } from '../../src/elf/load.js';
import type { BpfMap } from '../../src/maps/bpf-map.js';
import { u32 } from '../../src/maps/codecs.js';
import type { PerfEventArrayMap } from '../../src/maps/perf-event-array.js';
import type { ProgArrayMap } from '../../src/maps/prog-array.js';
import type { QueueStackMap } from '../../src/maps/queue-stack-map.js';
import type { RingBufMap } from '../../src/maps/ringbuf-map.js';
import type { EngineName } from '../../src/runtime/program.js';
import { Runtime } from '../../src/runtime/runtime.js';

/**
 * Differential runs of the C programs in test/fixtures/programs-c: the same object,
 * loaded in each engine on its own runtime with identical options, driven through the
 * same steps, must give the same r0s, input memory, map contents and trace output.
 */

export const CPUS = 2;
export const SEED = 0x5eed;

export const objectBytes = (name: string): Uint8Array => readFileSync(new URL(`../fixtures/programs-c/${name}.o`, import.meta.url));

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** One engine's run of a scenario: the loaded object, what each run returned, what was traced. */
export class Session {
  readonly object: LoadedObject;
  readonly runtime: Runtime;
  /** Per run: the program, the CPU, r0 and the input memory afterwards (hex). */
  readonly log: { program: string; cpu: number; r0: bigint; memory: string }[] = [];
  /** Whatever the scenario records besides runs (host reads of maps between runs). */
  readonly notes: unknown[] = [];
  readonly trace: string[] = [];
  private readonly elf: ElfFile;

  constructor(readonly name: string, readonly engine: EngineName) {
    const bytes = objectBytes(name);
    this.runtime = new Runtime({ cpus: CPUS, seed: SEED, trace: (message) => this.trace.push(message) });
    this.object = load(bytes, { engine, runtime: this.runtime });
    this.elf = new ElfFile(bytes);
  }

  /** Run `program` over a copy of `input` on `cpu`; r0. */
  run(program: string, input: Uint8Array = new Uint8Array(0), cpu = 0): bigint {
    this.runtime.cpu = cpu;
    const memory = input.slice();
    const r0 = this.object.program(program)(memory);
    this.log.push({ program, cpu, r0, memory: hex(memory) });
    return r0;
  }

  map<M extends BpfMap = BpfMap>(name: string): M {
    const map = this.object.maps.get(name);
    if (!map) throw new Error(`${this.name}.o has no map '${name}'`);
    return map as M;
  }

  /** Where a global variable lives: its section's map and its offset and size there (what a libbpf skeleton knows). */
  private variable(name: string): { map: BpfMap; offset: number; size: number } {
    const sym = this.elf.symbols.find((s) => s.name === name);
    const section = sym && this.elf.symbolSection(sym);
    if (!sym || !section) throw new Error(`${this.name}.o has no global variable '${name}'`);
    return { map: this.map(section.name), offset: sym.value, size: sym.size };
  }

  /** A global variable's bytes. */
  globalBytes(name: string): Uint8Array {
    const { map, offset, size } = this.variable(name);
    return map.lookup(u32(0))!.subarray(offset, offset + size);
  }

  /** A global integer variable (1 to 8 bytes, little-endian). */
  global(name: string): bigint {
    return le(this.globalBytes(name));
  }

  /** Set a global variable from the host, as user space does through a skeleton's mmap'ed .data/.bss. */
  setGlobal(name: string, value: Uint8Array): void {
    const { map, offset, size } = this.variable(name);
    if (value.length !== size) throw new Error(`'${name}' is ${size} bytes, got ${value.length}`);
    const section = map.lookup(u32(0))!;
    section.set(value, offset);
    map.update(u32(0), section);
  }
}

/** A little-endian unsigned integer. */
export function le(bytes: Uint8Array, offset = 0, size = bytes.length - offset): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i]);
  return v;
}

/** Decode a struct of little-endian unsigned integers laid out as `fields` (name, byte size), in order. */
export function struct<F extends string>(bytes: Uint8Array, fields: readonly (readonly [F, number])[]): Record<F, bigint> {
  const out = {} as Record<F, bigint>;
  let offset = 0;
  for (const [name, size] of fields) {
    out[name] = le(bytes, offset, size);
    offset += size;
  }
  return out;
}

/** Encode little-endian unsigned integers, each [value, byte size], back to back. */
export function pack(...fields: readonly (readonly [number | bigint, number])[]): Uint8Array {
  const out: number[] = [];
  for (const [value, size] of fields) {
    let v = BigInt.asUintN(size * 8, BigInt(value));
    for (let i = 0; i < size; i++, v >>= 8n) out.push(Number(v & 0xffn));
  }
  return Uint8Array.from(out);
}

export type MapDump =
  | { type: 'keyed'; entries: [string, string][] }
  | { type: 'fifo'; values: string[] }
  | { type: 'perf'; records: { cpu: number; data: string }[] }
  | { type: 'slots'; programs: (string | null)[] };

/**
 * Every map of the object by name: key/value maps as sorted hex pairs (per-CPU maps with
 * every CPU's value), queues and stacks in pop order, ring buffer and perf records in
 * arrival order, program arrays as the names of the programs in their slots. Queues,
 * stacks and record buffers are drained.
 */
export function dumpMaps(object: LoadedObject): Record<string, MapDump> {
  const out: Record<string, MapDump> = {};
  for (const [name, map] of object.maps) out[name] = dumpMap(map);
  return out;
}

function dumpMap(map: BpfMap): MapDump {
  switch (map.type) {
    case 'queue': case 'stack':
      return { type: 'fifo', values: (map as QueueStackMap).drain().map(hex) };
    case 'ringbuf':
      return { type: 'fifo', values: (map as RingBufMap).drain().map(hex) };
    case 'perf_event_array':
      return { type: 'perf', records: (map as PerfEventArrayMap).drain().map((r) => ({ cpu: r.cpu, data: hex(r.data) })) };
    case 'prog_array': {
      const slots = map as ProgArrayMap;
      return { type: 'slots', programs: Array.from({ length: map.maxEntries }, (_, i) => (slots.get(i) as { name?: string } | undefined)?.name ?? null) };
    }
    default:
      return { type: 'keyed', entries: [...map.entries()].map(([k, v]): [string, string] => [hex(k), hex(v)]).sort((a, b) => (a[0] < b[0] ? -1 : 1)) };
  }
}

export interface Differential {
  interp: Session;
  jit: Session;
  /** The JIT session's maps, dumped (and so drained). */
  maps: Record<string, MapDump>;
  /** Both sessions' maps. */
  dumps: Record<EngineName, Record<string, MapDump>>;
}

/** Run `scenario` against `name`.o in each engine, on its own runtime, then dump (drain) every map. */
export function runBoth(name: string, scenario: (s: Session) => void): Differential {
  const start = (engine: EngineName) => {
    const session = new Session(name, engine);
    scenario(session);
    return session;
  };
  const interp = start('interp');
  const jit = start('jit');
  const dumps = { interp: dumpMaps(interp.object), jit: dumpMaps(jit.object) };
  return { interp, jit, maps: dumps.jit, dumps };
}

/**
 * Both engines gave the same r0s, input memory, notes, trace and maps. `mask` blanks
 * what may differ (clock readings) before the maps are compared; the caller checks those
 * parts by their properties.
 */
export function expectAgreement(d: Differential, mask: (dump: Record<string, MapDump>) => Record<string, MapDump> = (x) => x): void {
  expect(d.jit.log).toEqual(d.interp.log);
  expect(d.jit.notes).toEqual(d.interp.notes);
  expect(d.jit.trace).toEqual(d.interp.trace);
  expect(mask(structuredClone(d.dumps.jit))).toEqual(mask(structuredClone(d.dumps.interp)));
}
