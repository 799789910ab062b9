import { linkObject, type LinkedProgram } from '../../elf/load-object.js';
import type { ProgramType } from '../../abi/program-types.js';
import type { Insn } from '../../decode/insn.js';
import { VERIFY_MODES, type VerifyMode } from '../../verify/validated-program.js';
import { verifyProgram, type VerifyReport } from '../../verify/verify-program.js';
import { CliError, inFile, parseCommandArgs, singleFile, type Command } from '../command.js';
import { runtimeFor, typeOption } from '../engine-options.js';
import { isElfObject, programFromBytes, readInputFile } from '../load-input.js';

export const verifyCommand: Command = {
  name: 'verify',
  usage: `usage: ebpf-wasm verify <file> [--type <type>] [--section <name>] [--mode strict|checked|runtime] [--log]

Loads the program (bytecode, assembler text or an ELF object) through the verifier
without compiling or running it. Prints 'ok' with the instructions processed, the states
kept and the most alive at once, and how many memory accesses keep a run-time check; or
the verifier's error with its pc, and exits 1.

  --type <type>      program type (bytecode's default raw; objects: each program's SEC() name)
  --section <name>   an object's program, by function or SEC() name (default: every program)
  --mode <mode>      strict (the kernel's rules; default for kernel types), checked (raw's) or runtime (no proofs)
  --log              print the verifier log: each instruction walked with the registers after it`,

  async run(argv) {
    const args = parseCommandArgs(this, argv, {
      type: { type: 'string' }, section: { type: 'string' }, mode: { type: 'string' }, log: { type: 'boolean' }, helpers: { type: 'string' },
    });
    if (!args) return;
    const file = singleFile(this, args.positionals);
    const bytes = readInputFile(file);
    const mode = modeOption(args.string('mode'));
    const log = args.flag('log') ? (line: string) => process.stdout.write(`${line}\n`) : undefined;
    const runtime = await runtimeFor(args);
    const check = (insns: readonly Insn[], programType: ProgramType | undefined) =>
      inFile(file, () => verifyProgram(insns, { runtime, programType, verify: mode, log }));
    if (!isElfObject(bytes)) {
      if (args.string('section') !== undefined) throw new CliError(`${file}: --section is for ELF objects`);
      print(undefined, check(programFromBytes(file, bytes), typeOption(args)));
      return;
    }
    const linked = inFile(file, () => linkObject(bytes, { runtime, programType: typeOption(args) }));
    for (const program of chosen(file, linked.programs, args.string('section'))) {
      if (log) process.stdout.write(`${program.name} (${program.section}):\n`);
      print(program, check(program.insns, program.programType));
    }
  },
};

function modeOption(mode: string | undefined): VerifyMode | undefined {
  if (mode === undefined || (VERIFY_MODES as readonly string[]).includes(mode)) return mode as VerifyMode | undefined;
  throw new CliError(`--mode must be one of ${VERIFY_MODES.join(', ')}, got '${mode}'`);
}

function chosen(file: string, programs: readonly LinkedProgram[], section: string | undefined): readonly LinkedProgram[] {
  if (section === undefined) {
    if (programs.length === 0) throw new CliError(`${file}: the object has no programs (functions in a SEC() section)`);
    return programs;
  }
  const byName = programs.filter((p) => p.name === section);
  const picked = byName.length > 0 ? byName : programs.filter((p) => p.section === section);
  if (picked.length === 0) throw new CliError(`${file}: no program or section named '${section}' (programs: ${programs.map((p) => p.name).join(', ')})`);
  return picked;
}

/** `ok: 14 insns processed, 3 states (peak 2), 2 of 5 memory accesses checked [xdp, strict]` */
function print(program: LinkedProgram | undefined, r: VerifyReport): void {
  const who = program ? `${program.name} (${program.section}): ` : '';
  const checked = r.checkedAccesses.length === 0 ? '' : ` at pc ${r.checkedAccesses.join(', ')}`;
  process.stdout.write(`${who}ok: ${r.processed} insns processed, ${r.states} states (peak ${r.peakStates}), `
    + `${r.checkedAccesses.length} of ${r.memoryAccesses} memory accesses checked${checked} [${r.programType}, ${r.mode}]\n`);
}
