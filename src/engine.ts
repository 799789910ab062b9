import type { Insn } from './decode/insn.js';
import { jit } from './jit/jit.js';
import { interpreter } from './interp/interpreter.js';
import type { Program } from './runtime/program.js';
import { checkOptions, describeValue } from './arguments.js';
import { ENGINE_NAMES, isEngineName } from './engine-names.js';
import type { LoadOptions } from './load-options.js';

export { ENGINE_NAMES, isEngineName } from './engine-names.js';
export type { LoadOptions } from './load-options.js';

/**
 * Load a program with the engine chosen by name, so tools (the conformance runner,
 * differential tests) select the engine with a flag instead of branching on it.
 * Throws the engine's typed errors for programs it cannot load.
 */
export function loadProgram(program: Uint8Array | readonly Insn[], loadOptions?: LoadOptions): Program {
  const options = checkOptions('loadProgram()', loadOptions);
  const { runtime, budget, optLevel, maps, programType, verify } = options;
  const engine: unknown = options.engine ?? 'jit';
  // Anything but 'jit' used to run in the interpreter, a typo ('JIT') included.
  if (typeof engine !== 'string' || !isEngineName(engine)) {
    throw new RangeError(`loadProgram() option engine must be one of ${ENGINE_NAMES.join(', ')}, got ${describeValue(engine)}`);
  }
  return engine === 'jit'
    ? jit(program, { runtime, budget, optLevel, maps, programType, verify })
    : interpreter(program, { runtime, budget, maps, programType, verify });
}
