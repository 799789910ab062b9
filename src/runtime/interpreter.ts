import { decode } from '../decode/decode.js';
import { encode } from '../decode/encode.js';
import type { Insn } from '../decode/insn.js';
import { DecodeError, RuntimeTrap, VerifierError } from '../errors.js';
import { ExitProgram, type HelperRegistry } from '../helpers/registry.js';
import { analyzeStructure } from '../verify/structure.js';
import { checkLoadable, compileProgram } from './interp/compile.js';
import { Machine } from './interp/machine.js';
import { HALT, type Op } from './interp/op.js';
import { createRegisterFile } from './interp/registers.js';
import type { BpfMap } from './maps/bpf-map.js';
import type { Program, RunResult } from './program.js';
import { lddwResolver } from './pseudo-lddw.js';
import { Runtime } from './runtime.js';
import { ENTER, runChain } from './tail-call.js';

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
  /** Most instructions one run may execute before BUDGET_EXHAUSTED (default 100 000 000). */
  budget?: number;
  /** Maps that `lddw map_idx(i)` / `map_idx_value(i, off)` refer to by index (maps of the runtime). */
  maps?: readonly BpfMap[];
}

export const DEFAULT_BUDGET = 100_000_000;

/** Runtimes with an interpreted program currently running (their stack and input are in use). */
const busyRuntimes = new WeakSet<Runtime>();

/**
 * Validated instructions: bytes are decoded; an `Insn[]` is range-checked and round-
 * tripped through the encoder and decoder, so hand-built instructions get exactly the
 * decoder's validation (fields, registers, slot numbering).
 */
function toInstructions(program: Uint8Array | readonly Insn[]): Insn[] {
  if (program instanceof Uint8Array) return decode(program);
  if (!Array.isArray(program)) {
    throw new DecodeError('BAD_INPUT', 'program must be a Uint8Array or an array of instructions');
  }
  let slot = 0;
  for (const insn of program as readonly Insn[]) {
    if (typeof insn !== 'object' || insn === null || typeof insn.spec !== 'object' || insn.spec === null) {
      throw new DecodeError('BAD_INPUT', 'program array holds something that is not an instruction', slot);
    }
    const fieldsFit = Number.isInteger(insn.dst) && insn.dst >= 0 && insn.dst <= 15
      && Number.isInteger(insn.src) && insn.src >= 0 && insn.src <= 15
      && Number.isInteger(insn.off) && insn.off >= -0x8000 && insn.off <= 0x7fff
      && [insn.imm, insn.imm2].every((v) => Number.isInteger(v) && v >= -0x8000_0000 && v <= 0x7fff_ffff);
    if (!fieldsFit) throw new DecodeError('BAD_FIELD', 'instruction field out of range', slot);
    if (insn.pc !== slot) {
      throw new DecodeError('BAD_PC', `instruction has pc ${insn.pc}, but its slot index is ${slot}`, slot);
    }
    slot += insn.spec.slots;
  }
  return decode(encode(program));
}

/** Load a program for interpretation. Throws DecodeError / VerifierError for bad programs. */
export function interpreter(program: Uint8Array | readonly Insn[], options: InterpreterOptions = {}): Program {
  const runtime = options.runtime ?? new Runtime({ helpers: options.helpers });
  const helpers = options.helpers ?? runtime.helpers;
  const budget = options.budget ?? DEFAULT_BUDGET;
  if (!Number.isSafeInteger(budget) || budget < 0) {
    throw new RangeError(`budget must be a non-negative safe integer, got ${budget}`);
  }
  const insns = toInstructions(program);
  const shape = analyzeStructure(insns);
  const resolveLddw = lddwResolver({ runtime, maps: options.maps }, (code, message, pc) => new VerifierError(code, message, pc));
  checkLoadable(shape, helpers, resolveLddw);
  const { ops, machine } = compileProgram(shape, helpers,
    (constants) => new Machine(runtime, createRegisterFile(constants)), resolveLddw);

  /** One program of a (tail-call) chain: r1 given, over the input already in place. */
  const enter = (r1: bigint): bigint => {
    if (busyRuntimes.has(runtime)) {
      throw new RuntimeTrap('REENTRANT_RUN', 'a program of this runtime is already running (called from a helper?)');
    }
    busyRuntimes.add(runtime);
    try {
      machine.reset(r1);
      return execute(ops, machine, budget);
    } finally {
      busyRuntimes.delete(runtime);
    }
  };
  const inputAddress = BigInt(runtime.layout.inputBase);
  const run = (mem?: Uint8Array): RunResult => {
    const memory = mem ?? new Uint8Array(0);
    if (busyRuntimes.has(runtime)) {
      throw new RuntimeTrap('REENTRANT_RUN', 'a program of this runtime is already running (called from a helper?)');
    }
    runtime.setInput(memory);
    try {
      return { r0: runChain(runtime, enter, inputAddress), memory };
    } finally {
      // Like ubpf running over the caller's buffer in place: writes are visible even
      // when the run trapped part-way.
      memory.set(runtime.bytes().subarray(runtime.layout.inputBase, runtime.layout.inputBase + memory.length));
    }
  };
  const prog = (mem?: Uint8Array): bigint => run(mem).r0;
  return Object.assign(prog, { run, engine: 'interp' as const, insns, runtime, [ENTER]: enter });
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

