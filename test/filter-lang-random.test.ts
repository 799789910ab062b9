/**
 * Random expressions over the grammar (a seeded generator: the same cases every run) keep
 * their verdicts through the optimiser on every packet of the captures, whole and cut to
 * 64 bytes (where loads fail and end the program), and every program passes the kernel's
 * checks. The reference is test/support/cbpf-reference.ts, an independent interpreter.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFilterCbpf, parseCapture, validateCbpf } from '../src/index.js';
import { runReference } from './support/cbpf-reference.js';
import { seededRandom } from './support/seeded-random.js';

const packets = ['mixed.pcap', 'snap64.pcap'].flatMap((f) =>
  [...parseCapture(readFileSync(new URL(`./fixtures/captures/${f}`, import.meta.url)))].map((p) => p.data));

const ATOMS = [
  'ip', 'ip6', 'arp', 'tcp', 'udp', 'icmp', 'icmp6', 'vlan', 'vlan 100', 'ether broadcast', 'multicast', 'ip multicast',
  'host 10.0.0.1', 'src net 10.0.0.0/24', 'dst host 192.168.1.1', 'ip6 net 2001:db8::/32', 'ether src 02:00:00:00:00:02',
  'port 80', 'tcp port 443', 'udp port 53', 'portrange 1000-2000', 'src port 1024', 'ip proto 47', 'proto \\udp',
  'tcp[tcpflags] & tcp-syn != 0', 'ip[8] < 64', 'udp[8:2] > 0x8000', 'ip[2:2] / 4 > 30', 'tcp[13] = 0x12',
  'icmp[icmptype] = icmp-echo', 'less 80', 'greater 200', 'ip[100] = 0', 'ip6[40] = 128', 'ether[0] & 1 = 1',
  'arp[7] = 2', 'ip[ip[0] & 0xf] != 0', 'len - 14 > ip[2:2]',
];

function expression(r: () => number, depth: number): string {
  const x = r();
  if (depth === 0 || x < 0.3) return ATOMS[Math.floor(r() * ATOMS.length)];
  if (x < 0.4) return `not ${expression(r, depth - 1)}`;
  const op = r() < 0.5 ? 'and' : 'or';
  const e = `${expression(r, depth - 1)} ${op} ${expression(r, depth - 1)}`;
  return r() < 0.5 ? `(${e})` : e;
}

describe('random expressions', () => {
  it('give the same verdict on every packet optimised and not, and pass the kernel\'s checks', () => {
    const r = seededRandom(13);
    let compared = 0;
    for (let n = 0; n < 250; n++) {
      const expr = expression(r, 4);
      const optimised = compileFilterCbpf(expr);
      const plain = compileFilterCbpf(expr, { optimize: false });
      expect(() => validateCbpf(optimised), expr).not.toThrow();
      for (const p of packets) {
        expect(runReference(optimised, p), `${expr} on a ${p.length}-byte packet`).toBe(runReference(plain, p));
        compared++;
      }
    }
    expect(compared).toBe(250 * 800);
  });
});
