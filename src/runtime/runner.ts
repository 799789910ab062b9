import type { ProgramType } from '../abi/program-types.js';
import { place, presentationOf, view } from './contexts/index.js';
import type { Program, RunResult } from './program.js';
import { runChain } from './run-chain.js';
import type { Runtime } from './runtime.js';

export interface RunnerOptions {
  readonly runtime: Runtime;
  readonly type: ProgramType;
  /** The engine's entry: one program of a (tail-call) chain, r1 given, its context in place. */
  readonly enter: (r1: bigint) => bigint;
  /** Whether the program can write memory at all (else a raw run's input is not copied back). */
  readonly writesMemory: boolean;
  /** Called before a run touches memory (the interpreter refuses re-entry from a helper there). */
  readonly beforeRun?: () => void;
}

/** What every engine's program does the same way: placing the input, the context, the run, the result. */
export type ProgramRuns = Pick<Program, 'run' | 'input' | 'runInput'> & { call(input?: Uint8Array): bigint };

/**
 * The runs of a program, for both engines: the input is placed as the program's type
 * presents it (contexts/), the chain of tail calls runs from r1, and the result is read
 * back (a raw program's memory in place, a packet program's data_out).
 */
export function programRuns(options: RunnerOptions): ProgramRuns {
  const { runtime, enter, beforeRun } = options;
  const presentation = presentationOf(options.type);
  const copyBack = options.type === 'raw' && options.writesMemory;

  const runInput = (length: number): bigint => {
    beforeRun?.();
    return runChain(runtime, enter, presentation.begin(runtime, length));
  };
  const runOver = (input: Uint8Array): bigint => {
    beforeRun?.();
    place(presentation, runtime, input);
    try {
      return runInput(input.length);
    } finally {
      // Like ubpf running over the caller's buffer in place: writes are visible even
      // when the run trapped part-way.
      if (copyBack && input.length > 0) input.set(view(presentation, runtime, input.length));
    }
  };
  const call = (input?: Uint8Array): bigint => runOver(input ?? new Uint8Array(0));
  const run = (input?: Uint8Array): RunResult => {
    const memory = input ?? new Uint8Array(0);
    const r0 = runOver(memory);
    return presentation.dataOut ? { r0, memory, dataOut: presentation.dataOut(runtime) } : { r0, memory };
  };
  return { call, run, runInput, input: (length) => view(presentation, runtime, length) };
}
