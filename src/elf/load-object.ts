/**
 * Loading an ELF object, like libbpf's bpf_object__open + bpf_object__load: the maps
 * are created first (every map the object defines, as libbpf does), their fds are
 * written into the programs' lddw instructions, and each program is loaded with the
 * given engine loader on one runtime, so all programs of the object share the maps.
 * Each program's type comes from its SEC() name as libbpf derives it
 * (program-sections.ts), unless `programType` names one for all of them.
 * `load()` (load.ts) is this with `loadProgram`; taking the loader as an argument lets
 * the CLI import only the engine it runs (binaryen alone takes ~0.4 s to load).
 */
import type { ProgramType } from '../abi/program-types.js';
import type { Insn } from '../decode/insn.js';
import type { LoadOptions } from '../load-options.js';
import { ElfError } from '../errors.js';
import type { BpfMap } from '../maps/bpf-map.js';
import type { MapSpec } from '../maps/types.js';
import type { Program } from '../runtime/program.js';
import { Runtime } from '../runtime/runtime.js';
import { parseObject } from './object.js';
import { programTypeOfSection } from './program-sections.js';
import { bindMapFds } from './relocate.js';

/** What the loader needs of a created map: the fd that lddw map_fd / map_value carry. */
export interface MapHandle {
  readonly fd: number;
}

/** Creates one map in `runtime`'s memory. */
export type MapFactory<M extends MapHandle> = (spec: MapSpec, runtime: Runtime) => M;

/** `runtime` defaults to a fresh one (with the kernel helpers, `kernelHelpers()`). */
export interface ObjectLoadOptions<M extends MapHandle = BpfMap> extends LoadOptions {
  /** How maps are created (default: `runtime.createMap`). */
  createMap?: MapFactory<M>;
}

export interface LoadedProgram extends Program {
  /** The function's symbol name. */
  readonly name: string;
  /** The SEC() name. */
  readonly section: string;
}

export interface LoadedObject<M extends MapHandle = BpfMap> {
  /** By function name, in the object's order. */
  readonly programs: ReadonlyMap<string, LoadedProgram>;
  /** By name: the symbol for `.maps`/`maps` definitions, the section (`.data`, `.rodata`...) for global variables. */
  readonly maps: ReadonlyMap<string, M>;
  readonly license: string;
  readonly runtime: Runtime;
  /** A program by function name, or by section name if exactly one program is in that section. */
  program(nameOrSection: string): LoadedProgram;
}

/** Loads one linked program on the object's runtime: `loadProgram`, or one engine's loader. */
export type ProgramLoader = (insns: readonly Insn[], options: LoadOptions & { readonly runtime: Runtime }) => Program;

/** One program of an object, linked to the object's maps, before any engine loads it. */
export interface LinkedProgram {
  readonly name: string;
  readonly section: string;
  readonly insns: readonly Insn[];
  readonly programType: ProgramType;
}

export interface LinkedObject<M extends MapHandle = BpfMap> {
  readonly programs: readonly LinkedProgram[];
  readonly maps: ReadonlyMap<string, M>;
  readonly license: string;
  readonly runtime: Runtime;
}

/**
 * The first half of loading: the object's maps created on the runtime and their fds
 * written into every program, each program's type decided. `ebpf-wasm verify` stops here
 * and hands the programs to the verifier alone.
 */
export function linkObject<M extends MapHandle = BpfMap>(object: Uint8Array, options: ObjectLoadOptions<M>): LinkedObject<M> {
  const parsed = parseObject(object);
  // Objects from clang call kernel helpers by their kernel ids: a default runtime has them.
  const runtime = options.runtime ?? new Runtime();
  const factory = options.createMap ?? (((spec: MapSpec) => runtime.createMap(spec)) as unknown as MapFactory<M>);
  const maps = new Map<string, M>();
  for (const spec of parsed.maps) maps.set(spec.name, factory(withDefaultSize(spec, runtime), runtime));
  const fds = [...maps.values()].map((m) => m.fd);
  const programs = parsed.programs.map((p) => ({
    name: p.name, section: p.section, insns: bindMapFds(p.insns, fds), programType: options.programType ?? programTypeOfSection(p.section),
  }));
  return { programs, maps, license: parsed.license, runtime };
}

/** `load()` with an explicit program loader. */
export function loadObject<M extends MapHandle = BpfMap>(object: Uint8Array, options: ObjectLoadOptions<M>, loadOne: ProgramLoader): LoadedObject<M> {
  const { programs: linked, maps, license, runtime } = linkObject(object, options);
  const programs = new Map<string, LoadedProgram>();
  for (const p of linked) {
    const prog = loadOne(p.insns, { ...options, runtime, programType: p.programType });
    // A function's `name` is read-only but configurable: define it rather than assign it.
    programs.set(p.name, Object.defineProperties(prog, {
      name: { value: p.name, enumerable: true },
      section: { value: p.section, enumerable: true },
    }) as LoadedProgram);
  }
  return { programs, maps, license, runtime, program: (key) => findProgram(programs, key) };
}

/**
 * libbpf's map_set_def_max_entries: a perf_event_array defined without max_entries (the
 * usual way) gets one entry per CPU, here the runtime's.
 */
function withDefaultSize<S extends MapSpec>(spec: S, runtime: Runtime): S {
  return spec.type === 'perf_event_array' && spec.maxEntries === 0 ? { ...spec, maxEntries: runtime.cpus } : spec;
}

function findProgram(programs: ReadonlyMap<string, LoadedProgram>, key: string): LoadedProgram {
  const byName = programs.get(key);
  if (byName) return byName;
  const inSection = [...programs.values()].filter((p) => p.section === key);
  if (inSection.length === 1) return inSection[0];
  if (inSection.length > 1) {
    throw new ElfError('AMBIGUOUS_PROGRAM', `section '${key}' holds ${inSection.length} programs (${inSection.map((p) => p.name).join(', ')}); name one`);
  }
  throw new ElfError('NO_PROGRAM', `no program or section named '${key}' (programs: ${[...programs.keys()].join(', ') || 'none'})`);
}
