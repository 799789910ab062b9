/**
 * npm run bench [-- --filter <name>] [-- --quick] [-- --verbose (each round's figures on stderr)]
 *
 * For each program in bench/suite.ts: check the result in every engine against an
 * independent TS computation, then time native C, the JIT and the interpreter side by
 * side in this one run, plus jit() compile time cold (fresh process) and warm.
 */
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatMs, formatNs, formatR0, formatRatio, geometricMean, renderTable } from './format.js';
import { FULL_SETTINGS, measureProgram, median, QUICK_SETTINGS, warmUp, type ProgramMeasurement } from './measure.js';
import { findCompiler } from './native.js';
import { SUITE } from './suite.js';

const { values: args } = parseArgs({
  options: { filter: { type: 'string' }, quick: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } },
});
const programs = SUITE.filter((p) => !args.filter || p.name.includes(args.filter));
if (programs.length === 0) {
  console.error(`bench: no program matches --filter ${args.filter}; programs: ${SUITE.map((p) => p.name).join(', ')}`);
  process.exit(2);
}
const settings = { ...(args.quick ? QUICK_SETTINGS : FULL_SETTINGS), verbose: args.verbose };
const compiler = findCompiler();

const cpu = cpus();
console.log('ebpf-wasm benchmark');
console.log(`machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, node ${process.version} (V8 ${process.versions.v8}), ${process.platform}/${process.arch}`);
console.log(`native:  ${compiler ? `${compiler.version} -O2 (bench/native/driver.c, built into bench/native/build/)` : 'NO C COMPILER FOUND (tried clang-14, clang, gcc, cc): native columns show n/a'}`);
console.log('interp:  the reference interpreter(), src/interp/interpreter.ts');
console.log(`figures: medians from one run; native and JIT alternate in ${settings.rounds} round(s), each giving a median,`);
console.log(`         and the fastest round is shown (noise on a shared machine only adds time)${args.quick ? '; --quick: fewer samples, noisier' : ''};`);
console.log('         each tinybench sample times a batch of runs (ns/run = sample / batch);');
console.log('         every run\'s r0 is checked inside the timed loop (and against an independent TS computation)');
console.log('JIT:     zero-copy path, prog.input(len) filled once, then prog.runInput(len) per run;');
console.log('         its Wasm compiled by V8\'s optimising tier up front (--no-liftoff around that compile): steady state');
console.log('');

const tempDir = mkdtempSync(join(tmpdir(), 'ebpf-wasm-bench-'));
const results: ProgramMeasurement[] = [];
try {
  process.stderr.write('warming up binaryen...\n');
  await warmUp(programs, args.quick ? 3 : 10);
  for (const program of programs) {
    process.stderr.write(`measuring ${program.name}...\n`);
    results.push(await measureProgram(program, settings, compiler, join(tempDir, `${program.name}.input`)));
  }
} finally {
  rmSync(tempDir, { recursive: true, force: true });
}

const WRONG = 'WRONG';
const time = (ns: number | undefined, unavailable: string, wrong: boolean) => (ns !== undefined ? formatNs(ns) : wrong ? WRONG : unavailable);
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? formatRatio(a / b) : '-');

const header = ['program', 'r0', 'native', 'JIT', 'interp', 'JIT/native', 'interp/JIT', 'checked', 'jit() cold', 'jit() warm'];
const rows = results.map((m) => {
  const wrong = m.mismatches.length > 0;
  return [
    m.program.name,
    wrong ? WRONG : formatR0(m.expected),
    time(m.nativeNs, 'n/a', wrong),
    time(m.jitNs, '-', wrong),
    time(m.interpNs, '-', wrong),
    ratio(m.jitNs, m.nativeNs),
    ratio(m.interpNs, m.jitNs),
    m.checkedAccesses ? `${m.checkedAccesses.checked}/${m.checkedAccesses.total}` : '-',
    m.cold.length > 0 ? formatMs(median(m.cold.map((c) => c.loadMs + c.firstJitMs))) : '-',
    m.warmCompileMs !== undefined ? formatMs(m.warmCompileMs) : '-',
  ];
});
console.log(renderTable(header, rows));
console.log('checked = memory accesses the JIT compiles with a run-time range check / all of them (what the verifier did not prove)');
console.log('');

// One row per program file for the means: the programs as written, or with each
// replaced by its variant (helper_loop_wasm: the same program, its helper in Wasm).
const originals = results.filter((m) => m.program.file === undefined);
const withVariants = originals.map((m) => results.find((v) => v.program.file === m.program.name) ?? m);
const printMean = (label: string, set: readonly ProgramMeasurement[], value: (m: ProgramMeasurement) => number | undefined) => {
  const ratios = set.map(value).filter((r): r is number => r !== undefined);
  if (ratios.length > 0) console.log(`geometric mean ${label} over ${ratios.length} programs: ${formatRatio(geometricMean(ratios))}`);
};
const jitVsNative = (m: ProgramMeasurement) => (m.jitNs !== undefined && m.nativeNs !== undefined ? m.jitNs / m.nativeNs : undefined);
printMean('JIT/native', originals, jitVsNative);
if (withVariants.some((m, i) => m !== originals[i])) printMean('JIT/native, helpers in Wasm,', withVariants, jitVsNative);
printMean('interp/JIT', originals, (m) => (m.jitNs !== undefined && m.interpNs !== undefined ? m.interpNs / m.jitNs : undefined));
for (const m of results) {
  if (m.jitCopyNs !== undefined && m.jitNs !== undefined) {
    console.log(`${m.program.name} through the copying prog(mem) path: ${formatNs(m.jitCopyNs)} per run (zero-copy runInput: ${formatNs(m.jitNs)})`);
  }
}
const colds = results.flatMap((m) => m.cold);
if (colds.length > 0) {
  console.log(`jit() cold = median over ${settings.coldProcesses} fresh node process(es) of loading the library + the first jit();`);
  console.log(`             of that, loading (binaryen start-up) took a median ${formatMs(median(colds.map((c) => c.loadMs)))}, the first jit() ${formatMs(median(colds.map((c) => c.firstJitMs)))}`);
}
console.log('jit() warm = median of repeated jit() in this process (binaryen compile + optimise + WebAssembly.Instance)');
console.log('');
console.log('programs:');
for (const m of results) console.log(`  ${m.program.name.padEnd(17)} ${m.program.summary}`);

const failures = results.flatMap((m) => m.mismatches.map((msg) => `  ${m.program.name}: ${msg}`));
if (failures.length > 0) {
  console.log(`\nWRONG RESULTS:\n${failures.join('\n')}`);
  process.exitCode = 1;
}
