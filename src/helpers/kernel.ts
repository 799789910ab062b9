import { BPF_LOOP } from './loop.js';
import { mapHelpers } from './map-helpers.js';
import { HelperRegistry, type HelperDef } from './registry.js';
import { SYSTEM_HELPERS } from './system.js';
import { tailCallHelper } from './tail-call.js';
import { TRACE_PRINTK } from './trace-printk.js';

/** bpf_tail_call over the runtime's prog_array maps. */
const TAIL_CALL = tailCallHelper((runtime, map, index) => runtime.programAt(map, index));

/**
 * The kernel helpers we implement, by their kernel ids: time, randomness, CPU and pid,
 * trace_printk, bpf_loop, tail_call and the map helpers (lookup/update/delete,
 * push/pop/peek, perf_event_output, ringbuf_*). What a runtime gets when it is created
 * without explicit helpers. (ubpf's test helpers reuse some of these ids for other
 * functions; the conformance runner passes `ubpfTestHelpers()` explicitly.)
 */
export const KERNEL_HELPERS: readonly HelperDef[] = [...SYSTEM_HELPERS, TRACE_PRINTK, BPF_LOOP, TAIL_CALL, ...mapHelpers()];

/** A registry of the kernel helpers; add your own with `registry.define(...)`. */
export function kernelHelpers(): HelperRegistry {
  return new HelperRegistry(KERNEL_HELPERS);
}
