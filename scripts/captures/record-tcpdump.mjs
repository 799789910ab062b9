#!/usr/bin/env node
/**
 * Records what tcpdump (libpcap) does with the generated captures, for tests that need no
 * tcpdump: for each expression below, its classic BPF (`tcpdump -dd` and `-ddd`, compiled
 * for mixed.pcap's link type) and how many packets of each capture it matches
 * (`tcpdump -r <file> <expr> | wc -l`). Writes test/fixtures/captures/tcpdump-corpus.json,
 * and mixed.tcpdump-q.txt: what `tcpdump -q -nn -r mixed.pcap` prints (TZ=UTC).
 *
 *   apt-get install -y tcpdump      # Debian; root not needed to read files
 *   node scripts/captures/generate.mjs && node scripts/captures/record-tcpdump.mjs
 *
 * The output changes only when the expressions, the captures or libpcap's code generator
 * change (the versions are recorded).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '../../test/fixtures/captures');
const CAPTURES = ['mixed.pcap', 'snap64.pcap'];

export const EXPRESSIONS = [
  'ip', 'ip6', 'arp', 'tcp', 'udp', 'icmp', 'icmp6', 'vlan', 'vlan and ip', 'vlan 100', 'vlan and udp',
  'not ip', 'ether proto 0x0806', 'ip proto 47',
  'host 10.0.0.1', 'src host 10.0.0.2', 'dst host 192.168.1.1', 'net 10.0.0.0/24', 'src net 192.168.0.0/16',
  'dst net 10.0.0.0 mask 255.255.0.0', 'ip6 host 2001:db8::1', 'ip6 net 2001:db8::/32',
  'ether host 02:00:00:00:00:01', 'ether src 02:00:00:00:00:02', 'ether broadcast', 'ether multicast',
  'ip multicast', 'ip6 multicast',
  'port 80', 'tcp port 443', 'udp port 53', 'src port 1024', 'dst port 22', 'portrange 1000-2000',
  'udp and (port 67 or port 68)', 'tcp and not port 80', '(tcp or udp) and host 10.0.0.3', 'arp and host 10.0.0.1',
  'tcp[tcpflags] & tcp-syn != 0', 'tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn', 'tcp[13] = 0x12',
  'tcp[2:2] > 1023', 'ip[9] = 17', 'ip[6:2] & 0x1fff != 0', 'ip[0] & 0xf > 5', 'ip and ip[8] < 64',
  'icmp[icmptype] = icmp-echo', 'icmp6 and ip6[40] = 128', 'udp[8:2] > 0x8000',
  'greater 200', 'less 80', 'len >= 100 and len <= 300', 'ip and len - 14 > 100',
  'ip[2:2] / 4 > 30', 'ip[2:2] % 7 = 3', 'ip[8] * 2 > 100', 'ip[8] ^ 0xff = 0xbf', '(ip[2:2] >> 2) & 1 = 1',
  'ip6 and ip6[6] = 0', 'vlan and ip6 and tcp',
  // The grammar more widely, for the filter compiler (src/packet/filter-lang): qualifiers
  // inherited by a bare value, and/or of equal precedence, every primitive and operator.
  'host 10.0.0.1 or 10.0.0.2', 'host 10.0.0.1 and not 10.0.0.2', 'tcp src port 80 or 443', 'port 80 or 443 or 53',
  'src or dst host 10.0.0.1', 'src and dst net 10.0.0.0/8', 'ip src 10.0.0.1', 'ip dst net 192.168.0.0/16',
  'net 10.0.0', 'net 10.0.0.0 mask 255.255.255.0', 'arp dst host 10.0.0.1', 'src 10.0.0.2',
  'ip6 src host 2001:db8::1', 'ip6 dst net 2001:db8::/64', 'ip6 net ::/0',
  'ether dst ff:ff:ff:ff:ff:ff', 'ether dst host 02:00:00:00:00:01', 'ether src 02:00:00:00:00:02 or 02:00:00:00:00:03',
  'ip broadcast', 'broadcast', 'multicast', 'udp port domain', 'tcp port http',
  'tcp dst portrange 1-1023', 'udp src portrange 1000-2000', 'ip6 and portrange 1000-2000', 'ip6 and udp dst port 53',
  'sctp', 'igmp', 'rarp', 'ip proto \\tcp', 'proto \\udp', 'ip6 proto 17', 'ether proto \\arp', 'ether proto \\ip6',
  'ip proto 1 or ip proto 47',
  'icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply', 'icmp6[icmp6type] = icmp6-echo',
  'tcp[tcpflags] & (tcp-fin|tcp-rst) != 0', 'tcp[tcpflags] == tcp-ack', 'tcp[12] >> 4 > 5',
  'ether[0] & 1 = 1', 'ether[12:2] = 0x0800', 'arp[7] = 2', 'ip6[6] = 17', 'ip[ip[0] & 0xf] != 0',
  'tcp[(tcp[12] >> 4) * 4 - 1] > 0', 'ip[2:2] - ((ip[0] & 0xf) << 2) > 100', 'ip[8] & -64 = 64', 'ip[8] + 1 = -(-65)',
  'ip[8] | 0x80 = 0xc0', 'ip[2:2] * 2 - 40 >= 200', 'ip[8] + ip[9] < 70', 'udp[4:2] - 8 = udp[4:2] - 8',
  'not (tcp or udp)', 'not tcp and not udp and ip', '!arp && !ip6', 'tcp || icmp', 'ip or ip6 and tcp',
  'tcp and port 80 or port 443', 'not not ip',
  'vlan 200', 'vlan and vlan', 'vlan 100 and host 10.0.0.1', 'vlan and port 53', 'not vlan and ip', '(vlan and ip) or ip6',
  'less 64 and udp', 'greater 1000', 'len < 100 or len > 1000',
  // Not here: a negated load ('-ip[8] & 0xff = 0xc0') and a constant minus a load
  // ('0 - ip[8] = 192'), which libpcap 1.10 compiles without their 'ip' check (the first to
  // 'ret #262144'); this compiler keeps the check.
  // Past 64 bytes: snap64.pcap cut these off, so the load fails and the filter says no.
  'udp[40] > 127', 'tcp[32:4] != 0', 'ip[100] = 0',
  // libpcap jumps backwards for protochain; the kernel (and so this library) refuses the program.
  'ip6 protochain 6',
];

const tcpdump = (args) => execFileSync('tcpdump', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
const version = execFileSync('tcpdump', ['--version'], { encoding: 'utf8' }).split('\n').filter((l) => /tcpdump|libpcap/.test(l));

const entries = EXPRESSIONS.map((expr) => {
  const mixed = join(dir, CAPTURES[0]);
  const dd = tcpdump(['-dd', '-r', mixed, expr]);
  const ddd = tcpdump(['-ddd', '-r', mixed, expr]);
  const counts = Object.fromEntries(CAPTURES.map((file) => {
    const out = tcpdump(['-nn', '-q', '-r', join(dir, file), expr]);
    return [file, out === '' ? 0 : out.trimEnd().split('\n').length];
  }));
  return { expr, dd, ddd, counts };
});

// What `tcpdump -q -nn` prints for every packet, for the filter command's one-line summaries.
writeFileSync(join(dir, 'mixed.tcpdump-q.txt'), tcpdump(['-q', '-nn', '-r', join(dir, CAPTURES[0])]));

const out = join(dir, 'tcpdump-corpus.json');
writeFileSync(out, `${JSON.stringify({ recordedWith: version, captures: CAPTURES, expressions: entries }, null, 1)}\n`);
console.log(`${out}: ${entries.length} expressions`);
for (const e of entries) console.log(`${String(e.counts[CAPTURES[0]]).padStart(4)} ${String(e.counts[CAPTURES[1]]).padStart(4)}  ${e.expr}`);
