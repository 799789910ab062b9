import type { Insn } from '../decode/insn.js';
import { interpreter } from '../interp/interpreter.js';
import type { LoadOptions } from '../load-options.js';
import type { EngineName, Program } from '../runtime/program.js';

/** An engine's loader; it takes loadProgram()'s options (the JIT's optLevel, verify, ...). */
export type EngineLoader = (program: Uint8Array | readonly Insn[], options: LoadOptions) => Program;

/**
 * The named engine's loader, importing the JIT only when it is asked for: Binaryen takes
 * over a second to load, which commands that never JIT (disasm, run --engine interp)
 * and the conformance plugin (started once per test) should not pay. The interpreter
 * is imported statically: it is small, and in the bundled command (scripts/bundle.ts)
 * every lazy import is a file of its own to load.
 */
export async function importEngine(engine: EngineName): Promise<EngineLoader> {
  if (engine === 'interp') return (program, options) => interpreter(program, options);
  const jit = await importJit();
  return (program, options) => jit(program, options);
}

/** `jit` itself, for commands that need what only the JIT has (its Wasm text). */
export async function importJit(): Promise<typeof import('../jit/jit.js').jit> {
  return (await import('../jit/jit.js')).jit;
}
