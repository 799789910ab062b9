import type { Program } from '../../runtime/program.js';
import { CliError, inFile, parseCommandArgs, singleFile, type Command } from '../command.js';
import { countOption, engineOption, runtimeFor, typeOption } from '../engine-options.js';
import { importEngine } from '../import-engine.js';
import { loadProgramFile, readInputFile } from '../load-input.js';
import { RUN_FLAGS, RUN_FLAGS_HELP } from './run.js';

/**
 * Without --repeat, the timed runs go on for at least this long: a fixed 1000 runs of a
 * 5 ns program took 5 us, in which the timer reads and a loop V8 had not yet optimised
 * made it read as ~140 ns.
 */
const DEFAULT_MIN_TIME_MS = 500;
/** Most runs per warm-up batch (batches start at one run, so a slow program's warm-up ends on time). */
const MAX_WARMUP_BATCH = 1000;
/**
 * Untimed runs first, for this long by default: on Node 20 a tiny JIT-compiled program's
 * time per call drops about fourfold after roughly a second of calls, once V8 has
 * optimised the calling JS and the Wasm together.
 */
const DEFAULT_WARMUP_MS = 1000;

/**
 * One run over the input, through the zero-copy path of both engines: the input is placed
 * once and each run reads (and may modify) it in place, as `bpftool prog run ... repeat N` does.
 */
function runner(prog: Program, mem: Uint8Array): () => bigint {
  prog.input(mem.length).set(mem);
  const runInput = prog.runInput;
  return () => runInput(mem.length);
}

const ms = (ns: bigint) => (Number(ns) / 1e6).toFixed(3);

/**
 * `n` runs, timed. One function for the warm-up batches and the timed runs, so that by
 * the timed call V8 has optimised this loop (with the run inlined into it) instead of
 * timing a loop it meets for the first time; a loop run once stays in the interpreter
 * for its first thousands of iterations.
 */
function timeRuns(run: () => bigint, n: number): { ns: bigint; r0: bigint } {
  let r0 = 0n;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) r0 = run();
  return { ns: process.hrtime.bigint() - start, r0 };
}

/**
 * Batches of growing size until one lasts `minNs`: the timer and the loop's start then
 * cost well under 1% of it. The next batch is sized from the last one's time per run.
 */
function timeByDuration(run: () => bigint, minNs: number): { runs: number; ns: bigint; r0: bigint } {
  let runs = 1;
  for (;;) {
    const { ns, r0 } = timeRuns(run, runs);
    if (Number(ns) >= minNs) return { runs, ns, r0 };
    const perRun = Math.max(Number(ns), 1) / runs;
    runs = Math.min(Number.MAX_SAFE_INTEGER, Math.max(runs * 2, Math.ceil((minNs * 1.1) / perRun)));
  }
}

export const benchCommand: Command = {
  name: 'bench',
  usage: `usage: ebpf-wasm bench <file> [--mem <file>] [--time <ms> | --repeat <n>] [--engine jit|interp] [--helpers <m.js>]

Compiles the program and prints the compile time (and that of the first compile in
the process, which also starts binaryen), runs it untimed for --warmup milliseconds,
then times runs for at least --time milliseconds (or exactly --repeat runs) and prints
the return value of the last run and the average duration per run, like bpftool:

  Return value: 42, duration (average): 35ns

  --time <ms>          time runs for at least this long (default ${DEFAULT_MIN_TIME_MS})
  --repeat <n>         time exactly n runs instead
  --warmup <ms>        untimed runs for this long first (default ${DEFAULT_WARMUP_MS})
${RUN_FLAGS_HELP}`,

  async run(argv) {
    const args = parseCommandArgs(this, argv, { ...RUN_FLAGS, repeat: { type: 'string' }, time: { type: 'string' }, warmup: { type: 'string' } });
    if (!args) return;
    const file = singleFile(this, args.positionals);
    const memPath = args.string('mem');
    const mem = memPath === undefined ? new Uint8Array(0) : readInputFile(memPath);
    const engine = engineOption(args);
    const repeat = countOption(args, 'repeat', undefined);
    // Up to an hour: past it a typo, not a benchmark.
    const minTimeMs = countOption(args, 'time', DEFAULT_MIN_TIME_MS, 1, 3_600_000) ?? DEFAULT_MIN_TIME_MS;
    if (repeat !== undefined && args.string('time') !== undefined) throw new CliError('bench: give --time or --repeat, not both');
    const warmupMs = countOption(args, 'warmup', DEFAULT_WARMUP_MS, 0, 3_600_000) ?? DEFAULT_WARMUP_MS;
    const budget = countOption(args, 'budget', undefined, 0);
    const programType = typeOption(args);
    const insns = loadProgramFile(file);
    const runtime = await runtimeFor(args, mem);
    const load = await importEngine(engine);

    // Compiled twice: the first compile in a process also pays for starting binaryen,
    // the second shows what compiling costs once the process is warm. Both are printed.
    const compile = () => {
      const start = process.hrtime.bigint();
      const prog = inFile(file, () => load(insns, { runtime, budget, programType }));
      return { prog, ns: process.hrtime.bigint() - start };
    };
    const first = compile();
    const { prog, ns: compileNs } = compile();
    const runOnce = runner(prog, mem);
    let warmup = 0;
    const timed = inFile(file, () => {
      const warmupEnd = process.hrtime.bigint() + BigInt(warmupMs) * 1_000_000n;
      let batch = 1;
      do {
        timeRuns(runOnce, batch);
        warmup += batch;
        batch = Math.min(batch * 2, MAX_WARMUP_BATCH);
      } while (process.hrtime.bigint() < warmupEnd);
      if (repeat !== undefined) return { runs: repeat, ...timeRuns(runOnce, repeat) };
      return timeByDuration(runOnce, minTimeMs * 1e6);
    });
    const { r0 } = timed;
    const average = Math.round(Number(timed.ns) / timed.runs);
    const how = repeat === undefined ? ` (at least ${minTimeMs} ms)` : '';
    process.stdout.write(`Engine: ${engine}, ${timed.runs} timed runs${how} after ${warmup} untimed warm-up runs\n`);
    process.stdout.write(`Compile time: ${ms(compileNs)} ms (first compile in this process: ${ms(first.ns)} ms)\n`);
    process.stdout.write(`Return value: ${r0}, duration (average): ${average}ns\n`);
  },
};
