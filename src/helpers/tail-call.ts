import { RuntimeTrap } from '../errors.js';
import { MAX_TAIL_CALLS } from '../abi/limits.js';
import { TailCall, type Enterable } from '../abi/signals.js';
import type { HelperHost } from './host.js';
import { ERRNO, HELPER_IDS, negErrno } from '../abi/kernel-ids.js';
import type { HelperDef } from './registry.js';

/** Finds the program a prog_array map holds at an index (maps provide it). */
export type ProgramLookup = (runtime: HelperHost, map: bigint, index: number) => Enterable | undefined;

/**
 * bpf_tail_call(ctx, prog_array, index): if the map holds a program at `index` (low 32
 * bits) and fewer than 33 tail calls were made in this run, the current program ends and
 * that one runs with r1 = ctx (see runtime/run-chain.ts). Otherwise it returns -ENOENT
 * and the caller carries on, as in the kernel, where a failed tail call falls through.
 * ctx must be the context, the r1 the run started with (the kernel's verifier demands a
 * PTR_TO_CTX): every program can then rely on its r1 at entry (the input's address for a
 * raw program, on which the verifier's input proofs rest, verify/input-length.ts).
 * Anything else traps.
 */
export function tailCallHelper(lookup: ProgramLookup): HelperDef {
  return {
    id: HELPER_IDS.tail_call,
    name: 'tail_call',
    proto: { args: ['ptr_to_ctx', 'const_map_ptr', 'anything'], ret: 'integer' },
    impl: (ctx, map, index, _4, _5, env) => {
      const runtime = env.runtime;
      if (ctx !== runtime.runContext) {
        throw new RuntimeTrap('BAD_TAIL_CALL_CTX', `bpf_tail_call's ctx 0x${ctx.toString(16)} is not the context the run started with (r1 at entry)`, env.pc);
      }
      const target = lookup(runtime, map, Number(index & 0xffff_ffffn));
      if (target === undefined || runtime.tailCalls >= MAX_TAIL_CALLS) return negErrno(ERRNO.ENOENT);
      runtime.tailCalls++;
      throw new TailCall(target, ctx);
    },
  };
}
