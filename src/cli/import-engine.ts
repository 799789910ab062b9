import type { ProgramType } from '../abi/program-types.js';
import type { Insn } from '../decode/insn.js';
import type { EngineName, Program } from '../runtime/program.js';
import type { Runtime } from '../runtime/runtime.js';

export type EngineLoader = (
  program: Uint8Array | readonly Insn[], options: { runtime: Runtime; budget?: number; programType?: ProgramType },
) => Program;

/**
 * The named engine's loader, importing only that engine's code: binaryen alone takes
 * about 0.4 s to load, which commands that never JIT (disasm, run --engine interp) and
 * the conformance plugin (started once per test) should not pay.
 */
export async function importEngine(engine: EngineName): Promise<EngineLoader> {
  if (engine === 'interp') {
    const { interpreter } = await import('../interp/interpreter.js');
    return (program, options) => interpreter(program, options);
  }
  const jit = await importJit();
  return (program, options) => jit(program, options);
}

/** `jit` itself, for commands that need what only the JIT has (its Wasm text). */
export async function importJit(): Promise<typeof import('../jit/jit.js').jit> {
  return (await import('../jit/jit.js')).jit;
}
