/**
 * Typed errors. Every failure a user can provoke with bad input surfaces as one of
 * these, each carrying a stable machine-readable `code` and, where it applies, the
 * instruction index (`pc`, a slot index) it concerns.
 */

export abstract class EbpfError extends Error {
  abstract readonly kind: string;
  constructor(
    /** Stable identifier, e.g. `UNKNOWN_OPCODE`; safe to match on. */
    readonly code: string,
    message: string,
    /** Instruction slot index the error concerns, when there is one. */
    readonly pc?: number,
  ) {
    super(pc === undefined ? message : `${message} at pc ${pc}`);
    // A bundler renames a class that refers to itself (esbuild: `var MapError = class
    // _MapError`), and new.target.name follows it: the error keeps its source name.
    this.name = new.target.name.replace(/^_(?=[A-Z])/, '');
  }
}

/** The bytes (or assembler text) do not form a valid instruction stream. */
export class DecodeError extends EbpfError {
  readonly kind = 'decode';
}

/** Assembler text that cannot be assembled; `line` is 1-based. */
export class AsmError extends EbpfError {
  readonly kind = 'asm';
  constructor(
    code: string,
    message: string,
    readonly line: number,
  ) {
    super(code, `line ${line}: ${message}`);
  }
}

/** The program is well formed but unsafe or unsupported (static checks). */
export class VerifierError extends EbpfError {
  readonly kind = 'verifier';
}

/** The JIT cannot compile the program. */
export class CompileError extends EbpfError {
  readonly kind = 'compile';
}

/** The program did something illegal while running (bad access, budget exhausted...). */
export class RuntimeTrap extends EbpfError {
  readonly kind = 'runtime';
  constructor(
    code: string,
    message: string,
    pc?: number,
    /** Offending address, for memory faults. */
    readonly address?: bigint,
    /** Access size in bytes, for memory faults. */
    readonly size?: number,
  ) {
    super(code, message, pc);
  }
}

/**
 * A WebAssembly trap (`WebAssembly.RuntimeError`) as a typed `RuntimeTrap` WASM_TRAP;
 * anything else unchanged. Our generated code never traps on its own (every fault has
 * a typed check first), so this marks a bug or a helper in Wasm that trapped.
 */
export function fromWasmTrap(e: unknown, pc?: number): unknown {
  return e instanceof WebAssembly.RuntimeError ? new RuntimeTrap('WASM_TRAP', `unexpected Wasm trap: ${e.message}`, pc) : e;
}

/** An ELF object that cannot be loaded. */
export class ElfError extends EbpfError {
  readonly kind = 'elf';
}

/**
 * A capture file (pcap, pcapng) that cannot be read: `offset` is the byte offset in the
 * stream where the bad or missing data starts. Readers yield every packet before it first.
 */
export class CaptureError extends EbpfError {
  readonly kind = 'capture';
  constructor(
    code: string,
    message: string,
    /** Byte offset in the file or stream where the problem starts. */
    readonly offset: number,
  ) {
    super(code, `${message} at byte offset ${offset}`);
  }
}

export function isEbpfError(e: unknown): e is EbpfError {
  return e instanceof EbpfError;
}
