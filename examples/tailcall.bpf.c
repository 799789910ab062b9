/*
 * tailcall: an XDP dispatcher that jumps to a handler per IP protocol through a program
 * array, the way XDP and tc programs are split into stages. JS loads the object, puts
 * the handlers into the `handlers` map by protocol number, and runs the dispatcher
 * over Ethernet frames carrying IPv4. A tail call replaces the running program: the
 * handler's verdict is the dispatcher's. With no handler in the slot, bpf_tail_call
 * returns and the dispatcher goes on.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* The first bytes of a TCP or UDP header: the ports. */
struct ports {
	__be16 source;
	__be16 dest;
};

struct icmp_head {
	__u8 type;
	__u8 code;
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);             /* IP protocol number */
	__type(value, __u32);           /* a program (JS fills the slots) */
} handlers SEC(".maps");

/*
 * The transport header of an Ethernet frame carrying IPv4, if the frame holds the IP
 * header, its options and the transport header's first 4 bytes; and the IP protocol.
 * The one pointer that was checked against data_end is the one the handlers read through,
 * as the kernel's verifier demands.
 */
static __always_inline void *transport(struct xdp_md *ctx, __u8 *protocol)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	void *l4;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl < 5)
		return 0;
	l4 = (void *)ip + ip->ihl * 4;
	if (l4 + sizeof(struct ports) > end)
		return 0;
	*protocol = ip->protocol;
	return l4;
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	__u8 protocol;

	if (!transport(ctx, &protocol))
		return XDP_DROP;
	bpf_tail_call(ctx, &handlers, protocol);
	/* Only reached when the slot is empty. */
	bpf_printk("dispatch: no handler for protocol %d, dropped", protocol);
	return XDP_DROP;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	__u8 protocol;
	struct ports *p = transport(ctx, &protocol);

	if (!p)
		return XDP_DROP;
	bpf_printk("handle_tcp: port %d -> %d", bpf_ntohs(p->source), bpf_ntohs(p->dest));
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	__u8 protocol;
	struct ports *p = transport(ctx, &protocol);

	if (!p)
		return XDP_DROP;
	bpf_printk("handle_udp: port %d -> %d", bpf_ntohs(p->source), bpf_ntohs(p->dest));
	return XDP_PASS;
}

SEC("xdp")
int handle_icmp(struct xdp_md *ctx)
{
	__u8 protocol;
	struct icmp_head *h = transport(ctx, &protocol);

	if (!h)
		return XDP_DROP;
	bpf_printk("handle_icmp: type %d code %d", h->type, h->code);
	return h->type == 8 ? XDP_DROP : XDP_PASS;      /* no echo requests (pings) */
}

char LICENSE[] SEC("license") = "GPL";
