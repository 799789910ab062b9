import { readFileSync } from 'node:fs';
import { HelperRegistry, interpreter, jit, Runtime, type Program } from '../src/index.js';
import { programBinPath } from './paths.js';
import { registerHelpers } from './helpers.js';
import { programFile, type BenchProgram } from './suite.js';

/**
 * How the bench (and the tests) load and run a program in each engine. The input is
 * placed in the runtime's input area once; each run then goes over the bytes in place.
 */

export function loadProgram(program: BenchProgram): Uint8Array {
  return new Uint8Array(readFileSync(programBinPath(programFile(program))));
}

/** A fresh runtime with the program's helpers registered. */
export function makeRuntime(program: BenchProgram): Runtime {
  return new Runtime({ helpers: registerHelpers(new HelperRegistry(), program) });
}

type EngineFactory = (program: Uint8Array, options: { runtime?: Runtime }) => Program;

export const jitEngine: EngineFactory = (program, options) => jit(program, options);
export const interpreterEngine: EngineFactory = (program, options) => interpreter(program, options);

export interface PreparedRun {
  /** One run over the prepared input; returns r0. */
  run: () => bigint;
  prog: Program;
}

/**
 * Compile/load `program` in an engine and place `input` for repeated runs through the
 * zero-copy API both engines have: `prog.input(len)` filled once, `prog.runInput(len)` per run.
 */
export function prepare(engine: EngineFactory, bench: BenchProgram, input: Uint8Array): PreparedRun {
  const prog = engine(loadProgram(bench), { runtime: makeRuntime(bench) });
  prog.input(input.length).set(input);
  const length = input.length;
  return { run: () => prog.runInput(length), prog };
}
