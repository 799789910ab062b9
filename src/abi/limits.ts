/** Limits both engines enforce the same way. */

/** Instructions one run may execute before `BUDGET_EXHAUSTED`, unless `budget` says otherwise. */
export const DEFAULT_BUDGET = 100_000_000;

/** BPF_MAX_LOOPS: bpf_loop refuses more iterations with -E2BIG. */
export const MAX_LOOPS = 1 << 23;
/**
 * may_goto's allowance per program run: it falls through this many times, then jumps (the
 * kernel's BPF_MAX_LOOPS count, without the time check some architectures add).
 */
export const MAY_GOTO_LOOPS = MAX_LOOPS;

/** MAX_TAIL_CALL_CNT: tail calls one run may make; past it bpf_tail_call fails and the caller goes on. */
export const MAX_TAIL_CALLS = 33;
