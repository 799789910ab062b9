import type { Program } from '../../runtime/program.js';
import { inFile, parseCommandArgs, singleFile, type Command } from '../command.js';
import { countOption, engineOption, runtimeFor, typeOption } from '../engine-options.js';
import { importEngine } from '../import-engine.js';
import { loadProgramFile, readInputFile } from '../load-input.js';
import { RUN_FLAGS, RUN_FLAGS_HELP } from './run.js';

const DEFAULT_REPEAT = 1000;
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

export const benchCommand: Command = {
  name: 'bench',
  summary: 'time repeated runs, like bpftool prog run ... repeat N',
  usage: `usage: ebpf-wasm bench <file> [--mem <file>] [--repeat <n>] [--engine jit|interp] [--helpers <m.js>]

Compiles the program and prints the compile time (and that of the first compile in
the process, which also starts binaryen), runs it untimed for --warmup milliseconds,
then runs it --repeat times and prints the return value of the last run and the
average duration per run, like bpftool:

  Return value: 42, duration (average): 35ns

  --repeat <n>         timed runs (default ${DEFAULT_REPEAT})
  --warmup <ms>        untimed runs for this long first (default ${DEFAULT_WARMUP_MS})
${RUN_FLAGS_HELP}`,

  async run(argv) {
    const args = parseCommandArgs(this, argv, { ...RUN_FLAGS, repeat: { type: 'string' }, warmup: { type: 'string' } });
    if (!args) return;
    const file = singleFile(this, args.positionals);
    const memPath = args.string('mem');
    const mem = memPath === undefined ? new Uint8Array(0) : readInputFile(memPath);
    const engine = engineOption(args);
    const repeat = countOption(args, 'repeat', DEFAULT_REPEAT) ?? DEFAULT_REPEAT;
    const warmupMs = countOption(args, 'warmup', DEFAULT_WARMUP_MS, 0) ?? DEFAULT_WARMUP_MS;
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
    let r0 = 0n;
    let warmup = 0;
    const timedNs = inFile(file, () => {
      const warmupEnd = process.hrtime.bigint() + BigInt(warmupMs) * 1_000_000n;
      do {
        runOnce();
        warmup++;
      } while (process.hrtime.bigint() < warmupEnd);
      const start = process.hrtime.bigint();
      for (let i = 0; i < repeat; i++) r0 = runOnce();
      return process.hrtime.bigint() - start;
    });
    const average = Math.round(Number(timedNs) / repeat);
    process.stdout.write(`Engine: ${engine}, ${repeat} timed runs after ${warmup} untimed warm-up runs\n`);
    process.stdout.write(`Compile time: ${ms(compileNs)} ms (first compile in this process: ${ms(first.ns)} ms)\n`);
    process.stdout.write(`Return value: ${r0}, duration (average): ${average}ns\n`);
  },
};
