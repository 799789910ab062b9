import { ExitProgram } from '../helpers/registry.js';

/**
 * Tail calls (bpf_tail_call): the current program ends and another program of the same
 * runtime runs in its place with r1 = ctx, its r0 becoming the result of the whole
 * chain. The helper throws `TailCall`, unwinding every frame of the caller (in either
 * engine), and `runChain` -- the top of every run -- starts the target. Kernel limit:
 * 33 tail calls per run (MAX_TAIL_CALL_CNT); past it the helper fails instead.
 */
export const MAX_TAIL_CALLS = 33;

/** A loaded program's entry over the input already in place: r1 given, r0 returned. */
export const ENTER = Symbol('ebpf-wasm.enter');

export interface Enterable {
  [ENTER](r1: bigint): bigint;
}

export class TailCall {
  constructor(readonly target: Enterable, readonly ctx: bigint) {}
}

/** Per-runtime count of the tail calls made in the current run. */
export interface TailCallCounter {
  tailCalls: number;
}

/**
 * Run `first` with r1, following tail calls. ExitProgram (a helper ending the program)
 * ends the chain too.
 */
export function runChain(counter: TailCallCounter, first: Enterable, r1: bigint): bigint {
  counter.tailCalls = 0;
  let program = first;
  let arg = r1;
  for (;;) {
    try {
      return program[ENTER](arg);
    } catch (e) {
      if (e instanceof TailCall) {
        program = e.target;
        arg = e.ctx;
        continue;
      }
      if (e instanceof ExitProgram) return BigInt.asUintN(64, e.r0);
      throw e;
    }
  }
}
