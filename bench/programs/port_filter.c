/*
 * Ethernet / IPv4 / TCP destination-port filter: 1 for TCP to port 80 or 443, else 0.
 * Every header field is bounds-checked against len before it is read, as a verifier
 * would demand. Deliberately tiny: it measures per-packet call overhead.
 */
#include "common.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define IPPROTO_TCP 6
#define TCP_HLEN_MIN 20

ENTRY u64 entry(u8 *mem, u64 len) {
  if (len < ETH_HLEN + 20) return 0;
  u16 ethertype = ((u16)mem[12] << 8) | mem[13];
  if (ethertype != ETH_P_IP) return 0;

  u8 *ip = mem + ETH_HLEN;
  if ((ip[0] >> 4) != 4) return 0;
  u64 ihl = (u64)(ip[0] & 0x0f) * 4;
  if (ihl < 20) return 0;
  if (ip[9] != IPPROTO_TCP) return 0;
  /* Non-first fragments carry no TCP header. */
  if ((((u16)ip[6] << 8 | ip[7]) & 0x1fff) != 0) return 0;

  if (ETH_HLEN + ihl + TCP_HLEN_MIN > len) return 0;
  u8 *tcp = ip + ihl;
  u16 dport = ((u16)tcp[2] << 8) | tcp[3];
  return dport == 80 || dport == 443;
}
