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
 *      loads (maps, map values, code pointers) resolved to their values.
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
}

export interface PreparedProgram extends ProgramShape {
  readonly type: ProgramType;
  readonly runtime: Runtime;
  /** The helpers the program was checked against; calls resolve to these. */
  readonly helpers: HelperRegistry;
  readonly budget: number;
  /** The value each lddw loads, by pc: constants, code pointers, map and map value addresses. */
  readonly lddwValues: ReadonlyMap<number, bigint>;
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
  const helpers = helpersFor(options);
  const shape = analyzeStructure(validInstructions(program));
  const resolveLddw = lddwResolver({ runtime: options.runtime, maps: options.maps });
  const lddwValues = new Map<number, bigint>();
  for (const insn of shape.insns) {
    const sem = insn.spec.sem;
    if (sem.kind === 'call' && sem.target === 'helper') checkHelper(helpers, type, insn.imm, insn.pc);
    if (sem.kind === 'packet' && !PROGRAM_TYPE_INFO[type].legacyPacketLoads) {
      throw new VerifierError('LD_ABS_NOT_ALLOWED', `BPF_LD_[ABS|IND] instructions not allowed for this program type (${type})`, insn.pc);
    }
    if (sem.kind === 'lddw') lddwValues.set(insn.pc, resolveLddw(insn));
  }
  return { ...shape, type, runtime: options.runtime, helpers, budget, lddwValues };
}

/** A helper call must name a registered helper that programs of `type` may call. */
function checkHelper(helpers: HelperRegistry, type: ProgramType, id: number, pc: number): void {
  const def = helpers.get(id);
  if (def === undefined) throw new VerifierError('UNKNOWN_HELPER', `call to helper ${id}, which is not registered`, pc);
  if (def.programTypes !== undefined && !def.programTypes.includes(type)) {
    throw new VerifierError('HELPER_NOT_ALLOWED', `program of this type (${type}) cannot use helper bpf_${def.name}#${id}`, pc);
  }
}
