import type { Insn } from './decode/insn.js';
import { loadObject, type LoadedObject, type MapHandle, type ObjectLoadOptions } from './elf/load-object.js';
import { interpreter } from './interp/interpreter.js';
import type { LoadOptions } from './load-options.js';
import type { BpfMap } from './maps/bpf-map.js';
import { checkOptions, describeValue } from './arguments.js';
import type { Program } from './runtime/program.js';

/**
 * `loadProgram()` and `load()` of `ebpf-wasm/core`: the same functions as the main
 * entry's, with the interpreter as their one engine, so that nothing this entry imports
 * loads Binaryen (a 15 MB module whose import is most of a cold start). The engine
 * defaults to `interp` here; asking for the JIT says where it is.
 */
export function loadProgram(program: Uint8Array | readonly Insn[], loadOptions?: LoadOptions): Program {
  const options = checkOptions('loadProgram()', loadOptions);
  checkEngine(options.engine);
  const { runtime, budget, maps, programType, verify } = options;
  return interpreter(program, { runtime, budget, maps, programType, verify });
}

/** `load()` of an ELF object, every program in the interpreter. */
export function load<M extends MapHandle = BpfMap>(object: Uint8Array, options?: ObjectLoadOptions<M>): LoadedObject<M> {
  const checked = checkOptions('load()', options);
  checkEngine(checked.engine);
  return loadObject(object, checked, loadProgram);
}

function checkEngine(engine: unknown): void {
  if (engine === undefined || engine === 'interp') return;
  const hint = engine === 'jit'
    ? ": the JIT is in the main entry, import { jit, loadProgram, load } from 'ebpf-wasm' (or await import('ebpf-wasm') when it is needed)"
    : '';
  throw new RangeError(`'ebpf-wasm/core' runs programs in the interpreter only (engine 'interp'), got engine ${describeValue(engine)}${hint}`);
}
