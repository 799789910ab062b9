/*
 * hello: bpf_printk, the first program everyone writes. JS runs it with a number in
 * its context; it prints the number and how many times it has run, a count it keeps
 * in a global variable (which lives in .bss, a one-entry array map JS can read).
 *
 * The context is whatever bytes JS passes (r1 points at them), laid out as a kernel
 * tracepoint's record: the 8-byte common header (struct trace_entry), which programs may
 * not read, then the fields. The SEC() name says where a kernel would attach it.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct hello_ctx {
	__u64 common;	/* struct trace_entry: type, flags, preempt count, pid */
	__u32 number;
};

__u64 runs = 0;

SEC("tracepoint/syscalls/sys_enter_execve")
int hello(struct hello_ctx *ctx)
{
	__u64 run = __sync_fetch_and_add(&runs, 1) + 1;

	bpf_printk("Hello, eBPF from Wasm! run %llu, number %u", run, ctx->number);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
