import type { ProgramType } from './abi/program-types.js';
import type { Insn } from './decode/insn.js';
import { jit } from './jit/jit.js';
import type { OptLevel } from './jit/module.js';
import { interpreter } from './interp/interpreter.js';
import type { Program } from './runtime/program.js';
import type { BpfMap } from './maps/bpf-map.js';
import type { Runtime } from './runtime/runtime.js';
import type { EngineName } from './runtime/program.js';
import type { VerifyMode } from './verify/validated-program.js';

export { ENGINE_NAMES, isEngineName } from './engine-names.js';

export interface LoadOptions {
  /** Which engine runs the program (default `jit`). */
  engine?: EngineName;
  /** Runtime (memory, maps, helpers) the program uses (default: a fresh one, with the kernel helpers). */
  runtime?: Runtime;
  /** Instruction budget per run (default: the engine's default). */
  budget?: number;
  /** Binaryen optimisation level, JIT only. */
  optLevel?: OptLevel;
  /** Maps for `lddw map_idx(i)` / `map_idx_value(i, off)`, by index. */
  maps?: readonly BpfMap[];
  /** The program's type (default `raw`; `load()` takes it from each program's SEC() name). */
  programType?: ProgramType;
  /** How the verifier treats the program (`strict` for kernel types, `checked` for raw, by default). */
  verify?: VerifyMode;
}

/**
 * Load a program with the engine chosen by name, so tools (the conformance runner,
 * differential tests) select the engine with a flag instead of branching on it.
 * Throws the engine's typed errors for programs it cannot load.
 */
export function loadProgram(program: Uint8Array | readonly Insn[], options: LoadOptions = {}): Program {
  const { runtime, budget, optLevel, maps, programType, verify } = options;
  return (options.engine ?? 'jit') === 'jit'
    ? jit(program, { runtime, budget, optLevel, maps, programType, verify })
    : interpreter(program, { runtime, budget, maps, programType, verify });
}
