/**
 * `ebpf-wasm compile-filter`: the listing of `tcpdump -d`, the -dd and -ddd forms that
 * `filter --dd` reads back, the eBPF the engines run, and one error line with the column.
 */
import { describe, expect, it } from 'vitest';
import { compileFilterCbpf, formatCbpfDd, formatCbpfDdd, parseCbpf } from '../src/index.js';
import { expectOneErrorLine } from './support/cli.js';
import { node, REPO } from './support/spawn.js';

const cli = (...args: string[]) => node('src/cli/main.js', args, { cwd: REPO });

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

  it('prints the eBPF program with --ebpf', () => {
    const r = cli('compile-filter', '--ebpf', 'ip');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ldabsh 12');
    expect(r.stdout).toContain('exit');
  });

  it('says what it cannot compile, with the column', () => {
    expectOneErrorLine(cli('compile-filter', 'tcp port 80 and'), /'and' needs an expression after it at column 13 \(SYNTAX\)/);
    expectOneErrorLine(cli('compile-filter', 'host example.com'), /host name 'example\.com'.* at column 6 \(UNSUPPORTED\)/);
    expectOneErrorLine(cli('compile-filter'), /expected an expression/);
    expectOneErrorLine(cli('compile-filter', '--dd', '--ebpf', 'ip'), /--dd and --ebpf exclude each other/);
  });
});
