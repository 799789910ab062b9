/*
 * syscount: count system calls by number in a hash map, like bcc's syscount. JS sends
 * one event per system call (a pid and the syscall number, what raw_syscalls:sys_enter
 * gives the kernel's version) and reads the counts from the map afterwards.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct syscall_event {
	__u64 common;	/* struct trace_entry, which programs may not read */
	__u32 pid;
	__u32 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);             /* syscall number */
	__type(value, __u64);           /* calls */
} counts SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int count_syscall(struct syscall_event *ctx)
{
	__u32 nr = ctx->nr;
	__u64 one = 1, *count;

	count = bpf_map_lookup_elem(&counts, &nr);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&counts, &nr, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
