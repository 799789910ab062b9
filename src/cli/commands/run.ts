import { CliError, inFile, parseCommandArgs, singleFile, type Command } from '../command.js';
import { writeFileSync } from 'node:fs';
import type { RunResult } from '../../runtime/program.js';
import { countOption, engineOption, runtimeFor, typeOption } from '../engine-options.js';
import { importEngine } from '../import-engine.js';
import { isCSource, isElfObject, programFromBytes, readInputFile } from '../load-input.js';

export const RUN_FLAGS = {
  mem: { type: 'string' },
  engine: { type: 'string' },
  helpers: { type: 'string' },
  budget: { type: 'string' },
  type: { type: 'string' },
  seed: { type: 'string' },
  cpus: { type: 'string' },
} as const;

export const RUN_FLAGS_HELP = `  --mem <file>         the input: a raw program's memory (r1 points to it, r2 holds its length),
                       a packet program's packet, a tracing program's context
  --type <type>        program type: raw (bytecode's default), socket_filter, sched_cls, xdp,
                       kprobe, tracepoint (objects: each program's SEC() name decides)
  --engine jit|interp  the Wasm JIT (default) or the reference interpreter
  --helpers <m.js>     JS module whose default export maps helper ids to functions
                       (r1, r2, r3, r4, r5, env) => bigint | number
  --budget <n>         instruction budget per run (default 100000000)
  --seed <n>           seed of bpf_get_prandom_u32 (default: random)
  --cpus <n>           CPUs per-CPU maps keep a value for (default 1)`;

/** Flags only `run` has: they apply to ELF objects (and C sources, compiled to one). */
const OBJECT_FLAGS = {
  section: { type: 'string' },
  'dump-maps': { type: 'boolean' },
  'data-out': { type: 'string' },
} as const;

export const runCommand: Command = {
  name: 'run',
  usage: `usage: ebpf-wasm run <file> [--mem <file>] [--type <type>] [--engine jit|interp] [--helpers <m.js>]
                        [--budget <n>] [--seed <n>] [--cpus <n>] [--section <name>] [--dump-maps]
                        [--data-out <file>]

Runs the program over the input memory and prints r0 as an unsigned decimal number.
The file is bytecode, assembler text, an ELF object from clang (-O2 -g -target bpf -c),
or a C source (.c), which is compiled with clang (or clang-14) from PATH first.
Programs get the kernel helpers (maps, time, trace_printk, ...), which --helpers
extends (replacing a helper of the same id); bpf_trace_printk messages go to stderr.
Objects are loaded as libbpf loads them (all maps and programs).

${RUN_FLAGS_HELP}
  --section <name>     objects: the program to run, by SEC() name or function name
                       (needed when the object has more than one program)
  --dump-maps          objects: after r0, print every map, like bpftool map dump
  --data-out <file>    packet programs: write the packet after the run (the kernel's data_out)`,

  async run(argv) {
    const args = parseCommandArgs(this, argv, { ...RUN_FLAGS, ...OBJECT_FLAGS });
    if (!args) return;
    const file = singleFile(this, args.positionals);
    const memPath = args.string('mem');
    const mem = memPath === undefined ? new Uint8Array(0) : readInputFile(memPath);
    const engine = engineOption(args);
    const budget = countOption(args, 'budget', undefined, 0);
    const programType = typeOption(args);
    const section = args.string('section');
    const wantMaps = args.flag('dump-maps');
    const dataOutPath = args.string('data-out');

    // Imported when needed (each command is its own start-up): compile-c brings child_process, run-object the ELF loader.
    const bytes = isCSource(file) ? (await import('../compile-c.js')).compileC(file) : readInputFile(file);
    let result: RunResult;
    if (isCSource(file) || isElfObject(bytes)) {
      const { runObject } = await import('../run-object.js');
      const run = await runObject(file, bytes, args, { mem, engine, budget, section, programType });
      result = run.result;
      process.stdout.write(`${result.r0}\n`);
      if (wantMaps) {
        const { dumpMaps } = await import('../dump-maps.js');
        process.stdout.write(`\n${dumpMaps(run.maps.values()) || 'No maps\n'}`);
      }
    } else {
      if (section !== undefined || wantMaps) {
        throw new CliError(`${file}: --section and --dump-maps apply to ELF objects and C sources, not to raw bytecode or assembler text`);
      }
      const insns = programFromBytes(file, bytes);
      const runtime = await runtimeFor(args, mem);
      const load = await importEngine(engine);
      result = inFile(file, () => load(insns, { runtime, budget, programType }).run(mem));
      process.stdout.write(`${result.r0}\n`);
    }
    if (dataOutPath !== undefined) {
      if (result.dataOut === undefined) throw new CliError(`${file}: --data-out applies to packet programs (socket_filter, sched_cls, xdp)`);
      writeFileSync(dataOutPath, result.dataOut);
    }
  },
};
