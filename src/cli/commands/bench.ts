import type { JitProgram } from '../../jit/jit.js';
import type { Program } from '../../runtime/program.js';
import { inFile, parseCommandArgs, singleFile, type Command } from '../command.js';
import { countOption, engineOption, runtimeFor } from '../engine-options.js';
import { importEngine } from '../import-engine.js';
import { loadProgramFile, readInputFile } from '../load-input.js';
import { RUN_FLAGS, RUN_FLAGS_HELP } from './run.js';

const DEFAULT_REPEAT = 1000;
/** Untimed runs first, so V8 has tiered the code up before the clock starts. */
const MAX_WARMUP = 1000;

/**
 * One run over the input. The JIT uses its zero-copy path: the input is placed once and
 * each run reads (and may modify) it in place, as `bpftool prog run ... repeat N` does.
 * The interpreter copies the input in and its changes back out on every run.
 */
function runner(prog: Program, mem: Uint8Array): () => bigint {
  const jitted = prog as Partial<JitProgram>;
  if (jitted.input && jitted.runInput) {
    jitted.input(mem.length).set(mem);
    const runInput = jitted.runInput;
    return () => runInput(mem.length);
  }
  return () => prog(mem);
}

const ms = (ns: bigint) => (Number(ns) / 1e6).toFixed(3);

export const benchCommand: Command = {
  name: 'bench',
  summary: 'time repeated runs, like bpftool prog run ... repeat N',
  usage: `usage: ebpf-wasm bench <file> [--mem <file>] [--repeat <n>] [--engine jit|interp] [--helpers <m.js>]

Loads the program once (the compile time is printed separately), runs it untimed up
to ${MAX_WARMUP} times to warm up, then runs it --repeat times and prints the return value
of the last run and the average duration per run, like bpftool:

  Return value: 42, duration (average): 35ns

  --repeat <n>         timed runs (default ${DEFAULT_REPEAT})
${RUN_FLAGS_HELP}`,

  async run(argv) {
    const args = parseCommandArgs(this, argv, { ...RUN_FLAGS, repeat: { type: 'string' } });
    if (!args) return;
    const file = singleFile(this, args.positionals);
    const memPath = args.string('mem');
    const mem = memPath === undefined ? new Uint8Array(0) : readInputFile(memPath);
    const engine = engineOption(args);
    const repeat = countOption(args, 'repeat', DEFAULT_REPEAT) ?? DEFAULT_REPEAT;
    const budget = countOption(args, 'budget', undefined, 0);
    const insns = loadProgramFile(file);
    const runtime = await runtimeFor(args, mem);
    const load = await importEngine(engine);

    const loadStart = process.hrtime.bigint();
    const prog = inFile(file, () => load(insns, { runtime, budget }));
    const loadNs = process.hrtime.bigint() - loadStart;
    const runOnce = runner(prog, mem);
    const warmup = Math.min(repeat, MAX_WARMUP);
    let r0 = 0n;
    const timedNs = inFile(file, () => {
      for (let i = 0; i < warmup; i++) runOnce();
      const start = process.hrtime.bigint();
      for (let i = 0; i < repeat; i++) r0 = runOnce();
      return process.hrtime.bigint() - start;
    });
    const average = Math.round(Number(timedNs) / repeat);
    process.stdout.write(`Engine: ${engine}, compile time: ${ms(loadNs)} ms, ${repeat} timed runs after ${warmup} warm-up runs\n`);
    process.stdout.write(`Return value: ${r0}, duration (average): ${average}ns\n`);
  },
};
