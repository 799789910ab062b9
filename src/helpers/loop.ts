import { HELPER_IDS } from '../abi/kernel-ids.js';
import type { HelperDef } from './registry.js';

/**
 * bpf_loop(nr_loops, callback_fn, callback_ctx, flags): call
 * `long callback(u64 index, void *ctx)` for index = 0.. until it returns non-zero or
 * nr_loops (low 32 bits) calls are done. Returns the number of calls made; -EINVAL if
 * flags != 0, -E2BIG if nr_loops > 2^23. Both engines run it themselves (the callback is
 * a function of the program): see src/jit/loop.ts and src/interp/loop-semantics.ts.
 */
export const BPF_LOOP: HelperDef = {
  id: HELPER_IDS.loop,
  name: 'loop',
  proto: { args: ['anything', 'ptr_to_func', 'ptr_to_stack', 'anything'], ret: 'integer' },
  intrinsic: 'loop',
  impl: () => {
    throw new Error('bpf_loop is run by the engines, never through its impl');
  },
};
