import { CSUM_DIFF } from './checksum.js';
import { BPF_LOOP } from './loop.js';
import { mapHelpers } from './map-helpers.js';
import { REDIRECT_HELPERS } from './redirect.js';
import { HelperRegistry, type HelperDef } from './registry.js';
import { SKB_HELPERS } from './skb.js';
import { SYSTEM_HELPERS } from './system.js';
import { tailCallHelper } from './tail-call.js';
import { TRACE_PRINTK } from './trace-printk.js';
import { TRACING_HELPERS } from './tracing.js';
import { XDP_HELPERS } from './xdp.js';

/** bpf_tail_call over the runtime's prog_array maps. */
const TAIL_CALL = tailCallHelper((runtime, map, index) => runtime.programAt(map, index));

/**
 * The kernel helpers we implement, by their kernel ids: time, randomness, CPU and pid,
 * trace_printk, get_current_comm, probe_read_kernel, jiffies64, bpf_loop, tail_call, the map helpers (lookup/update/delete,
 * push/pop/peek, perf_event_output, ringbuf_*), and the packet helpers (skb load and
 * store, checksums, XDP head/tail/meta adjustments, redirects). What a runtime gets when it is created
 * without explicit helpers. (ubpf's test helpers reuse some of these ids for other
 * functions; the conformance runner passes `ubpfTestHelpers()` explicitly.)
 */
export const KERNEL_HELPERS: readonly HelperDef[] = [
  ...SYSTEM_HELPERS, TRACE_PRINTK, BPF_LOOP, TAIL_CALL, ...mapHelpers(),
  ...SKB_HELPERS, ...XDP_HELPERS, ...REDIRECT_HELPERS, CSUM_DIFF, ...TRACING_HELPERS,
];

/** A registry of the kernel helpers; add your own with `registry.define(...)`. */
export function kernelHelpers(): HelperRegistry {
  return new HelperRegistry(KERNEL_HELPERS);
}
