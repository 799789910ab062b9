/**
 * Child process for the cold compile time: `node dist/bench/cold-compile.js <program>`.
 * Times, in a fresh process, loading the library (binaryen's start-up included) and the
 * first `jit()`, then checks one run's result. Prints one JSON line:
 *   {"loadMs": ..., "firstJitMs": ..., "ok": true}
 * Nothing from the library is imported statically, so the clock starts before binaryen.
 */
import { readFileSync } from 'node:fs';
import { registerHelpers } from './helpers.js';
import { programBinPath } from './paths.js';
import { programFile, SUITE } from './suite.js';

export interface ColdCompileReport {
  readonly loadMs: number;
  readonly firstJitMs: number;
  readonly ok: boolean;
}

const name = process.argv[2];
const program = SUITE.find((p) => p.name === name);
if (!program) {
  console.error(`cold-compile: unknown program ${name}`);
  process.exit(2);
}
const bytes = new Uint8Array(readFileSync(programBinPath(programFile(program))));
const input = program.benchInput();

const start = performance.now();
const lib = await import('../src/index.js');
const loaded = performance.now();
const prog = lib.jit(bytes, { runtime: new lib.Runtime({ helpers: registerHelpers(new lib.HelperRegistry(), program) }) });
const compiled = performance.now();

const report: ColdCompileReport = {
  loadMs: loaded - start,
  firstJitMs: compiled - loaded,
  ok: prog(input) === program.expected(input),
};
console.log(JSON.stringify(report));
