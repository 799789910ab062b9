/**
 * The examples (examples/*.mjs), run with the commands the README lists, in both
 * engines. What each prints is checked against what its seeded event stream implies,
 * recomputed here in plain JS from the same generators (examples/workload.mjs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { latencies, processExits, SYSCALLS, syscallEvents } from '../examples/workload.mjs';
import { REPO, spawn } from './support/spawn.js';

/** The `node examples/<name>.mjs` lines of the README's Examples section, by name. */
function readmeCommands(): Map<string, string> {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Examples'), readme.indexOf('\n## ', readme.indexOf('## Examples') + 1));
  return new Map([...section.matchAll(/^node (examples\/(\w+)\.mjs)\b/gm)].map((m) => [m[2], m[1]]));
}

const commands = readmeCommands();
const outputs = new Map<string, string>();

/** stdout of the README's command for `name` (with the JIT, the default), checked to match the interpreter's. */
function run(name: string): string[] {
  let stdout = outputs.get(name);
  if (stdout === undefined) {
    const script = commands.get(name);
    if (script === undefined) throw new Error(`the README lists no command for ${name}`);
    const jit = spawn(process.execPath, [script]);
    expect(jit.stderr).toBe('');
    expect(jit.status).toBe(0);
    const interp = spawn(process.execPath, [script, '--engine', 'interp']);
    expect(interp.stderr).toBe('');
    expect(interp.stdout).toBe(jit.stdout);
    stdout = jit.stdout;
    outputs.set(name, stdout);
  }
  return stdout.trimEnd().split('\n');
}

describe('examples', () => {
  it('the README lists one command for each', () => {
    expect([...commands.keys()]).toEqual(['hello', 'syscount', 'histogram', 'ringbuf', 'tailcall']);
  });

  it('hello prints its message three times and the run count from its global variable', () => {
    expect(run('hello')).toEqual([
      'bpf_trace_printk: Hello, eBPF from Wasm! run 1, number 7',
      'bpf_trace_printk: Hello, eBPF from Wasm! run 2, number 42',
      'bpf_trace_printk: Hello, eBPF from Wasm! run 3, number 1337',
      'runs, as the program counted them: 3',
    ]);
  });

  it('syscount prints the ten most frequent syscalls of its event stream, with their counts', () => {
    const [title, header, ...rows] = run('syscount');
    const events = Number(/^Traced (\d+) system calls; the top 10 of (\d+):$/.exec(title)?.[1]);
    const expected = new Map<number, number>();
    for (const { nr } of syscallEvents(events)) expected.set(nr, (expected.get(nr) ?? 0) + 1);
    const top = [...expected].sort(([nrA, a], [nrB, b]) => b - a || nrA - nrB).slice(0, 10);
    expect(title).toBe(`Traced ${events} system calls; the top 10 of ${expected.size}:`);
    expect(header.split(/\s+/)).toEqual(['SYSCALL', 'COUNT']);
    const name = (nr: number) => SYSCALLS.find((s) => s.nr === nr)?.name;
    expect(rows.map((row) => row.split(/\s+/))).toEqual(top.map(([nr, count]) => [name(nr), String(count)]));
  });

  it('histogram prints a log2 bar chart of its latencies', () => {
    const [title, header, ...rows] = run('histogram');
    const events = Number(/^(\d+) synthetic I\/O latencies, by log2 slot:$/.exec(title)?.[1]);
    expect(events).toBeGreaterThan(0);
    const slots = new Array<number>(27).fill(0);
    for (const usecs of latencies(events)) slots[Math.min(usecs < 2 ? 0 : 31 - Math.clz32(usecs), 26)]++;
    const last = slots.findLastIndex((n) => n > 0);
    const max = Math.max(...slots);
    expect(header).toBe('     usecs               : count    distribution');
    expect(rows).toHaveLength(last + 1);
    rows.forEach((row, i) => {
      const [, low, high, count, bar] = /^ +(\d+) -> (\d+) +: (\d+) +\|([* ]{40})\|$/.exec(row) ?? [];
      expect([Number(low), Number(high), Number(count)]).toEqual([i === 0 ? 0 : 2 ** i, 2 ** (i + 1) - 1, slots[i]]);
      expect(bar.trimEnd()).toBe('*'.repeat(Math.floor((slots[i] * 40) / max)));
    });
    expect(rows[0]).toMatch(/^ {9}0 -> 1 {10}: /);
    expect(rows[1]).toMatch(/^ {9}2 -> 3 {10}: /);
  });

  it('ringbuf prints the records its program submitted, in order, and counts the discarded ones', () => {
    const [header, ...rows] = run('ringbuf');
    const summary = rows.pop();
    const exits = [...processExits(40)];
    const reported = exits.filter((e) => e.exitCode !== 0 || e.exitNs - e.startNs >= 10_000_000n);
    expect(reported.length).toBeGreaterThan(5);
    expect(reported.length).toBeLessThan(exits.length); // some were discarded
    expect(header.trim().split(/\s+/)).toEqual(['TIME(s)', 'PID', 'PPID', 'COMM', 'EXIT', 'DURATION_MS']);
    expect(rows.map((row) => row.trim().split(/\s+/))).toEqual(reported.map((e) => [
      (Number(e.exitNs) / 1e9).toFixed(3), String(e.pid), String(e.ppid), e.comm, String(e.exitCode), (Number(e.exitNs - e.startNs) / 1e6).toFixed(1),
    ]));
    const discarded = exits.length - reported.length;
    expect(summary).toBe(`40 exits: ${reported.length} reported, ${discarded} discarded (exit code 0 and under 10 ms), 0 dropped (ring full)`);
  });

  it('tailcall shows which handler each packet reached, and the fall-through once a slot is emptied', () => {
    expect(run('tailcall')).toEqual([
      'packet: tcp (protocol 6)',
      'bpf_trace_printk: handle_tcp: port 51234 -> 443',
      '  verdict: pass',
      'packet: udp (protocol 17)',
      'bpf_trace_printk: handle_udp: port 40000 -> 53',
      '  verdict: pass',
      'packet: icmp (protocol 1)',
      'bpf_trace_printk: handle_icmp: type 0 code 0',
      '  verdict: pass',
      'packet: icmp (protocol 1)',
      'bpf_trace_printk: handle_icmp: type 8 code 0',
      '  verdict: drop',
      'packet: gre (protocol 47)',
      'bpf_trace_printk: dispatch: no handler for protocol 47, dropped',
      '  verdict: drop',
      'handlers.delete(17): no more UDP handler',
      'packet: udp (protocol 17)',
      'bpf_trace_printk: dispatch: no handler for protocol 17, dropped',
      '  verdict: drop',
    ]);
  });

  it('an unknown engine gets a usage line and status 2', () => {
    const { status, stdout, stderr } = spawn(process.execPath, ['examples/hello.mjs', '--engine', 'llvm']);
    expect(stdout).toBe('');
    expect(stderr).toBe('usage: node examples/hello.mjs [--engine jit|interp]\n');
    expect(status).toBe(2);
  });
});
