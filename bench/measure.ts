import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jit, memoryAccess } from '../src/index.js';
import type { ColdCompileReport } from './cold-compile.js';
import { interpreterEngine, jitEngine, loadProgram, makeRuntime, prepare, type PreparedRun } from './engines.js';
import { buildNative, runNative, type NativeCompiler } from './native.js';
import type { BenchProgram } from './suite.js';
import { ResultMismatch, timeCall, timePerRun, type TimingOptions } from './timing.js';
import { settle, withOptimizingCompiler } from './v8-tiers.js';

/** Everything measured for one program. Undefined timings were not measured (see `mismatches`). */
export interface ProgramMeasurement {
  readonly program: BenchProgram;
  readonly expected: bigint;
  nativeNs?: number;
  jitNs?: number;
  /** Per-packet programs: the copying `prog(mem)` path. */
  jitCopyNs?: number;
  interpNs?: number;
  /** Whether the interpreter was timed through a zero-copy path or `prog(mem)`. */
  /** One report per fresh child process. */
  readonly cold: ColdCompileReport[];
  warmCompileMs?: number;
  /** Memory accesses the JIT compiled with a run-time check, of all the program's accesses. */
  checkedAccesses?: { checked: number; total: number };
  /** Wrong results, by engine; any entry fails the bench. */
  readonly mismatches: string[];
}

export interface Settings {
  /**
   * Native and JIT are timed alternately this many times; each round gives a median,
   * and the fastest round is reported. Outside disturbances only ever add time, and on
   * this shared VM they were large and long: one native round of log2_sum took 35x its
   * usual time (a median over 110 ms of samples), with this process idle.
   */
  readonly rounds: number;
  readonly native: { readonly samples: number; readonly sampleMs: number };
  readonly jit: TimingOptions;
  readonly interp: TimingOptions;
  readonly compile: { readonly timeMs: number; readonly minSamples: number };
  /** Fresh processes for the cold compile time (median reported). */
  readonly coldProcesses: number;
  /** Print every round's figures to stderr. */
  verbose?: boolean;
}

export const FULL_SETTINGS: Settings = {
  rounds: 5,
  native: { samples: 9, sampleMs: 10 },
  jit: { timeMs: 250, minSamples: 20, warmupMs: 50, sampleNs: 100_000 },
  interp: { timeMs: 600, minSamples: 5, warmupMs: 100, sampleNs: 1_000_000 },
  compile: { timeMs: 500, minSamples: 10 },
  coldProcesses: 3,
};

export const QUICK_SETTINGS: Settings = {
  rounds: 1,
  native: { samples: 7, sampleMs: 5 },
  jit: { timeMs: 200, minSamples: 10, warmupMs: 50, sampleNs: 100_000 },
  interp: { timeMs: 150, minSamples: 3, warmupMs: 30, sampleNs: 1_000_000 },
  compile: { timeMs: 150, minSamples: 5 },
  coldProcesses: 1,
};

const coldCompileScript = join(fileURLToPath(new URL('.', import.meta.url)), 'cold-compile.js');

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Time `run`; a wrong result is recorded instead of a time. */
function timedOrMismatch(m: ProgramMeasurement, label: string, run: () => bigint, options: TimingOptions): number | undefined {
  try {
    return timePerRun(label, run, m.expected, options);
  } catch (e) {
    if (!(e instanceof ResultMismatch)) throw e;
    m.mismatches.push(e.message);
    return undefined;
  }
}

/**
 * jit() every program a few times and let V8 finish optimising binaryen in the
 * background, so that "warm" compile times and everything after are steady-state.
 */
export async function warmUp(programs: readonly BenchProgram[], rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const program of programs) jit(loadProgram(program), { runtime: makeRuntime(program) });
  }
  await settle();
}

/** Native and JIT side by side, alternating for `settings.rounds` rounds; the fastest round counts. */
async function measureNativeAndJit(m: ProgramMeasurement, input: Uint8Array, settings: Settings, native: { exe: string; inputFile: string } | undefined): Promise<void> {
  const name = m.program.name;
  const jitted: PreparedRun = withOptimizingCompiler(() => prepare(jitEngine, m.program, input));
  const nativeRounds: number[] = [];
  const jitRounds: number[] = [];
  for (let round = 0; round < settings.rounds && m.mismatches.length === 0; round++) {
    if (native) {
      await settle();
      const result = runNative(native.exe, input, native.inputFile, settings.native.samples, settings.native.sampleMs);
      if (result.result !== m.expected) m.mismatches.push(`native: got ${result.result}, expected ${m.expected}`);
      else nativeRounds.push(result.nsPerRun);
    }
    await settle();
    const ns = timedOrMismatch(m, `${name} jit`, jitted.run, settings.jit);
    if (ns !== undefined) jitRounds.push(ns);
    if (settings.verbose) process.stderr.write(`  ${name} round ${round + 1}: native ${nativeRounds.at(-1)?.toFixed(1)} ns, jit ${ns?.toFixed(1)} ns\n`);
  }
  if (nativeRounds.length > 0) m.nativeNs = Math.min(...nativeRounds);
  if (jitRounds.length > 0) m.jitNs = Math.min(...jitRounds);
  if (m.program.perPacket && m.jitNs !== undefined) {
    const prog = jitted.prog;
    const packet = input.slice();
    await settle();
    m.jitCopyNs = timedOrMismatch(m, `${name} jit prog(mem)`, () => prog(packet), settings.jit);
  }
}

function coldCompile(m: ProgramMeasurement): void {
  const child = spawnSync(process.execPath, [coldCompileScript, m.program.name], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`cold compile of ${m.program.name} failed: ${child.stderr}`);
  const report = JSON.parse(child.stdout.trim()) as ColdCompileReport;
  if (!report.ok) m.mismatches.push('jit (cold child): wrong result');
  m.cold.push(report);
}

export async function measureProgram(program: BenchProgram, settings: Settings, compiler: NativeCompiler | undefined, inputFile: string): Promise<ProgramMeasurement> {
  const input = program.benchInput();
  const m: ProgramMeasurement = { program, expected: program.expected(input), cold: [], mismatches: [] };

  const native = compiler ? { exe: buildNative(compiler, program), inputFile } : undefined;
  await measureNativeAndJit(m, input, settings, native);

  await settle();
  const interpreted = prepare(interpreterEngine, program, input);
  m.interpNs = timedOrMismatch(m, `${program.name} interp`, interpreted.run, settings.interp);

  // Warm compile: repeated jit() in this process, into one shared runtime (as a service
  // compiling many programs would), with V8's default flags and binaryen warmed up.
  const bytes = loadProgram(program);
  const runtime = makeRuntime(program);
  await settle();
  m.warmCompileMs = timeCall(`${program.name} jit()`, () => { jit(bytes, { runtime }); }, settings.compile);
  const compiled = jit(bytes, { runtime });
  const total = compiled.insns.filter((i) => memoryAccess(i) !== undefined).length;
  m.checkedAccesses = { checked: compiled.checkedAccesses.length, total };

  for (let i = 0; i < settings.coldProcesses; i++) coldCompile(m);
  return m;
}
