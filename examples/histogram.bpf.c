/*
 * histogram: a log2 latency histogram in an array map, like bcc's biolatency. JS sends
 * one latency (in microseconds) per event; the program adds one to slot log2(latency),
 * so slot i counts latencies from 2^i to 2^(i+1) - 1 (slot 0 also counts 0). JS prints
 * the slots as a bar chart.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_SLOTS 27

struct latency_event {
	__u64 usecs;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

/* The index of the highest set bit (0 for 0 and 1), by halving: no loop, no branch. */
static __always_inline __u32 log2l(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	return r | (__u32)(v >> 1);
}

SEC("kprobe/blk_account_io_done")
int record_latency(struct latency_event *ctx)
{
	__u32 slot = log2l(ctx->usecs);
	__u64 *count;

	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	count = bpf_map_lookup_elem(&hist, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
