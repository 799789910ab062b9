import { disassemble, listing } from '../../decode/disasm.js';
import { parseCommandArgs, singleFile, type Command } from '../command.js';
import { loadProgramFile } from '../load-input.js';

export const disasmCommand: Command = {
  name: 'disasm',
  usage: `usage: ebpf-wasm disasm <file> [--listing]

Prints the program in assembler syntax; the output reassembles to the same bytes.
The input is raw bytecode or assembler text (.s/.asm files are always text; other
files are text when they are NUL-free UTF-8 that assembles).

  --listing   llvm-objdump-like listing: slot, bytes, instruction`,

  async run(argv) {
    const args = parseCommandArgs(this, argv, { listing: { type: 'boolean' } });
    if (!args) return;
    const insns = loadProgramFile(singleFile(this, args.positionals));
    process.stdout.write(args.flag('listing') ? listing(insns) : disassemble(insns));
  },
};
