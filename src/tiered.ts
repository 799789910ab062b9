/**
 * `jitInBackground()`: a program that answers at once from the interpreter while the JIT
 * loads and compiles it, then from the JIT. Loading Binaryen is most of the JIT's first
 * result in a new process (README, "Start-up"); the interpreter's costs a few
 * milliseconds. This file imports no part of the JIT: `ebpf-wasm/core` exports it, and
 * the JIT comes from `options.importJit`, by default `import('ebpf-wasm')` through a
 * specifier no bundler follows (the package's main entry, found by self-reference), so an
 * interpreter-only bundle stays free of Binaryen.
 */
import { checkFunction, checkOptions } from './arguments.js';
import { ENTER } from './abi/signals.js';
import { writesMemory } from './decode/insn.js';
import type { Insn } from './decode/insn.js';
import { interpreter, type InterpreterOptions } from './interp/interpreter.js';
import { checkOptLevel, type OptLevel } from './jit/opt-level.js';
import { programRuns } from './runtime/runner.js';
import { Runtime } from './runtime/runtime.js';
import type { EngineName, Program } from './runtime/program.js';

/** What `importJit` resolves to: a module with `jit()` (the main entry, `ebpf-wasm`). */
export interface JitModule {
  jit(program: Uint8Array | readonly Insn[], options: InterpreterOptions & { runtime: Runtime; optLevel?: OptLevel }): Program;
}

export interface BackgroundJitOptions extends InterpreterOptions {
  /** The JIT's optimisation level, 0-3 (default 1). */
  optLevel?: OptLevel;
  /**
   * Imports the JIT (default: `() => import('ebpf-wasm')`, the package's main entry). In
   * a browser bundle, or wherever that specifier does not resolve, give your own.
   */
  importJit?: () => Promise<JitModule>;
}

export interface BackgroundJitProgram extends Program {
  /** The engine answering now: `interp` until the JIT has compiled the program, then `jit`. */
  readonly engine: EngineName;
  /**
   * Settles once the JIT answers: resolves, or rejects with what stopped it (Binaryen not
   * found, a CompileError); the interpreter then goes on answering. Awaiting it is optional.
   */
  readonly ready: Promise<void>;
}

/** Kept in a variable so that bundlers leave the import alone (it brings 15 MB of Binaryen). */
const MAIN_ENTRY = 'ebpf-wasm';
const importMainEntry = (): Promise<JitModule> => import(MAIN_ENTRY) as Promise<JitModule>;

/**
 * Load `program` in the interpreter and answer calls with it at once; JIT-compile it in
 * the background (after this call returns) and switch to the JIT when that is done. Both
 * run on the same runtime, so the maps, the input area and every result are the same
 * whichever engine answers; `input()` and `runInput()` belong to this program, not to an
 * engine. Errors in the program (DecodeError, VerifierError) are thrown here, by the
 * interpreter's load. The budget counts differently in each engine (the interpreter every
 * instruction, the JIT a loop body's length at its back edge).
 */
export function jitInBackground(program: Uint8Array | readonly Insn[], backgroundOptions?: BackgroundJitOptions): BackgroundJitProgram {
  const { optLevel, importJit = importMainEntry, ...options } = checkOptions('jitInBackground()', backgroundOptions);
  checkOptLevel(optLevel);
  checkFunction('jitInBackground() option importJit', importJit);
  const interp = interpreter(program, options);
  const { runtime, type, insns } = interp;
  let current: Program = interp;
  const enter = (r1: bigint): bigint => current[ENTER](r1);
  const runs = programRuns({ runtime, type, enter, writesMemory: writesMemory(insns) });
  const ready = Promise.resolve().then(importJit).then(({ jit }) => {
    // The same loaded instructions (lddw values resolved), runtime and options: the same program.
    current = jit(insns, { ...options, runtime, optLevel });
  });
  // Handled here, so that a failure nobody awaits is no unhandled rejection; `ready` still rejects.
  ready.catch(() => undefined);
  const tiered = Object.assign(runs.call, { run: runs.run, input: runs.input, runInput: runs.runInput, type, insns, runtime, ready, [ENTER]: enter });
  return Object.defineProperty(tiered, 'engine', { get: () => current.engine, enumerable: true }) as BackgroundJitProgram;
}
