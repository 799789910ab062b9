/*
 * tailcall: a dispatcher that jumps to a handler per IP protocol through a program
 * array, the way XDP and tc programs are split into stages. JS loads the object, puts
 * the handlers into the `handlers` map by protocol number, and runs the dispatcher
 * over IPv4 packets. A tail call replaces the running program: the handler's return
 * value is the dispatcher's. With no handler in the slot, bpf_tail_call returns and
 * the dispatcher goes on.
 */
#include <linux/types.h>
#include <linux/bpf.h>
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

enum verdict { DROP = 0, PASS = 1 };

/* The transport header: after the IP header and its options. */
static __always_inline void *l4(struct iphdr *ip)
{
	return (void *)ip + ip->ihl * 4;
}

/* r1 = the packet (an IPv4 header and what follows), r2 = its length. */
SEC("socket")
int dispatch(struct iphdr *ip, __u64 len)
{
	if (len < sizeof(*ip) || ip->ihl < 5 || len < ip->ihl * 4 + sizeof(struct ports))
		return DROP;
	bpf_tail_call(ip, &handlers, ip->protocol);
	/* Only reached when the slot is empty. */
	bpf_printk("dispatch: no handler for protocol %d, dropped", ip->protocol);
	return DROP;
}

SEC("socket")
int handle_tcp(struct iphdr *ip)
{
	struct ports *p = l4(ip);

	bpf_printk("handle_tcp: port %d -> %d", bpf_ntohs(p->source), bpf_ntohs(p->dest));
	return PASS;
}

SEC("socket")
int handle_udp(struct iphdr *ip)
{
	struct ports *p = l4(ip);

	bpf_printk("handle_udp: port %d -> %d", bpf_ntohs(p->source), bpf_ntohs(p->dest));
	return PASS;
}

SEC("socket")
int handle_icmp(struct iphdr *ip)
{
	struct icmp_head *h = l4(ip);

	bpf_printk("handle_icmp: type %d code %d", h->type, h->code);
	return h->type == 8 ? DROP : PASS;      /* no echo requests (pings) */
}

char LICENSE[] SEC("license") = "GPL";
