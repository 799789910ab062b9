/**
 * Kernel helper ids (`enum bpf_func_id`, include/uapi/linux/bpf.h; the values libbpf's
 * bpf_helper_defs.h casts to function pointers). The one place our helper ids are written.
 */
export const HELPER_IDS = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  map_delete_elem: 3,
  ktime_get_ns: 5,
  trace_printk: 6,
  get_prandom_u32: 7,
  get_smp_processor_id: 8,
  skb_store_bytes: 9,
  l3_csum_replace: 10,
  l4_csum_replace: 11,
  tail_call: 12,
  get_current_pid_tgid: 14,
  get_current_comm: 16,
  redirect: 23,
  skb_pull_data: 39,
  get_numa_node_id: 42,
  perf_event_output: 25,
  skb_load_bytes: 26,
  csum_diff: 28,
  xdp_adjust_head: 44,
  redirect_map: 51,
  xdp_adjust_meta: 54,
  xdp_adjust_tail: 65,
  skb_load_bytes_relative: 68,
  map_push_elem: 87,
  map_pop_elem: 88,
  map_peek_elem: 89,
  probe_read_kernel: 113,
  jiffies64: 118,
  ktime_get_boot_ns: 125,
  ringbuf_output: 130,
  ringbuf_reserve: 131,
  ringbuf_submit: 132,
  ringbuf_discard: 133,
  ringbuf_query: 134,
  loop: 181,
} as const;

/**
 * Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h), returned negated
 * by helpers and by the map operations, as the kernel's helpers and `bpf()` commands do.
 */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  EOPNOTSUPP: 95,
  /** The kernel-internal "operation not supported" some map types return (524). */
  ENOTSUPP: 524,
} as const;

/** `-errno` as the u64 a helper returns in r0. */
export function negErrno(errno: number): bigint {
  return BigInt.asUintN(64, BigInt(-errno));
}
