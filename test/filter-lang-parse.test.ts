/**
 * The filter language's front end: tokens carry their columns; the parser groups and/or
 * left to right at one precedence and lets a bare value inherit the qualifiers before it,
 * as libpcap does; everything it cannot compile is a FilterError naming the construct and
 * its column. Programs too long for 8-bit jumps go through `ja`, and the optimiser never
 * changes a verdict (programs run in test/support/cbpf-reference.ts, the independent interpreter).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFilterCbpf, FilterError, parseCapture, parseFilter, tokenize, validateCbpf, type Expr } from '../src/index.js';
import { runReference } from './support/cbpf-reference.js';

const mixed = [...parseCapture(readFileSync(new URL('./fixtures/captures/mixed.pcap', import.meta.url)))].map((p) => p.data);
const corpus = JSON.parse(readFileSync(new URL('./fixtures/captures/tcpdump-corpus.json', import.meta.url), 'utf8')) as {
  expressions: { expr: string; counts: Record<string, number> }[];
};
const count = (expr: string) => mixed.filter((p) => runReference(compileFilterCbpf(expr), p) !== 0).length;

/** The tree without columns, for comparing shapes. */
function shape(e: Expr): unknown {
  return JSON.parse(JSON.stringify(e, (k, v) => (k === 'column' ? undefined : v)));
}

describe('tokens', () => {
  it('carry 1-based columns and take addresses, names with dashes and escaped names whole', () => {
    const t = tokenize('tcp[tcpflags] & tcp-syn != 0 or host 2001:db8::1 or ether src 02:00:00:00:00:01 or \\udp');
    expect(t.map((x) => [x.kind, x.text, x.column])).toEqual([
      ['word', 'tcp', 1], ['punct', '[', 4], ['word', 'tcpflags', 5], ['punct', ']', 13], ['punct', '&', 15],
      ['word', 'tcp-syn', 17], ['punct', '!=', 25], ['num', '0', 28], ['word', 'or', 30], ['word', 'host', 33],
      ['ipv6', '2001:db8::1', 38], ['word', 'or', 50], ['word', 'ether', 53], ['word', 'src', 59],
      ['mac', '02:00:00:00:00:01', 63], ['word', 'or', 81], ['word', 'udp', 84], ['end', '', 88],
    ]);
    expect(t.find((x) => x.text === 'udp')?.escaped).toBe(true);
    expect(tokenize('tcp[2:2] 0x1F 017 10.0.0.0/24').map((x) => x.value ?? x.text))
      .toEqual(['tcp', '[', 2, ':', 2, ']', 31, 15, '10.0.0.0', '/', 24, '']);
  });
});

describe('the grammar', () => {
  it('groups and/or left to right at the same precedence, not tighter', () => {
    expect(shape(parseFilter('ip or ip6 and tcp'))).toEqual(shape(parseFilter('(ip or ip6) and tcp')));
    expect(shape(parseFilter('tcp and udp or arp'))).toEqual(shape(parseFilter('(tcp and udp) or arp')));
    expect(shape(parseFilter('not ip and arp'))).toEqual(shape(parseFilter('(not ip) and arp')));
    expect(shape(parseFilter('!arp && !ip6 || tcp'))).toEqual(shape(parseFilter('(not arp and not ip6) or tcp')));
    // Not C's precedence: 'ip or ip6 and tcp' keeps IPv4 packets that are not TCP out.
    expect(count('ip or ip6 and tcp')).toBe(count('tcp'));
    expect(count('ip or ip6 and tcp')).not.toBe(count('ip or (ip6 and tcp)'));
  });

  it('gives a bare value the qualifiers of the primitive before it', () => {
    expect(shape(parseFilter('host 10.0.0.1 or 10.0.0.2'))).toEqual(shape(parseFilter('host 10.0.0.1 or host 10.0.0.2')));
    expect(shape(parseFilter('tcp src port 80 or 443'))).toEqual(shape(parseFilter('tcp src port 80 or tcp src port 443')));
    expect(shape(parseFilter('host 10.0.0.1 and not 10.0.0.2'))).toEqual(shape(parseFilter('host 10.0.0.1 and not host 10.0.0.2')));
    expect(shape(parseFilter('ether src 02:00:00:00:00:02 or (02:00:00:00:00:03)')))
      .toEqual(shape(parseFilter('ether src 02:00:00:00:00:02 or ether src 02:00:00:00:00:03')));
    expect(shape(parseFilter('src 10.0.0.2'))).toEqual(shape(parseFilter('src host 10.0.0.2')));
  });

  it('parses arithmetic with C-like binding inside a comparison, and a parenthesis either way', () => {
    expect(shape(parseFilter('ip[0] & 0xf << 2 > 20'))).toEqual(shape(parseFilter('(ip[0] & (0xf << 2)) > 20')));
    expect(shape(parseFilter('1 + 2 * 3 = len'))).toEqual(shape(parseFilter('(1 + (2 * 3)) = len')));
    const rel = parseFilter('(ip[2:2] >> 2) & 1 = 1');
    expect(rel.kind).toBe('relation');
    expect(parseFilter('(tcp or udp) and ip').kind).toBe('and');
  });

  it('reads less/greater as comparisons of len, and vlan with or without an id', () => {
    expect(shape(parseFilter('less 80'))).toEqual(shape(parseFilter('len <= 80')));
    expect(shape(parseFilter('greater 80'))).toEqual(shape(parseFilter('len >= 80')));
    expect(shape(parseFilter('vlan 100 and vlan'))).toEqual({
      kind: 'and', left: { kind: 'vlan', id: 100 }, right: { kind: 'vlan' },
    });
  });
});

describe('errors', () => {
  const cases: [string, string, number, RegExp][] = [
    ['', 'SYNTAX', 1, /empty filter expression/],
    ['tcp prot 80', 'SYNTAX', 5, /unknown word 'prot'/],
    ['10.0.0.1', 'SYNTAX', 1, /needs a qualifier before it/],
    ['tcp or 80', 'SYNTAX', 10, /expected a comparison .* found the end/],
    ['ip and', 'SYNTAX', 4, /'and' needs an expression after it/],
    ['(tcp or udp', 'SYNTAX', 12, /expected '\)'/],
    ['ip[1 = 2', 'SYNTAX', 6, /expected '\]'/],
    ['ip $ 2', 'SYNTAX', 4, /unexpected character '\$'/],
    ['tcp udp', 'SYNTAX', 5, /pcap needs 'and' between primitives/],
    ['host example.com', 'UNSUPPORTED', 6, /host name 'example\.com': names are not resolved/],
    ['ip6 protochain 6', 'UNSUPPORTED', 5, /'protochain' is not supported/],
    ['gateway 10.0.0.1', 'UNSUPPORTED', 1, /'gateway' is not supported/],
    ['tcp and inbound', 'UNSUPPORTED', 9, /'inbound' is not supported/],
    ['llc', 'UNSUPPORTED', 1, /'llc'/],
    ['ether proto 100', 'UNSUPPORTED', 13, /802\.3 lengths/],
    ['ip and vlan[0] = 1', 'UNSUPPORTED', 8, /'vlan\[\.\.\.\]' loads/],
    ['tcp host 10.0.0.1', 'VALUE', 10, /'tcp' does not go with the address/],
    ['ip6 host 10.0.0.1', 'VALUE', 10, /'ip6' does not go with/],
    ['arp port 80', 'VALUE', 1, /ports belong to tcp, udp and sctp/],
    ['ip6 broadcast', 'VALUE', 1, /'ip6 broadcast' is not valid/],
    ['net 10.0.0.1/24', 'VALUE', 5, /non-network bits set/],
    ['net 10.0.0.0/33', 'VALUE', 14, /prefix length 33 is over 32/],
    ['port 70000', 'VALUE', 6, /port 70000 is over 65535/],
    ['port nosuchservice', 'VALUE', 6, /unknown port 'nosuchservice'/],
    ['ip proto 300', 'VALUE', 10, /protocol 300 is over 255/],
    ['vlan 5000', 'VALUE', 6, /VLAN id 5000 is over 4095/],
    ['ip[0:3] = 1', 'VALUE', 6, /load size 3 is not 1, 2 or 4/],
    ['ip[0] / 0 = 1', 'VALUE', 7, /division by zero/],
    ['ip[0] % (2 - 2) = 1', 'VALUE', 7, /modulus by zero/],
    ['ip[0] << 32 = 1', 'VALUE', 7, /shift by 32/],
    ['ip[0] = 0x100000000', 'VALUE', 9, /does not fit 32 bits/],
    ['host 300.0.0.1', 'VALUE', 6, /not an IPv4 address/],
    ['host 1:2:3::4::5', 'VALUE', 6, /not an IPv6 address/],
  ];
  it.each(cases)('%j is a %s error at column %i', (expr, code, column, message) => {
    let error: unknown;
    try {
      compileFilterCbpf(expr);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FilterError);
    const f = error as FilterError;
    expect([f.code, f.column]).toEqual([code, column]);
    expect(f.message).toMatch(message);
    expect(f.message).toMatch(new RegExp(`at column ${column}$`));
  });

  it('refuses arithmetic deeper than the 16 scratch cells', () => {
    // The right operand waits in M[depth] while the left is computed: left-nested operations take a cell each.
    const nested = (n: number) => `${'('.repeat(n)}ip[0]${' + ip[1])'.repeat(n)} = 0`;
    expect(() => compileFilterCbpf(nested(17))).toThrow(/nested too deeply/);
    const prog = compileFilterCbpf(nested(15));
    expect(() => validateCbpf(prog)).not.toThrow();
    const ip = mixed.find((p) => p[12] === 8 && p[13] === 0)!;
    expect(runReference(prog, ip)).toBe(((ip[14] + 15 * ip[15]) >>> 0) === 0 ? 262144 : 0);
    expect(runReference(compileFilterCbpf(`${'('.repeat(15)}ip[0]${' + ip[1])'.repeat(15)} = ${ip[14] + 15 * ip[15]}`), ip)).toBe(262144);
  });
});

describe('code generation', () => {
  it('routes jumps longer than 255 instructions through ja, and keeps the verdicts', () => {
    const hosts = Array.from({ length: 60 }, (_, i) => `10.0.${i >> 4}.${(i & 15) + 1}`);
    const expr = `(host ${hosts.join(' or ')}) and tcp`;
    const prog = compileFilterCbpf(expr);
    expect(prog.length).toBeGreaterThan(300);
    expect(prog.some((i) => i.code === 0x05)).toBe(true);
    expect(() => validateCbpf(prog)).not.toThrow();
    const ip = (p: Uint8Array, at: number) => `${p[at]}.${p[at + 1]}.${p[at + 2]}.${p[at + 3]}`;
    const expected = mixed.filter((p) => {
      if (p[12] !== 8 || p[13] !== 0) return false;
      return p[23] === 6 && (hosts.includes(ip(p, 26)) || hosts.includes(ip(p, 30)));
    }).length;
    expect(count(expr)).toBe(expected);
    expect(expected).toBeGreaterThan(0);
  });

  it('gives the same verdicts optimised and not, for every expression of the corpus', () => {
    for (const { expr } of corpus.expressions.filter((e) => !e.expr.includes('protochain'))) {
      const plain = compileFilterCbpf(expr, { optimize: false });
      const optimised = compileFilterCbpf(expr);
      expect(optimised.length, expr).toBeLessThanOrEqual(plain.length);
      for (const p of mixed) expect(runReference(optimised, p), expr).toBe(runReference(plain, p));
    }
  });

  it('drops repeated loads and tests already decided', () => {
    const msh = (expr: string, optimize: boolean) => compileFilterCbpf(expr, { optimize }).filter((i) => i.code === 0xb1).length;
    expect([msh('tcp port 80', false), msh('tcp port 80', true)]).toEqual([2, 1]);
    expect(compileFilterCbpf('ip and ip and ip')).toEqual(compileFilterCbpf('ip'));
    // Both edges of the second test reject: only the load (which may end a short packet's run) and 'ret #0' stay.
    expect(compileFilterCbpf('ip and not ip').map((i) => [i.code, i.k])).toEqual([[0x28, 12], [0x06, 0]]);
    // udp's tests follow tcp's failures without reloading the EtherType or the protocol byte.
    const both = compileFilterCbpf('tcp or udp');
    expect(both.filter((i) => i.code === 0x28 && i.k === 12).length).toBe(1);
    expect(both.filter((i) => i.code === 0x30 && i.k === 23).length).toBe(1);
    expect(both.length).toBeLessThan(compileFilterCbpf('tcp or udp', { optimize: false }).length * 0.7);
    // After 'not ip and not ip6' the last 'ip' can only fail: every path rejects.
    expect(compileFilterCbpf('not ip and not ip6 and ip').filter((i) => i.code === 0x06).map((i) => i.k)).toEqual([0]);
  });
});
