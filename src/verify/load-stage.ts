import type { ProgramShape } from '../analysis/program-shape.js';
import { DEFAULT_BUDGET } from '../abi/limits.js';
import { isProgramType, PROGRAM_TYPE_INFO, PROGRAM_TYPES, type ProgramType } from '../abi/program-types.js';
import type { Insn } from '../decode/insn.js';
import { VerifierError } from '../errors.js';
import { kernelHelpers } from '../helpers/kernel.js';
import type { HelperRegistry } from '../helpers/registry.js';
import type { BpfMap } from '../maps/bpf-map.js';
import type { Runtime } from '../runtime/runtime.js';
import { validInstructions } from './instructions.js';
import { lddwResolver } from './pseudo-lddw.js';
import { analyzeStructure } from './structure.js';
import { nothingProven, verify, type Verification } from './verifier.js';
import { VERIFY_MODES, type ValidatedProgram, type VerifyMode } from './validated-program.js';

/**
 * The load stage both engines share, the counterpart of the kernel's bpf_check() before
 * its abstract interpretation. However a program was made (bytes, assembler text,
 * an `Insn[]` built by hand) it goes through the same checks in the same order, so a
 * bad program fails with the same error class, code and pc in either engine:
 *
 *   1. the instructions (DecodeError): decoded, or an `Insn[]` validated field by field
 *      and round-tripped through the decoder (registers, reserved fields, writes to r10
 *      in every form, lddw slots, slot numbering);
 *   2. the structure (VerifierError, structure.ts): jump and call targets, functions;
 *   3. each instruction against the registry and the program type (VerifierError): helper
 *      ids, helpers the type may call, LD_ABS/LD_IND where the type has no skb, lddw pseudo
 *      loads (maps, map values, code pointers) resolved to their values;
 *   4. the verifier (VerifierError, verifier.ts): every path's abstract state, in the
 *      strict or checked mode; what it proves is what the JIT compiles on.
 *
 * The result is what the engines consume: they never look at the raw program again.
 */

export interface LoadStageOptions {
  /** The runtime the program will run on: its maps resolve `lddw map_fd`, its helpers are the default. */
  readonly runtime: Runtime;
  /** Helpers the program may call (default: the runtime's, else the kernel helpers). */
  readonly helpers?: HelperRegistry;
  /** Maps that `lddw map_idx(i)` / `map_idx_value(i, off)` refer to by index (maps of the runtime). */
  readonly maps?: readonly BpfMap[];
  /** Instructions one run may execute (default DEFAULT_BUDGET). */
  readonly budget?: number;
  /** The program's type (default `raw`): what its context is, which helpers it may call. */
  readonly programType?: ProgramType;
  /**
   * How the verifier treats the program (default: `strict` for kernel program types,
   * `checked` for raw): strict rejects what the kernel rejects; checked rejects nothing the
   * run-time checks make safe, and keeps a check on every access it cannot prove.
   */
  readonly verify?: VerifyMode;
  /** Receives the verifier's log, a line at a time (see VerifierOptions.log): `ebpf-wasm verify --log`. */
  readonly verifierLog?: (line: string) => void;
}

/** A program through the load stage, and what the verifier proved of it. */
export interface PreparedProgram extends ValidatedProgram {
  /** The accesses that need no run-time check, and the verifier's effort. */
  readonly verification: Verification;
}

/**
 * Where the default helper set is chosen: the options', else the runtime's, else the
 * kernel helpers, which clang's objects call by their kernel ids.
 */
function helpersFor(options: LoadStageOptions): HelperRegistry {
  return options.helpers ?? options.runtime.helpers ?? kernelHelpers();
}

function checkType(type: unknown): ProgramType {
  if (typeof type !== 'string' || !isProgramType(type)) {
    throw new RangeError(`programType must be one of ${PROGRAM_TYPES.join(', ')}, got ${String(type)}`);
  }
  return type;
}

function checkVerifyMode(mode: unknown, type: ProgramType): VerifyMode {
  if (mode === undefined) return type === 'raw' ? 'checked' : 'strict';
  if (typeof mode !== 'string' || !(VERIFY_MODES as readonly string[]).includes(mode)) {
    throw new RangeError(`verify must be one of ${VERIFY_MODES.join(', ')}, got ${String(mode)}`);
  }
  return mode as VerifyMode;
}

function checkBudget(budget: number): number {
  if (!Number.isSafeInteger(budget) || budget < 0) {
    throw new RangeError(`budget must be a non-negative safe integer, got ${budget}`);
  }
  return budget;
}

/** Validate a program for `options.runtime` and prepare it for an engine (see above). */
export function prepareProgram(program: Uint8Array | readonly Insn[], options: LoadStageOptions): PreparedProgram {
  const budget = checkBudget(options.budget ?? DEFAULT_BUDGET);
  const type = checkType(options.programType ?? 'raw');
  const verifyMode = checkVerifyMode(options.verify, type);
  const helpers = helpersFor(options);
  const shape = analyzeStructure(validInstructions(program));
  const resolveLddw = lddwResolver({ runtime: options.runtime, maps: options.maps });
  const lddwValues = new Map<number, bigint>();
  const lddwMaps = new Map<number, BpfMap>();
  for (const insn of shape.insns) {
    const sem = insn.spec.sem;
    if (sem.kind === 'call' && sem.target === 'helper') checkHelper(helpers, type, insn.imm, insn.pc);
    if (sem.kind === 'packet' && !PROGRAM_TYPE_INFO[type].legacyPacketLoads) {
      throw new VerifierError('LD_ABS_NOT_ALLOWED', `BPF_LD_[ABS|IND] instructions not allowed for this program type (${type})`, insn.pc);
    }
    if (sem.kind === 'lddw') {
      lddwValues.set(insn.pc, resolveLddw(insn));
      const map = sem.pseudo === 'map_fd' || sem.pseudo === 'map_value' ? options.runtime.maps.get(insn.imm)
        : sem.pseudo === 'map_idx' || sem.pseudo === 'map_idx_value' ? options.maps?.[insn.imm] : undefined;
      if (map !== undefined) lddwMaps.set(insn.pc, map);
    }
  }
  const loaded = { ...shape, type, runtime: options.runtime, helpers, budget, lddwValues, lddwMaps, verifyMode };
  const verification = verifyMode === 'runtime' ? nothingProven(shape.insns) : verify(loaded, { checked: verifyMode === 'checked', log: options.verifierLog });
  return { ...loaded, verification };
}

/** A helper call must name a registered helper that programs of `type` may call. */
function checkHelper(helpers: HelperRegistry, type: ProgramType, id: number, pc: number): void {
  const def = helpers.get(id);
  if (def === undefined) throw new VerifierError('UNKNOWN_HELPER', `call to helper ${id}, which is not registered`, pc);
  if (def.programTypes !== undefined && !def.programTypes.includes(type)) {
    throw new VerifierError('HELPER_NOT_ALLOWED', `program of this type (${type}) cannot use helper bpf_${def.name}#${id}`, pc);
  }
}
