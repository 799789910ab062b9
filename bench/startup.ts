/**
 * Cold start, in new processes (README, "Start-up"): `node dist/bench/startup.js [runs]`.
 * Each case runs `runs` times (default 9), the cases interleaved so a burst of load from
 * elsewhere hits all of them alike; prints the minimum and the median of the wall time
 * and of the CPU time (user + system, from the kernel's accounting of waited-for
 * children: /proc/self/stat, 10 ms ticks). Needs `npm run build` (it runs dist/pkg).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's bundles: dist/pkg, or $STARTUP_PKG (another build's, for a before/after). */
const PKG = process.env.STARTUP_PKG ? `${process.env.STARTUP_PKG.replace(/\/$/, '')}/` : fileURLToPath(new URL('../pkg/', import.meta.url));
const TICK_MS = 10;

/** CPU time of this process's waited-for children so far, in ms (cutime + cstime). */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

const firstResult = (entry: string, engine: string) => `const { ${engine}, assemble } = await import(${JSON.stringify(PKG + entry)});
  if (${engine}(assemble('mov %r0, 42\\nexit'))() !== 42n) process.exit(1);`;

interface Case { readonly name: string; readonly args: readonly string[]; readonly env?: Record<string, string> }

function cases(dir: string, cacheDir: string): Case[] {
  const tiny = join(dir, 'tiny.s');
  writeFileSync(tiny, 'mov %r0, 42\nexit\n');
  const module = (code: string) => ['--input-type=module', '-e', code];
  const cached = { EBPF_WASM_COMPILE_CACHE: cacheDir };
  const uncached = { EBPF_WASM_COMPILE_CACHE: '0' };
  const background = `const { jitInBackground, assemble } = await import(${JSON.stringify(PKG + 'core.js')});
  const prog = jitInBackground(assemble('mov %r0, 42\\nexit'));
  if (prog() !== 42n) process.exit(1);`;
  return [
    { name: "node -e ''", args: ['-e', ''] },
    { name: "import('ebpf-wasm/core')", args: module(`await import(${JSON.stringify(PKG + 'core.js')});`) },
    { name: 'interpreter, first result (ebpf-wasm/core)', args: module(firstResult('core.js', 'interpreter')) },
    // jitInBackground: the interpreter's first result while the JIT loads (the process
    // ends there), and the time until the JIT answers.
    { name: 'jitInBackground, first result (ebpf-wasm/core)', args: module(`${background}\n  process.exit(0);`), env: cached },
    { name: 'jitInBackground, until the JIT answers', args: module(`${background}\n  await prog.ready;\n  if (prog.engine !== 'jit' || prog() !== 42n) process.exit(1);`), env: cached },
    { name: "import('ebpf-wasm'), no code cache", args: module(`await import(${JSON.stringify(PKG + 'index.js')});`), env: uncached },
    { name: "import('ebpf-wasm'), code cache", args: module(`await import(${JSON.stringify(PKG + 'index.js')});`), env: cached },
    { name: 'JIT, first result, no code cache', args: module(firstResult('index.js', 'jit')), env: uncached },
    { name: 'JIT, first result, code cache', args: module(firstResult('index.js', 'jit')), env: cached },
    { name: 'ebpf-wasm run tiny.s --engine interp', args: [PKG + 'cli.js', 'run', tiny, '--engine', 'interp'] },
    { name: 'ebpf-wasm run tiny.s (JIT), no code cache', args: [PKG + 'cli.js', 'run', tiny], env: uncached },
    { name: 'ebpf-wasm run tiny.s (JIT), code cache', args: [PKG + 'cli.js', 'run', tiny], env: cached },
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main(): void {
  const runs = Number(process.argv[2] ?? 9);
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-wasm-startup-'));
  const all = cases(dir, join(dir, 'cache'));
  const wall = all.map(() => [] as number[]);
  const cpu = all.map(() => [] as number[]);
  try {
    for (let run = -1; run < runs; run++) {    // run -1 warms the page cache and writes the code cache
      all.forEach((c, i) => {
        const cpu0 = childrenCpuMs();
        const t0 = performance.now();
        const result = spawnSync(process.execPath, c.args, { env: { ...process.env, ...c.env }, encoding: 'utf8' });
        const elapsed = performance.now() - t0;
        // A case this build cannot run (an older build without jitInBackground) is left out.
        if (result.status !== 0) {
          if (run < 0) console.error(`${c.name}: exit ${result.status}, left out\n${result.stderr.split('\n')[0]}`);
          return;
        }
        if (run < 0) return;
        wall[i].push(elapsed);
        cpu[i].push(childrenCpuMs() - cpu0);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const width = Math.max(...all.map((c) => c.name.length));
  console.log(`${'case'.padEnd(width)}  wall min / median   CPU min / median  (ms, ${runs} runs, load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
  all.forEach((c, i) => {
    if (wall[i].length === 0) return;
    const f = (values: number[]) => `${Math.round(Math.min(...values))} / ${Math.round(median(values))}`.padStart(11);
    console.log(`${c.name.padEnd(width)}  ${f(wall[i])}      ${f(cpu[i])}`);
  });
}

main();
