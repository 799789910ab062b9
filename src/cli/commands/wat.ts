import { inFile, parseCommandArgs, singleFile, type Command } from '../command.js';
import { runtimeFor, typeOption } from '../engine-options.js';
import { importJit } from '../import-engine.js';
import { loadProgramFile } from '../load-input.js';

export const watCommand: Command = {
  name: 'wat',
  usage: `usage: ebpf-wasm wat <file> [--type <type>] [--helpers <m.js>]

Compiles the program (bytecode or assembler text) and prints the optimised module in
WebAssembly text format.

  --type <type>      program type (default raw): the context decides what the JIT can prove
  --helpers <m.js>   helpers the program calls (they become imports of the module)`,

  async run(argv) {
    const args = parseCommandArgs(this, argv, { helpers: { type: 'string' }, type: { type: 'string' } });
    if (!args) return;
    const file = singleFile(this, args.positionals);
    const insns = loadProgramFile(file);
    const runtime = await runtimeFor(args);
    const jit = await importJit();
    const programType = typeOption(args);
    process.stdout.write(inFile(file, () => jit(insns, { runtime, programType }).wat()));
  },
};
