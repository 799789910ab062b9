/*
 * ringbuf: events to user space through a ring buffer, like libbpf-bootstrap's
 * bootstrap. JS sends one event per process exit; the program reserves a record in
 * the ring, fills it in, and submits it, or discards it if the process was a
 * short-lived one that exited cleanly. JS reads the records as they come.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define TASK_COMM_LEN 16

/* What JS sends: a process that exited. */
struct exit_ctx {
	__u64 common;	/* struct trace_entry, which programs may not read */
	__u32 pid;
	__u32 ppid;
	__s32 exit_code;
	__u32 pad;
	__u64 start_ns;
	__u64 exit_ns;
	char comm[TASK_COMM_LEN];
};

/* What JS receives: one record in the ring (48 bytes). */
struct event {
	__u32 pid;
	__u32 ppid;
	__s32 exit_code;
	__u32 pad;
	__u64 ts_ns;
	__u64 duration_ns;
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/* Clean exits of processes that lived less than this are not reported (.rodata). */
const volatile __u64 min_duration_ns = 10 * 1000 * 1000;

/* Records that did not fit in the ring (.bss). */
__u64 dropped = 0;

SEC("tp/sched/sched_process_exit")
int handle_exit(struct exit_ctx *ctx)
{
	struct event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	e->pid = ctx->pid;
	e->ppid = ctx->ppid;
	e->exit_code = ctx->exit_code;
	e->pad = 0;
	e->ts_ns = ctx->exit_ns;
	e->duration_ns = ctx->exit_ns - ctx->start_ns;
	__builtin_memcpy(e->comm, ctx->comm, TASK_COMM_LEN);

	if (e->exit_code == 0 && e->duration_ns < min_duration_ns) {
		bpf_ringbuf_discard(e, 0);      /* gives the space back, JS never sees it */
		return 0;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
