/**
 * `ebpf-wasm run` for ELF objects: load the object as libbpf would (every map created,
 * every program loaded, on one runtime with the kernel helpers and those of
 * `--helpers` on top), pick one program and run it once, importing only the engine it runs.
 */
import { loadObject, type LoadedObject, type LoadedProgram } from '../elf/load-object.js';
import type { BpfMap } from '../maps/bpf-map.js';
import type { ProgramType } from '../abi/program-types.js';
import type { EngineName, RunResult } from '../runtime/program.js';
import { CliError, inFile, type ParsedArgs } from './command.js';
import { runtimeFor } from './engine-options.js';
import { importEngine } from './import-engine.js';

export interface ObjectRunOptions {
  readonly mem: Uint8Array;
  readonly engine: EngineName;
  readonly budget: number | undefined;
  /** `--section`: a SEC() name or a function name. */
  readonly section: string | undefined;
  /** `--type`: every program's type instead of its SEC() name's. */
  readonly programType: ProgramType | undefined;
}

export interface ObjectRun {
  readonly result: RunResult;
  /** Every map of the object, in the object's order, as the run left them. */
  readonly maps: ReadonlyMap<string, BpfMap>;
}

/** Load `object` (the bytes of `file`), run the chosen program over `mem`, return r0 and the maps. */
export async function runObject(file: string, object: Uint8Array, args: ParsedArgs, options: ObjectRunOptions): Promise<ObjectRun> {
  const runtime = await runtimeFor(args, options.mem);
  const loadOne = await importEngine(options.engine);
  const loaded = inFile(file, () => loadObject(object, { runtime, budget: options.budget, programType: options.programType }, loadOne));
  const program = pickProgram(file, loaded, options.section);
  const result = inFile(file, () => program.run(options.mem));
  return { result, maps: loaded.maps };
}

/** The program `--section` names, or the object's only program. */
export function pickProgram(file: string, loaded: LoadedObject, section: string | undefined): LoadedProgram {
  if (section !== undefined) return inFile(file, () => loaded.program(section));
  const programs = [...loaded.programs.values()];
  if (programs.length === 1) return programs[0];
  if (programs.length === 0) throw new CliError(`${file}: the object has no programs (functions in a SEC() section)`);
  const list = programs.map((p) => `${p.name} (${p.section})`).join(', ');
  throw new CliError(`${file}: the object has ${programs.length} programs, pick one with --section <name>: ${list}`);
}
