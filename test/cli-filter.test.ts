/**
 * `ebpf-wasm filter`: expressions and tcpdump's programs (--dd) over the fixture captures give tcpdump's
 * counts (--count, from a file and from standard input), its one-line summaries for TCP,
 * UDP and ARP, the matching packets with -w, a time with --bench, and one error line for
 * what it cannot do.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCbpf, parseCapture } from '../src/index.js';
import { expectOneErrorLine, scratchDir } from './support/cli.js';
import { node, REPO, spawn } from './support/spawn.js';

const { dir, file } = scratchDir('ebpf-wasm-filter-');
const cli = (...args: string[]) => node('src/cli/main.js', args, { cwd: REPO });
const captures = join(REPO, 'test/fixtures/captures');
const mixed = join(captures, 'mixed.pcap');
const corpus = JSON.parse(readFileSync(join(captures, 'tcpdump-corpus.json'), 'utf8')) as {
  expressions: { expr: string; dd: string; ddd: string; counts: Record<string, number> }[];
};
const program = (expr: string) => corpus.expressions.find((e) => e.expr === expr)!;
const ddFile = (expr: string) => file(`${expr.replace(/\W+/g, '_')}.dd`, program(expr).dd);

describe('ebpf-wasm filter', () => {
  it('counts what tcpdump counted, in both engines, from files in either format and from standard input', () => {
    // Each run starts a process that loads Binaryen: a few runs, not the whole corpus (test/packet-batch.test.ts has that).
    const count = (expr: string) => `${program(expr).counts['mixed.pcap']}\n`;
    for (const engine of ['jit', 'interp']) {
      expect(cli('filter', '--dd', ddFile('tcp'), '--count', '--engine', engine, mixed)).toEqual({ status: 0, stdout: count('tcp'), stderr: '' });
    }
    expect(cli('filter', '--dd', ddFile('vlan and ip'), '--count', join(captures, 'mixed-be.pcapng')).stdout).toBe(count('vlan and ip'));
    const stdin = spawnSync(process.execPath, [join(REPO, 'dist/src/cli/main.js'), 'filter', '--dd', ddFile('greater 200'), '--count', '-'],
      { input: readFileSync(join(captures, 'mixed-be-ns.pcap')), encoding: 'utf8' });
    expect(stdin.stdout).toBe(count('greater 200'));
    expect(stdin.status).toBe(0);
    // An ancillary load (ld proto; ret a) runs as eBPF: the command loads the JIT for it alone.
    const ancillary = file('ancillary.dd', '{ 0x28, 0, 0, 0xfffff000 },\n{ 0x16, 0, 0, 0x00000000 },\n');
    const packets = `${[...parseCapture(readFileSync(mixed))].length}\n`;
    for (const engine of ['jit', 'interp']) expect(cli('filter', '--dd', ancillary, '--count', '--engine', engine, mixed).stdout).toBe(packets);
  }, 180_000);

  it('loads the JIT only for a classic filter with ancillary loads: not for --engine interp, nor for the straight-to-Wasm route', () => {
    // A loader hook that prints every module file the process loads: the JIT is dist/src/jit/*.
    const hook = file('hook.mjs', "import { writeSync } from 'node:fs';\n"
      + "export async function load(url, context, next) { writeSync(2, 'LOAD ' + url + '\\n'); return next(url, context); }\n");
    const jitFiles = (...args: string[]) => {
      const r = spawn(process.execPath, ['--no-warnings', '--experimental-loader', pathToFileURL(hook).href, join(REPO, 'dist/src/cli/main.js'), ...args]);
      expect(r.status).toBe(0);
      return r.stderr.split('\n').filter((l) => l.startsWith('LOAD file:') && l.includes('/dist/src/jit/')).length;
    };
    const tcp = ddFile('tcp');
    expect(jitFiles('filter', '--dd', tcp, '--count', '--engine', 'interp', mixed)).toBe(0);
    expect(jitFiles('filter', 'udp port 53', '--engine', 'interp', '--count', mixed)).toBe(0);
    expect(jitFiles('filter', '--dd', tcp, '--count', mixed)).toBe(0);
    // ld [protocol] (SKF_AD_OFF + SKF_AD_PROTOCOL) is ancillary: the eBPF translation, in the JIT.
    expect(jitFiles('filter', '--dd', file('proto.ddd', '2\n32 0 0 4294963200\n6 0 0 262144\n'), '--count', mixed)).toBeGreaterThan(0);
  }, 60_000);

  it('takes an expression, in one argument or as words, and counts what tcpdump counted', () => {
    const count = (expr: string) => `${program(expr).counts['mixed.pcap']}\n`;
    expect(cli('filter', 'port 80 or 443 or 53', '--count', mixed)).toEqual({ status: 0, stdout: count('port 80 or 443 or 53'), stderr: '' });
    expect(cli('filter', 'vlan', 'and', 'ip', '--count', mixed)).toEqual({ status: 0, stdout: count('vlan and ip'), stderr: '' });
    expect(cli('filter', 'vlan and ip', '--count', '--workers', '3', mixed)).toEqual({ status: 0, stdout: count('vlan and ip'), stderr: '' });
    expect(cli('filter', 'vlan and ip', '--count', '--workers', '0', mixed).stderr).toMatch(/--workers must be an integer from 1 to 256/);
    expect(cli('filter', 'udp port 53', '--engine', 'interp', '--count', mixed).stdout).toBe(count('udp port 53'));
    const lines = cli('filter', 'tcp', 'port', '443', mixed).stdout.trimEnd().split('\n');
    expect(lines.length).toBe(program('tcp port 443').counts['mixed.pcap']);
    expect(lines.every((l) => /\.443[ :]/.test(l))).toBe(true);
  });

  it('prints tcpdump -q -nn\'s line for TCP, UDP and ARP packets', () => {
    const all = file('all.ddd', '1\n6 0 0 262144\n');
    const ours = cli('filter', '--dd', all, mixed).stdout.trimEnd().split('\n');
    const theirs = readFileSync(join(captures, 'mixed.tcpdump-q.txt'), 'utf8').trimEnd().split('\n');
    expect(ours.length).toBe(400);
    // tcpdump prints IPv6 hop-by-hop headers its own way ("HBH 443 > 8080"); ICMP and GRE it decodes further.
    const comparable = theirs.map((t, i) => [t, ours[i]] as const)
      .filter(([t]) => /: (tcp \d+|UDP, length \d+)$| ARP, /.test(t) && !t.includes(' HBH '));
    expect(comparable.length).toBeGreaterThan(250);
    for (const [t, o] of comparable) expect(o).toBe(t);
  });

  it('writes the matching packets with -w, as pcap or pcapng', () => {
    const dd = ddFile('tcp port 443');
    const single = loadCbpf(program('tcp port 443').dd);
    const expected = [...parseCapture(readFileSync(mixed))].filter((p) => single(p.data) !== 0n);
    for (const name of ['out.pcap', 'out.pcapng']) {
      const out = join(dir, name);
      expect(cli('filter', '--dd', dd, mixed, '-w', out)).toEqual({ status: 0, stdout: '', stderr: '' });
      const written = [...parseCapture(readFileSync(out))];
      expect(written.map((p) => [...p.data])).toEqual(expected.map((p) => [...p.data]));
      expect(written.map((p) => p.timestampNs)).toEqual(expected.map((p) => p.timestampNs));
    }
  });

  it('times the filter with --bench', () => {
    const r = cli('filter', '--dd', ddFile('tcp'), '--bench', '--rounds', '3', mixed);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^400 packets, \d+ matches, engine jit\n[0-9.]+ ns\/packet\n$/);
    expect(r.stdout).toContain(`, ${program('tcp').counts['mixed.pcap']} matches`);
  });

  it('says what it cannot do, in one line', () => {
    expectOneErrorLine(cli('filter', 'tcp prot 80', mixed), /'tcp prot 80': filter error: unknown word 'prot' at column 5 \(SYNTAX\)/);
    expectOneErrorLine(cli('filter', 'ip protochain 6', mixed), /'protochain' is not supported .* at column 4 \(UNSUPPORTED\)/);
    expectOneErrorLine(cli('filter', mixed), /expected an expression and a capture file, or --dd <file>/);
    expectOneErrorLine(cli('filter', '--dd', ddFile('tcp'), 'tcp', mixed), /expected one capture file \(or '-'\) after --dd, got 2/);
    expectOneErrorLine(cli('filter', 'tcp', join(dir, 'missing.pcap')), /missing\.pcap: no such file/);
    expectOneErrorLine(cli('filter', '--dd', ddFile('tcp'), join(dir, 'missing.pcap')), /missing\.pcap: no such file/);
    expectOneErrorLine(cli('filter', '--dd', file('bad.ddd', '2\n6 0 0 0\n96 0 0 3\n'), mixed),
      /bad\.ddd: verifier error: .* at pc 1 \(CBPF_NO_RETURN\)/);
    expectOneErrorLine(cli('filter', '--dd', file('pc.dd', program('ip6 protochain 6').dd), mixed), /at pc 18 \(CBPF_JUMP_OUT_OF_RANGE\)/);
  });

  it('prints the packets before a cut, then the error with its offset', () => {
    const bytes = readFileSync(mixed);
    const packets = [...parseCapture(bytes)];
    const cut = file('cut.pcap', bytes.subarray(0, packets[10].offset + 20));
    const r = cli('filter', '--dd', file('all2.ddd', '1\n6 0 0 1\n'), cut);
    expect(r.status).toBe(1);
    expect(r.stdout.trimEnd().split('\n').length).toBe(10);
    expect(r.stderr).toMatch(new RegExp(`^error: .*cut\\.pcap: capture error: .* at byte offset ${packets[10].offset} \\(CAPTURE_TRUNCATED\\)\\n$`));
  });
});
