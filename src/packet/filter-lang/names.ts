/**
 * Named numbers of the filter language: the offsets and values pcap-filter(7) lists, the
 * protocol numbers `proto` takes by name, and the service names `port` takes. Services are
 * fixed here instead of read from /etc/services so a filter means the same on every host.
 */

export const NAMED_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['icmptype', 0], ['icmpcode', 1], ['icmp6type', 0], ['icmp6code', 1], ['tcpflags', 13],
  ['tcp-fin', 0x01], ['tcp-syn', 0x02], ['tcp-rst', 0x04], ['tcp-push', 0x08], ['tcp-ack', 0x10], ['tcp-urg', 0x20],
  ['tcp-ece', 0x40], ['tcp-cwr', 0x80],
  ['icmp-echoreply', 0], ['icmp-unreach', 3], ['icmp-sourcequench', 4], ['icmp-redirect', 5], ['icmp-echo', 8],
  ['icmp-routeradvert', 9], ['icmp-routersolicit', 10], ['icmp-timxceed', 11], ['icmp-paramprob', 12],
  ['icmp-tstamp', 13], ['icmp-tstampreply', 14], ['icmp-ireq', 15], ['icmp-ireqreply', 16], ['icmp-maskreq', 17],
  ['icmp-maskreply', 18],
  ['icmp6-destinationunreach', 1], ['icmp6-packettoobig', 2], ['icmp6-timeexceeded', 3], ['icmp6-parameterproblem', 4],
  ['icmp6-echo', 128], ['icmp6-echoreply', 129], ['icmp6-multicastlistenerquery', 130],
  ['icmp6-multicastlistenerreportv1', 131], ['icmp6-multicastlistenerdone', 132], ['icmp6-routersolicit', 133],
  ['icmp6-routeradvert', 134], ['icmp6-neighborsolicit', 135], ['icmp6-neighboradvert', 136], ['icmp6-redirect', 137],
  ['icmp6-routerrenum', 138], ['icmp6-nodeinformationquery', 139], ['icmp6-nodeinformationresponse', 140],
  ['icmp6-ineighbordiscoverysolicit', 141], ['icmp6-ineighbordiscoveryadvert', 142],
  ['icmp6-multicastlistenerreportv2', 143],
]);

/** `ip proto <name>` / `proto \tcp`: IP protocol numbers (IANA). */
export const IP_PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ['icmp', 1], ['igmp', 2], ['tcp', 6], ['udp', 17], ['icmp6', 58], ['ipv6-icmp', 58], ['sctp', 132],
  ['gre', 47], ['esp', 50], ['ah', 51], ['ospf', 89], ['pim', 103], ['vrrp', 112],
]);

/** `ether proto <name>`: EtherTypes. */
export const ETHER_TYPES: ReadonlyMap<string, number> = new Map([
  ['ip', 0x0800], ['ip6', 0x86dd], ['arp', 0x0806], ['rarp', 0x8035],
]);

/** `port <name>`: the services of Debian's /etc/services that tcpdump users name most. */
export const SERVICES: ReadonlyMap<string, number> = new Map([
  ['ftp-data', 20], ['ftp', 21], ['ssh', 22], ['telnet', 23], ['smtp', 25], ['domain', 53], ['bootps', 67],
  ['bootpc', 68], ['tftp', 69], ['http', 80], ['www', 80], ['pop3', 110], ['sunrpc', 111], ['ntp', 123],
  ['imap', 143], ['imap2', 143], ['snmp', 161], ['snmp-trap', 162], ['bgp', 179], ['ldap', 389], ['https', 443],
  ['submission', 587], ['imaps', 993], ['pop3s', 995], ['syslog', 514], ['isakmp', 500], ['mdns', 5353],
]);
