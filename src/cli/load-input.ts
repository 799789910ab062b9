import { readFileSync } from 'node:fs';
import { assemble } from '../decode/asm.js';
import { decode } from '../decode/decode.js';
import type { Insn } from '../decode/insn.js';
import { DecodeError } from '../errors.js';
import { CliError, inFile } from './command.js';
import { describeError } from './describe-error.js';

/** Read a file the user named; a missing or unreadable file is a CliError, not a stack trace. */
export function readInputFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${(e as Error).message})`);
  }
}

/** The file's text if it is UTF-8 without NUL bytes (bytecode nearly always has NULs), else undefined. */
function asText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/** Whether the bytes start like an ELF file (an object from clang, for `run`). */
export function isElfObject(bytes: Uint8Array): boolean {
  return ELF_MAGIC.every((b, i) => bytes[i] === b);
}

/** Whether `run` compiles this file with clang before running it. */
export function isCSource(path: string): boolean {
  return path.endsWith('.c');
}

/** A program file (see `programFromBytes`). */
export function loadProgramFile(path: string): Insn[] {
  return programFromBytes(path, readInputFile(path));
}

/**
 * The program in a file's bytes: assembler text or raw bytecode. `.s` and `.asm` files
 * are always text; otherwise a file is text if it is NUL-free UTF-8 that assembles, else
 * bytecode. Text that neither assembles nor decodes reports the assembler's error (with
 * its line), which is what someone who wrote text needs to see. ELF objects and C
 * sources are `run`'s alone: elsewhere they get a clear error.
 */
export function programFromBytes(path: string, bytes: Uint8Array): Insn[] {
  // clang's output is named .o: anything else so named is a mistake, not bytecode.
  if (/\.o$/i.test(path) && !isElfObject(bytes)) {
    throw new CliError(`${path}: not an ELF object (it starts ${firstBytes(bytes)}, not 7f 45 4c 46, \\x7fELF)`);
  }
  if (isElfObject(bytes) || isCSource(path)) {
    const what = isElfObject(bytes) ? 'ELF objects' : 'C sources';
    throw new CliError(`${path}: only 'ebpf-wasm run' takes ${what}; give raw bytecode or assembler text`);
  }
  const text = asText(bytes);
  if (/\.(s|asm)$/i.test(path)) {
    if (text === undefined) throw new CliError(`${path}: not assembler text (not UTF-8, or contains NUL bytes)`);
    return inFile(path, () => assemble(text));
  }
  if (text !== undefined) {
    let asmError: unknown;
    try {
      return assemble(text);
    } catch (e) {
      asmError = e;
    }
    try {
      return decode(bytes);
    } catch {
      return inFile(path, () => { throw asmError; });
    }
  }
  return inFile(path, () => {
    try {
      return decode(bytes);
    } catch (e) {
      // Failing on the first instruction or on the length: likely no program at all.
      if (e instanceof DecodeError && (e.pc === 0 || e.code === 'TRAILING_BYTES')) {
        throw new CliError(`${path}: not bytecode, assembler text or an ELF object (it starts ${firstBytes(bytes)}): ${describeError(e)}`);
      }
      throw e;
    }
  });
}

function firstBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'empty';
  return [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ') + (bytes.length > 8 ? ' ...' : '');
}
