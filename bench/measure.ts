import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jit, Runtime } from '../src/index.js';
import type { ColdCompileReport } from './cold-compile.js';
import { interpreterEngine, jitEngine, loadProgram, makeRuntime, prepare } from './engines.js';
import { buildNative, runNative, type NativeCompiler } from './native.js';
import type { BenchProgram } from './suite.js';
import { ResultMismatch, timeCall, timePerRun, type TimingOptions } from './timing.js';

/** Everything measured for one program. Undefined timings were not measured (see `notes`). */
export interface ProgramMeasurement {
  readonly program: BenchProgram;
  readonly expected: bigint;
  nativeNs?: number;
  jitNs?: number;
  /** Per-packet programs: the copying `prog(mem)` path. */
  jitCopyNs?: number;
  interpNs?: number;
  /** Whether the interpreter was timed through a zero-copy path or `prog(mem)`. */
  interpZeroCopy?: boolean;
  cold?: ColdCompileReport;
  warmCompileMs?: number;
  /** Wrong results, by engine; any entry fails the bench. */
  readonly mismatches: string[];
}

export interface Settings {
  readonly native: { readonly samples: number; readonly sampleMs: number };
  readonly jit: TimingOptions;
  readonly interp: TimingOptions;
  readonly compile: { readonly timeMs: number; readonly minSamples: number };
}

export const FULL_SETTINGS: Settings = {
  native: { samples: 21, sampleMs: 10 },
  jit: { timeMs: 1000, minSamples: 20, warmupMs: 300, sampleNs: 100_000 },
  interp: { timeMs: 600, minSamples: 5, warmupMs: 100, sampleNs: 1_000_000 },
  compile: { timeMs: 500, minSamples: 10 },
};

export const QUICK_SETTINGS: Settings = {
  native: { samples: 7, sampleMs: 5 },
  jit: { timeMs: 200, minSamples: 10, warmupMs: 100, sampleNs: 100_000 },
  interp: { timeMs: 150, minSamples: 3, warmupMs: 30, sampleNs: 1_000_000 },
  compile: { timeMs: 150, minSamples: 5 },
};

const coldCompileScript = join(fileURLToPath(new URL('.', import.meta.url)), 'cold-compile.js');

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

function measureNative(m: ProgramMeasurement, compiler: NativeCompiler, input: Uint8Array, inputFile: string, settings: Settings): void {
  const exe = buildNative(compiler, m.program.name);
  const native = runNative(exe, input, inputFile, settings.native.samples, settings.native.sampleMs);
  if (native.result !== m.expected) m.mismatches.push(`native: got ${native.result}, expected ${m.expected}`);
  else m.nativeNs = native.nsPerRun;
}

function measureColdCompile(m: ProgramMeasurement): void {
  const child = spawnSync(process.execPath, [coldCompileScript, m.program.name], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`cold compile of ${m.program.name} failed: ${child.stderr}`);
  const report = JSON.parse(child.stdout.trim()) as ColdCompileReport;
  if (!report.ok) m.mismatches.push('jit (cold child): wrong result');
  m.cold = report;
}

export function measureProgram(program: BenchProgram, settings: Settings, compiler: NativeCompiler | undefined, inputFile: string): ProgramMeasurement {
  const input = program.benchInput();
  const m: ProgramMeasurement = { program, expected: program.expected(input), mismatches: [] };

  if (compiler) measureNative(m, compiler, input, inputFile, settings);

  const jitted = prepare(jitEngine, program, input);
  m.jitNs = timedOrMismatch(m, `${program.name} jit`, jitted.run, settings.jit);
  if (program.perPacket) {
    const prog = jitted.prog;
    const packet = input.slice();
    m.jitCopyNs = timedOrMismatch(m, `${program.name} jit prog(mem)`, () => prog(packet), settings.jit);
  }

  if (interpreterEngine) {
    const interpreted = prepare(interpreterEngine, program, input);
    m.interpZeroCopy = interpreted.zeroCopy;
    m.interpNs = timedOrMismatch(m, `${program.name} interp`, interpreted.run, settings.interp);
  }

  // Warm compile: repeated jit() in this process, into one shared runtime (as a service
  // compiling many programs would), binaryen already loaded.
  const bytes = loadProgram(program.name);
  const runtime: Runtime = makeRuntime(program);
  m.warmCompileMs = timeCall(`${program.name} jit()`, () => { jit(bytes, { runtime }); }, settings.compile);
  measureColdCompile(m);
  return m;
}
