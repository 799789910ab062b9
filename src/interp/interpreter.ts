import { PROGRAM_TYPE_INFO, type ProgramType } from '../abi/program-types.js';
import { ENTER, ExitProgram } from '../abi/signals.js';
import { writesMemory, type Insn } from '../decode/insn.js';
import { RuntimeTrap } from '../errors.js';
import type { HelperRegistry } from '../helpers/registry.js';
import type { BpfMap } from '../maps/bpf-map.js';
import type { Program } from '../runtime/program.js';
import { checkLoadArguments } from '../runtime/load-arguments.js';
import { programRuns } from '../runtime/runner.js';
import { Runtime } from '../runtime/runtime.js';
import { prepareProgram } from '../verify/load-stage.js';
import type { VerifyMode } from '../verify/validated-program.js';
import { compileProgram } from './compile.js';
import { Machine } from './machine.js';
import { HALT, type Op } from './op.js';
import { createRegisterFile } from './registers.js';

/**
 * The reference interpreter: the engine whose answers we trust. It implements
 * RFC 9669 plus the kernel's choices where the RFC is silent (guide section 2), on
 * the runtime's own `WebAssembly.Memory` and layout, so pointer values agree with the
 * JIT. It checks every memory access at run time and needs no verifier proofs.
 */

export interface InterpreterOptions {
  /** Runtime whose memory, layout and helpers the program uses (default: a new one). */
  runtime?: Runtime;
  /** Helpers callable by the program (default: the runtime's). */
  helpers?: HelperRegistry;
  /** Most instructions one run may execute before BUDGET_EXHAUSTED (default DEFAULT_BUDGET, 100,000,000). */
  budget?: number;
  /** Maps that `lddw map_idx(i)` / `map_idx_value(i, off)` refer to by index (maps of the runtime). */
  maps?: readonly BpfMap[];
  /** The program's type (default `raw`): its context, its helpers (abi/program-types.ts). */
  programType?: ProgramType;
  /** How the verifier treats the program: `strict` (default for kernel types) or `checked` (default for raw). */
  verify?: VerifyMode;
}

/** Runtimes with an interpreted program currently running (their stack and input are in use). */
const busyRuntimes = new WeakSet<Runtime>();

/** Load a program for interpretation. Throws DecodeError / VerifierError for bad programs (verify/load-stage.ts). */
export function interpreter(program: Uint8Array | readonly Insn[], interpreterOptions?: InterpreterOptions): Program {
  const options = checkLoadArguments('interpreter', program, interpreterOptions);
  const runtime = options.runtime ?? new Runtime();
  const prepared = prepareProgram(program, {
    runtime, helpers: options.helpers, maps: options.maps, budget: options.budget, programType: options.programType,
    verify: options.verify,
  });
  const { insns, budget, type } = prepared;
  const { ops, machine } = compileProgram(prepared, (constants) => new Machine(runtime, createRegisterFile(constants), prepared.verification.proven));

  const refuseReentry = () => {
    if (busyRuntimes.has(runtime)) {
      throw new RuntimeTrap('REENTRANT_RUN', 'a program of this runtime is already running (called from a helper?)');
    }
  };
  /** One program of a (tail-call) chain: r1 given, its context in place. */
  const enter = (r1: bigint): bigint => {
    refuseReentry();
    busyRuntimes.add(runtime);
    try {
      machine.reset(r1);
      return execute(ops, machine, budget);
    } finally {
      busyRuntimes.delete(runtime);
    }
  };
  const runs = programRuns({ runtime, type, enter, writesMemory: writesMemory(insns), beforeRun: refuseReentry });
  return Object.assign(runs.call, {
    run: runs.run, input: runs.input, runInput: runs.runInput, engine: 'interp' as const, type, insns, runtime, [ENTER]: enter,
  });
}

/** Load and run once: r0 of `program` over `mem`. */
export function interpret(program: Uint8Array | readonly Insn[], mem?: Uint8Array, options?: InterpreterOptions): bigint {
  return interpreter(program, options)(mem);
}

/**
 * The run loop. Each op returns the next pc, EXIT (return from the current function,
 * or from the program at depth 0) or HALT (end the program now, r0 already set).
 */
function execute(ops: readonly Op[], m: Machine, budget: number): bigint {
  const u64 = m.regs.u64;
  let pc = 0;
  let remaining = budget;
  try {
    for (;;) {
      if (remaining === 0) {
        throw new RuntimeTrap('BUDGET_EXHAUSTED', `instruction budget of ${budget} exhausted`, pc);
      }
      remaining--;
      pc = ops[pc]();
      if (pc < 0) {
        if (pc === HALT || m.depth === 0) return u64[0];
        pc = m.leaveFrame();
      }
    }
  } catch (e) {
    if (e instanceof ExitProgram) return BigInt.asUintN(64, e.r0);
    throw e;
  }
}

