/**
 * `ebpf-wasm compile-filter`: the listing of `tcpdump -d`, the -dd and -ddd forms that
 * `filter --dd` reads back, the eBPF the engines run, and one error line with the column.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFilterCbpf, formatCbpfDd, formatCbpfDdd, parseCapture, parseCbpf } from '../src/index.js';
import { expectOneErrorLine, scratchDir } from './support/cli.js';
import { node, REPO } from './support/spawn.js';

const cli = (...args: string[]) => node('src/cli/main.js', args, { cwd: REPO });
const { file } = scratchDir('ebpf-wasm-compile-filter-');

/** A little-endian microsecond pcap of raw IP packets (LINKTYPE_RAW, 101). */
function rawPcap(packets: readonly Uint8Array[]): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  [0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101].forEach(u32);
  packets.forEach((p, i) => {
    [i, 0, p.length, p.length].forEach(u32);
    parts.push(...p);
  });
  return Uint8Array.from(parts);
}

describe('ebpf-wasm compile-filter', () => {
  it('prints the program as tcpdump -d does', () => {
    const r = cli('compile-filter', 'ip proto 47');
    expect(r).toEqual({
      status: 0, stderr: '',
      stdout: [
        '(000) ldh      [12]',
        '(001) jeq      #0x800           jt 2\tjf 5',
        '(002) ldb      [23]',
        '(003) jeq      #0x2f            jt 4\tjf 5',
        '(004) ret      #262144',
        '(005) ret      #0',
        '',
      ].join('\n'),
    });
  });

  it('takes the expression as words, and prints -dd and -ddd text that parses back to the program', () => {
    const prog = compileFilterCbpf('tcp[tcpflags] & tcp-syn != 0');
    const dd = cli('compile-filter', '--dd', 'tcp[tcpflags]', '&', 'tcp-syn', '!=', '0');
    expect(dd.stdout).toBe(formatCbpfDd(prog));
    expect(parseCbpf(dd.stdout)).toEqual(prog);
    expect(cli('compile-filter', '--ddd', 'tcp[tcpflags] & tcp-syn != 0').stdout).toBe(formatCbpfDdd(prog));
  });

  it('compiles for another link layer with --link', () => {
    expect(cli('compile-filter', '--link', 'raw', 'ip').stdout).toBe([
      '(000) ldb      [0]', '(001) and      #0xf0', '(002) jeq      #0x40            jt 3\tjf 4', '(003) ret      #262144', '(004) ret      #0', '',
    ].join('\n'));
    expect(cli('compile-filter', '--link', 'sll', 'arp').stdout).toContain('(000) ldh      [14]');
    expectOneErrorLine(cli('compile-filter', '--link', 'fddi', 'ip'), /unknown link 'fddi'/);
  });

  it('prints the eBPF program with --ebpf', () => {
    const r = cli('compile-filter', '--ebpf', 'ip');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ldabsh 12');
    expect(r.stdout).toContain('exit');
  });

  it('filter compiles an expression for the capture\'s link layer (raw IP here)', () => {
    const frames = [...parseCapture(readFileSync(`${REPO}/test/fixtures/captures/mixed.pcap`))].map((p) => p.data)
      .filter((f) => f[12] === 0x08 && f[13] === 0x00);
    const raw = file('raw.pcap', rawPcap(frames.map((f) => f.subarray(14))));
    const expected = frames.filter((f) => f[23] === 17).length;
    expect(expected).toBeGreaterThan(0);
    expect(cli('filter', 'ip proto 17', '--count', raw)).toEqual({ status: 0, stdout: `${expected}\n`, stderr: '' });
    expectOneErrorLine(cli('filter', 'ether broadcast', raw), /link-layer broadcast on a raw IP capture at column 1/);
  });

  it('says what it cannot compile, with the column', () => {
    expectOneErrorLine(cli('compile-filter', 'tcp port 80 and'), /'and' needs an expression after it at column 13 \(SYNTAX\)/);
    expectOneErrorLine(cli('compile-filter', 'host example.com'), /host name 'example\.com'.* at column 6 \(UNSUPPORTED\)/);
    expectOneErrorLine(cli('compile-filter'), /expected an expression/);
    expectOneErrorLine(cli('compile-filter', '--dd', '--ebpf', 'ip'), /--dd and --ebpf exclude each other/);
  });
});
