import type { Insn } from '../decode/insn.js';
import type { Runtime } from './runtime.js';
import type { Enterable } from '../abi/signals.js';

export interface RunResult {
  /** r0 at exit, as an unsigned 64-bit value. */
  readonly r0: bigint;
  /** The input memory after the run (the same array that was passed in, updated in place). */
  readonly memory: Uint8Array;
}

export type EngineName = 'interp' | 'jit';

/**
 * A loaded program, whichever engine runs it. Calling it runs the program over `mem`
 * (r1 = its address, r2 = its length): the bytes are placed in the runtime's input
 * area, the program runs, and whatever it wrote is copied back into `mem`, as ubpf
 * runs a program over the caller's memory in place.
 */
export interface Program extends Enterable {
  (mem?: Uint8Array): bigint;
  run(mem?: Uint8Array): RunResult;
  readonly engine: EngineName;
  readonly insns: readonly Insn[];
  readonly runtime: Runtime;
}
