import { loadProgram } from '../engine.js';
import type { BpfMap } from '../maps/bpf-map.js';
import { checkOptions } from '../arguments.js';
import { loadObject, type LoadedObject, type MapHandle, type ObjectLoadOptions } from './load-object.js';

export type { LoadedObject, LoadedProgram, MapFactory, MapHandle, ObjectLoadOptions, ProgramLoader } from './load-object.js';

/**
 * Load an object from `clang -O2 -target bpf -c`: create its maps, link and load each
 * program with the chosen engine (`options.engine`, default jit). Throws `ElfError` for
 * malformed objects, and the engines' typed errors for programs they reject.
 */
export function load<M extends MapHandle = BpfMap>(object: Uint8Array, options?: ObjectLoadOptions<M>): LoadedObject<M> {
  return loadObject(object, checkOptions('load()', options), loadProgram);
}
