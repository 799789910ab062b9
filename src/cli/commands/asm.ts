import { writeFileSync } from 'node:fs';
import { assemble } from '../../decode/asm.js';
import { encode } from '../../decode/encode.js';
import { CliError, inFile, parseCommandArgs, singleFile, type Command } from '../command.js';
import { readInputFile } from '../load-input.js';

export const asmCommand: Command = {
  name: 'asm',
  usage: `usage: ebpf-wasm asm <file.s> -o <out.bin>

Assembles text in the bpf_conformance/ubpf syntax (mov %r0, 1 / exit) into raw
little-endian bytecode, 8 bytes per instruction slot.

  -o, --output <file>   where to write the bytecode (required)`,

  async run(argv) {
    const args = parseCommandArgs(this, argv, { output: { type: 'string', short: 'o' } });
    if (!args) return;
    const input = singleFile(this, args.positionals);
    const output = args.string('output');
    if (output === undefined) throw new CliError('asm: missing -o <out.bin> (see ebpf-wasm asm --help)');
    const text = new TextDecoder().decode(readInputFile(input));
    const bytes = inFile(input, () => encode(assemble(text)));
    try {
      writeFileSync(output, bytes);
    } catch (e) {
      throw new CliError(`${output}: cannot write (${(e as Error).message})`);
    }
  },
};
