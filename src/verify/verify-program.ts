import type { ProgramType } from '../abi/program-types.js';
import { memoryAccess, type Insn } from '../decode/insn.js';
import type { HelperRegistry } from '../helpers/registry.js';
import type { BpfMap } from '../maps/bpf-map.js';
import { Runtime } from '../runtime/runtime.js';
import { prepareProgram } from './load-stage.js';
import type { VerifyMode } from './validated-program.js';

/**
 * The verifier on its own, as `bpftool prog load` is the kernel's: load a program without
 * compiling or running it, and say whether it is accepted and at what cost. A rejection
 * throws what loading would (DecodeError, VerifierError with the pc and the kernel's words).
 */

export interface VerifyOptions {
  /** The runtime whose maps the program's `lddw map_fd` name (default: a new one). */
  readonly runtime?: Runtime;
  readonly programType?: ProgramType;
  /** `strict` (default for kernel program types) or `checked` (default for raw). */
  readonly verify?: VerifyMode;
  readonly maps?: readonly BpfMap[];
  readonly helpers?: HelperRegistry;
  /** The verifier log, a line at a time (see the README's "Verifier log"). */
  readonly log?: (line: string) => void;
}

export interface VerifyReport {
  readonly programType: ProgramType;
  readonly mode: VerifyMode;
  /** Instructions walked, counting each time a path passed one (the kernel's "processed N insns"). */
  readonly processed: number;
  /** States kept for pruning, and the most paths alive at once. */
  readonly states: number;
  readonly peakStates: number;
  /** Loads, stores and atomics in the program. */
  readonly memoryAccesses: number;
  /** The pcs of those the verifier could not prove on every path: they keep a run-time check. */
  readonly checkedAccesses: readonly number[];
}

export function verifyProgram(program: Uint8Array | readonly Insn[], options: VerifyOptions = {}): VerifyReport {
  const runtime = options.runtime ?? new Runtime();
  const prepared = prepareProgram(program, {
    runtime, programType: options.programType, verify: options.verify, maps: options.maps, helpers: options.helpers, verifierLog: options.log,
  });
  const accesses = prepared.insns.filter((i) => memoryAccess(i) !== undefined).map((i) => i.pc);
  const { proven, processed, states, peakStates } = prepared.verification;
  return {
    programType: prepared.type,
    mode: prepared.verifyMode,
    processed,
    states,
    peakStates,
    memoryAccesses: accesses.length,
    checkedAccesses: accesses.filter((pc) => !proven.has(pc)),
  };
}
