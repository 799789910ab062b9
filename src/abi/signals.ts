/**
 * How a run ends early, across every frame and in either engine: thrown values that
 * the top of a run (runtime/run-chain.ts) catches. They are not errors: a helper ending
 * the program with a value, or a tail call replacing the current program.
 */

/** Thrown by a helper (or LD_ABS out of range) to end the whole program with `r0`. */
export class ExitProgram {
  constructor(readonly r0: bigint) {}
}

/** A loaded program's entry over the input already in place: r1 given, r0 returned. */
export const ENTER = Symbol('ebpf-wasm.enter');

export interface Enterable {
  [ENTER](r1: bigint): bigint;
}

/** Thrown by bpf_tail_call: the current program ends and `target` runs with r1 = ctx. */
export class TailCall {
  constructor(readonly target: Enterable, readonly ctx: bigint) {}
}
