import { assemble } from '../../src/decode/asm.js';
import { EbpfError } from '../../src/errors.js';
import { jit } from '../../src/jit/jit.js';
import { interpreter } from '../../src/interp/interpreter.js';
import type { BpfMap } from '../../src/maps/bpf-map.js';
import { MapError } from '../../src/maps/map-error.js';
import type { EngineName, Program } from '../../src/runtime/program.js';
import { Runtime, type RuntimeOptions } from '../../src/runtime/runtime.js';
import { thrown, trapOf } from './errors.js';

export const ENGINES: readonly EngineName[] = ['interp', 'jit'];

/** Load assembler text in `engine` over `runtime` (which has the standard helpers by default). */
export function load(engine: EngineName, source: string, runtime: Runtime, options: { maps?: readonly BpfMap[] } = {}): Program {
  const insns = assemble(source);
  return engine === 'jit' ? jit(insns, { runtime, ...options }) : interpreter(insns, { runtime, ...options });
}

/** Run assembler text once in `engine`; r0. */
export function run(engine: EngineName, source: string, runtime: Runtime, input?: Uint8Array): bigint {
  return load(engine, source, runtime)(input);
}

/** The MapError `fn` throws (failing the test if it throws something else or nothing). */
/** r0 = the u64 value at u32 key `key` of the map with fd `fd`, or 0 when absent. */
export const lookupU64Program = (fd: number, key: number): string => `
  stw [%r10-4], ${key}
  lddw %r1, map_fd(${fd})
  mov %r2, %r10
  add %r2, -4
  call 1
  jeq %r0, 0, +1
  ldxdw %r0, [%r0]
  exit`;

/**
 * Assembly storing the u32 `key` at r10-4 and the u64 `value` at r10-16, then
 * map_update_elem(map `fd`, key, value, `flags`): r0 is the helper's result. No exit.
 */
export const updateElem = (fd: number, key: number, value: number, flags: number | string = 0): string => `
  stw [%r10-4], ${key}
  stdw [%r10-16], ${value}
  lddw %r1, map_fd(${fd})
  mov %r2, %r10
  add %r2, -4
  mov %r3, %r10
  add %r3, -16
  mov %r4, ${flags}
  call 2`;

export function mapError(fn: () => unknown): MapError {
  return thrown(fn, MapError);
}

/** The errno name `fn` fails with. */
export function errnoOf(fn: () => unknown): string {
  return mapError(fn).code;
}

/** The typed error `fn` throws, as [class name, code, pc]. */
export function failure(fn: () => unknown): [string, string, number | undefined] {
  const e = thrown(fn, EbpfError);
  return [e.constructor.name, e.code, e.pc];
}

/** The RuntimeTrap a run throws, as [code, pc]. */
export function trapAt(fn: () => unknown): [string, number | undefined] {
  const e = trapOf(fn);
  return [e.code, e.pc];
}

/** A map's entries as sorted hex pairs, to compare contents independent of iteration order. */
export function dump(map: BpfMap): string[] {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return [...map.entries()].map(([k, v]) => `${hex(k)}=${hex(v)}`).sort();
}

/**
 * Run `source` in both engines, each on a fresh runtime prepared by `setup` (which
 * creates the maps, with deterministic hashing), and return what each did: r0 or the
 * error, and the maps' contents (dumped by `contents`).
 */
export function differential(
  source: (maps: readonly BpfMap[]) => string,
  setup: (runtime: Runtime) => BpfMap[],
  options: RuntimeOptions & { input?: Uint8Array; contents?: (maps: readonly BpfMap[]) => unknown } = {},
): { interp: unknown; jit: unknown } {
  const outcome = (engine: EngineName) => {
    const runtime = new Runtime(options);
    const maps = setup(runtime);
    let result: unknown;
    try {
      result = load(engine, source(maps), runtime)(options.input?.slice());
    } catch (e) {
      if (!(e instanceof EbpfError)) throw e;
      result = { code: e.code, pc: e.pc };
    }
    return { result, maps: (options.contents ?? ((ms) => ms.map(dump)))(maps) };
  };
  return { interp: outcome('interp'), jit: outcome('jit') };
}

/** Keys and values as little-endian bytes. */
export function le(value: number | bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = BigInt.asUintN(size * 8, BigInt(value));
  for (let i = 0; i < size; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}
