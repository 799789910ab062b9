import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeBuildDir, nativeDir, programSourcePath, programsDir } from './paths.js';
import { programFile, type BenchProgram } from './suite.js';

/**
 * Native references: each program's C compiled for this machine at -O2 and linked with
 * bench/native/driver.c (timing loop) and helpers.c (bench_add), built at bench time
 * into bench/native/build/. See driver.c for why the timed loop cannot be optimised away.
 */

/** clang first: the guide's anchors are clang -O2, and it is the compiler of the eBPF side. */
const COMPILER_CANDIDATES = ['clang-14', 'clang', 'gcc', 'cc'];

export interface NativeCompiler {
  readonly command: string;
  /** First line of `--version`, for the header. */
  readonly version: string;
}

export function findCompiler(): NativeCompiler | undefined {
  for (const command of COMPILER_CANDIDATES) {
    const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return { command, version: probe.stdout.split('\n')[0].trim() };
  }
  return undefined;
}

/** Compile the driver for `program`; returns the executable's path or throws with the compiler's output. */
export function buildNative(compiler: NativeCompiler, program: BenchProgram): string {
  mkdirSync(nativeBuildDir, { recursive: true });
  const name = programFile(program);
  const exe = join(nativeBuildDir, name);
  // Three translation units, no LTO: entry and bench_add stay opaque to the timing loop.
  const args = ['-O2', '-std=c11', '-I', programsDir, '-o', exe,
    join(nativeDir, 'driver.c'), join(nativeDir, 'helpers.c'), programSourcePath(name)];
  const result = spawnSync(compiler.command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`native build of ${name} failed:\n${result.stderr}`);
  return exe;
}

export interface NativeTiming {
  readonly result: bigint;
  readonly nsPerRun: number;
}

/** Run a built driver over `input` (written to `inputFile`) and parse what it prints. */
export function runNative(exe: string, input: Uint8Array, inputFile: string, samples: number, sampleMs: number): NativeTiming {
  writeFileSync(inputFile, input);
  const run = spawnSync(exe, [inputFile, String(samples), String(sampleMs)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`native driver ${exe} failed (status ${run.status}): ${run.stderr}`);
  const field = (key: string): string => {
    const line = run.stdout.split('\n').find((l) => l.startsWith(`${key} `));
    if (!line) throw new Error(`native driver ${exe} printed no ${key}:\n${run.stdout}`);
    return line.slice(key.length + 1).trim();
  };
  return { result: BigInt(field('result')), nsPerRun: Number(field('ns_per_run')) };
}
