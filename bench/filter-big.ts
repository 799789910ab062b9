/**
 * node dist/bench/filter-big.js [--capture /tmp/big.pcap] [--rounds 3] [--workers n]
 *
 * `ebpf-wasm filter <expr> big.pcap --count` against `tcpdump -r big.pcap -w /dev/null
 * <expr>` end to end on a capture of a gigabyte or more (made by
 * scripts/captures/big-pcap.mjs when missing; it is not checked in), side by side for a few
 * expressions: each command's wall and CPU time (user + system, from /usr/bin/time when
 * it is there), the same command on a one-packet capture (its start-up), and the
 * difference (the filtering). The file is read once first, so both read it from the page
 * cache. Match counts are checked against `tcpdump --count`. Medians of `--rounds` runs.
 * `--workers n` adds the library's PacketArena.readPcap + countArena({ workers: n }) in
 * this process (filtering only).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { closeFilterWorkers, compileFilter, PacketArena, scanPcapFile } from '../src/index.js';
import { median } from './measure.js';
import { repoRoot } from './paths.js';

const { values: args } = parseArgs({
  options: { capture: { type: 'string', default: '/tmp/big.pcap' }, rounds: { type: 'string', default: '3' }, workers: { type: 'string' } },
});
const capture = args.capture!;
const rounds = Number(args.rounds);
const EXPRESSIONS = ['tcp port 80', 'udp', 'ip host 10.0.0.1 and tcp', 'ip6 or arp', 'tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn'];

if (!existsSync(capture)) {
  const made = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'captures', 'big-pcap.mjs'), capture, '1100'], { stdio: 'inherit' });
  if (made.status !== 0) process.exit(1);
}
const timeTool = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cli = join(repoRoot, 'dist', 'pkg', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'ebpf-wasm-filter-big-'));
// A one-packet capture: its first packet, the file header and one record.
const head = readFileSync(capture).subarray(0, 24 + 16 + new DataView(readFileSync(capture).buffer).getUint32(24 + 8, true));
const tiny = join(dir, 'tiny.pcap');
writeFileSync(tiny, head);

interface Run { wall: number; cpu: number | undefined; stdout: string }

function run(command: string, argv: string[]): Run {
  const full = timeTool ? [timeTool, ['-f', 'CPU %U %S', command, ...argv]] as const : [command, argv] as const;
  const start = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { wall, cpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined, stdout: r.stdout };
}

function medianRun(command: string, argv: string[]): Run {
  const runs = Array.from({ length: rounds }, () => run(command, argv));
  const cpus = runs.map((r) => r.cpu).filter((c): c is number => c !== undefined);
  return { wall: median(runs.map((r) => r.wall)), cpu: cpus.length ? median(cpus) : undefined, stdout: runs[0].stdout };
}

const s = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));
try {
  const size = statSync(capture).size;
  spawnSync('cat', [capture], { stdio: ['ignore', 'ignore', 'inherit'] }); // into the page cache
  const tcpdumpCount = (expr: string) => Number(/(\d+) packets/.exec(spawnSync('tcpdump', ['--count', '-r', capture, expr], { encoding: 'utf8' }).stdout)?.[1]);
  console.log(`capture: ${capture}, ${(size / 1e6).toFixed(0)} MB; ${rounds} rounds, medians; seconds (wall / CPU user+system)`);
  console.log(`${'expression'.padEnd(44)} ${'matches'.padStart(8)}  ${['tcpdump', 'ours', 'start: tcpdump', 'start: ours', 'filter: tcpdump', 'filter: ours'].map((h) => h.padEnd(16)).join('')}tcpdump/ours: whole, filtering`);
  for (const expr of EXPRESSIONS) {
    const expected = tcpdumpCount(expr);
    const td = medianRun('tcpdump', ['-r', capture, '-w', '/dev/null', expr]);
    const ours = medianRun(process.execPath, [cli, 'filter', expr, capture, '--count']);
    const tdStart = medianRun('tcpdump', ['-r', tiny, '-w', '/dev/null', expr]);
    const oursStart = medianRun(process.execPath, [cli, 'filter', expr, tiny, '--count']);
    const got = Number(ours.stdout.trim());
    if (got !== expected) throw new Error(`${expr}: ebpf-wasm counts ${got}, tcpdump ${expected}`);
    const both = (r: Run) => `${s(r.wall)} / ${s(r.cpu)}`.padEnd(16);
    const minus = (a: Run, b: Run): Run => ({ wall: a.wall - b.wall, cpu: a.cpu !== undefined && b.cpu !== undefined ? a.cpu - b.cpu : undefined, stdout: '' });
    const tdFilter = minus(td, tdStart);
    const oursFilter = minus(ours, oursStart);
    const ratios = (a: Run, b: Run) => `${(a.wall / b.wall).toFixed(2)}x${a.cpu !== undefined && b.cpu !== undefined ? ` (CPU ${(a.cpu / b.cpu).toFixed(2)}x)` : ''}`;
    console.log(`${expr.padEnd(44)} ${String(got).padStart(8)}  ${[td, ours, tdStart, oursStart, tdFilter, oursFilter].map(both).join('')}${ratios(td, ours)}, ${ratios(tdFilter, oursFilter)}`);
  }
  // In this process: the file scan alone, and the arena with workers.
  const filter = compileFilter(EXPRESSIONS[0]);
  const times = (fn: () => unknown) => median(Array.from({ length: rounds }, () => { const t = process.hrtime.bigint(); fn(); return Number(process.hrtime.bigint() - t) / 1e9; }));
  console.log(`\nin process, '${EXPRESSIONS[0]}': scanPcapFile ${s(times(() => scanPcapFile(filter, capture)))} s`);
  if (args.workers !== undefined) {
    const t0 = process.hrtime.bigint();
    const arena = PacketArena.readPcap(capture, { shared: true });
    console.log(`PacketArena.readPcap (shared): ${s(Number(process.hrtime.bigint() - t0) / 1e9)} s, ${arena.count} packets`);
    const one = filter.countArena(arena);
    console.log(`countArena: ${s(times(() => filter.countArena(arena)))} s (${one} matches)`);
    for (let n = 1; n <= Number(args.workers); n++) {
      const samples: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const t = process.hrtime.bigint();
        const got = await filter.countArena(arena, { workers: n });
        samples.push(Number(process.hrtime.bigint() - t) / 1e9);
        if (got !== one) throw new Error(`${n} workers: ${got} matches, one thread ${one}`);
      }
      console.log(`countArena({ workers: ${n} }): ${s(median(samples))} s`);
    }
    await closeFilterWorkers();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
