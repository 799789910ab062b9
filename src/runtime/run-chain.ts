import { ENTER, ExitProgram, TailCall } from '../abi/signals.js';

/**
 * The top of every run. Tail calls (bpf_tail_call): the current program ends and
 * another program of the same runtime runs in its place with r1 = ctx, its r0 becoming
 * the result of the whole chain. The helper throws `TailCall`, unwinding every frame of
 * the caller (in either engine), and `runChain` starts the target. Kernel limit:
 * MAX_TAIL_CALLS per run; past it the helper fails instead.
 */

/** Per-runtime count of the tail calls made in the current run. */
export interface TailCallCounter {
  tailCalls: number;
}

/**
 * Run `enter(r1)` -- the first program of a run -- following tail calls. The first call is
 * direct and the loop only starts once a TailCall is caught, so a run without tail calls
 * pays one try/catch. ExitProgram (a helper ending the program) ends the chain too.
 */
export function runChain(counter: TailCallCounter, enter: (r1: bigint) => bigint, r1: bigint): bigint {
  counter.tailCalls = 0;
  try {
    return enter(r1);
  } catch (e) {
    return followChain(e);
  }
}

function followChain(thrown: unknown): bigint {
  let e = thrown;
  for (;;) {
    if (e instanceof ExitProgram) return BigInt.asUintN(64, e.r0);
    if (!(e instanceof TailCall)) throw e;
    try {
      return e.target[ENTER](e.ctx);
    } catch (next) {
      e = next;
    }
  }
}
