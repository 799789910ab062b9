import type { ProgramType } from './abi/program-types.js';
import type { OptLevel } from './jit/opt-level.js';
import type { BpfMap } from './maps/bpf-map.js';
import type { EngineName } from './runtime/program.js';
import type { Runtime } from './runtime/runtime.js';
import type { VerifyMode } from './verify/validated-program.js';

/**
 * The options of `loadProgram()` and `load()`, in a file of their own: engine.ts imports
 * the JIT, and what only names these options (the ELF loader, `ebpf-wasm/core`) must not.
 */
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
  /** How the verifier treats the program (`strict` for kernel types, `checked` for raw, by default; `runtime`: no proof search, see VERIFY_MODES). */
  verify?: VerifyMode;
}
