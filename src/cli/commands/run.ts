import { inFile, parseCommandArgs, singleFile, type Command } from '../command.js';
import { countOption, engineOption, runtimeFor } from '../engine-options.js';
import { importEngine } from '../import-engine.js';
import { loadProgramFile, readInputFile } from '../load-input.js';

export const RUN_FLAGS = {
  mem: { type: 'string' },
  engine: { type: 'string' },
  helpers: { type: 'string' },
  budget: { type: 'string' },
} as const;

export const RUN_FLAGS_HELP = `  --mem <file>         input memory (raw bytes): r1 points to it, r2 holds its length
  --engine jit|interp  the Wasm JIT (default) or the reference interpreter
  --helpers <m.js>     JS module whose default export maps helper ids to functions
                       (r1, r2, r3, r4, r5, env) => bigint | number
  --budget <n>         instruction budget per run (default 100000000)`;

export const runCommand: Command = {
  name: 'run',
  summary: 'run a program once and print r0',
  usage: `usage: ebpf-wasm run <file> [--mem <file>] [--engine jit|interp] [--helpers <m.js>] [--budget <n>]

Runs the program (bytecode or assembler text) over the input memory and prints r0 as
an unsigned decimal number.

${RUN_FLAGS_HELP}`,

  async run(argv) {
    const args = parseCommandArgs(this, argv, RUN_FLAGS);
    if (!args) return;
    const file = singleFile(this, args.positionals);
    const memPath = args.string('mem');
    const mem = memPath === undefined ? new Uint8Array(0) : readInputFile(memPath);
    const engine = engineOption(args);
    const budget = countOption(args, 'budget', undefined, 0);
    const insns = loadProgramFile(file);
    const runtime = await runtimeFor(args, mem);
    const load = await importEngine(engine);
    const r0 = inFile(file, () => load(insns, { runtime, budget })(mem));
    process.stdout.write(`${r0}\n`);
  },
};
