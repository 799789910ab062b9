import binaryen from './binaryen.js';
import { ENTER } from '../abi/signals.js';
import type { ProgramType } from '../abi/program-types.js';
import { writesMemory, type Insn } from '../decode/insn.js';
import { CompileError, fromWasmTrap } from '../errors.js';
import type { HelperRegistry } from '../helpers/registry.js';
import type { BpfMap } from '../maps/bpf-map.js';
import type { Program } from '../runtime/program.js';
import { checkLoadArguments } from '../runtime/load-arguments.js';
import { programRuns } from '../runtime/runner.js';
import { Runtime } from '../runtime/runtime.js';
import { prepareProgram } from '../verify/load-stage.js';
import type { VerifyMode } from '../verify/validated-program.js';
import { NAMES } from './context.js';
import { moduleImports } from './imports.js';
import { compileModule } from './module.js';
import { checkOptLevel, type OptLevel } from './opt-level.js';

export interface JitOptions {
  /** Runtime whose memory, maps and helpers the program uses (default: a fresh one). */
  runtime?: Runtime;
  /**
   * Helpers this program may call, by id (default: the runtime's, else the kernel helpers). They receive r1..r5
   * as unsigned 64-bit bigints and return r0 as a bigint or a safe-integer number: the
   * Wasm import takes i64 parameters, which V8 hands to JS as BigInts. Measured on this
   * machine, that costs ~29 ns per call against ~55 ns for f64 (inexact) and 70-90 ns
   * for (lo, hi) i32 pairs rebuilt into BigInts, so the exact encoding is also the fastest.
   */
  helpers?: HelperRegistry;
  /** Optimisation level, 0-3 (default 1: a short Binaryen pipeline; 2/3 are Binaryen's -O2/-O3). */
  optLevel?: OptLevel;
  /**
   * Instruction budget per run (default DEFAULT_BUDGET, 100,000,000). The JIT charges it at loop back
   * edges, with the length of the loop body, so a runaway loop ends in a
   * `RuntimeTrap` `BUDGET_EXHAUSTED` instead of hanging. A loop whose trip count it can
   * bound runs unchecked only if the budget covers all of its possible iterations, and
   * is charged for those it ran when it ends.
   */
  budget?: number;
  /** Maps that `lddw map_idx(i)` / `map_idx_value(i, off)` refer to by index (maps of the runtime). */
  maps?: readonly BpfMap[];
  /** The program's type (default `raw`): its context, its helpers (abi/program-types.ts). */
  programType?: ProgramType;
  /** How the verifier treats the program: `strict` (default for kernel types) or `checked` (default for raw). */
  verify?: VerifyMode;
  /**
   * Compile every memory access with its run-time check, the verifier's proofs ignored
   * (default false): slower, and a test of the verifier, since a check that fires where
   * the verifier proved none was needed shows a wrong proof.
   */
  checkEveryAccess?: boolean;
}

export interface JitProgram extends Program {
  /** The compiled module's bytes. */
  readonly wasm: Uint8Array;
  /** The module as WebAssembly text. */
  wat(): string;
  /**
   * How many times, over all runs so far, a counted loop's guard passed and the loop ran
   * its fast copy (no range checks, no budget charge per iteration): a profile of the
   * loop versioning README's "Where the time goes" describes.
   */
  fastLoopEntries(): number;
  /** The pcs of the memory accesses compiled with a run-time range check (what no analysis proved). */
  readonly checkedAccesses: readonly number[];
}

/** Compile the bytes with V8; a rejection would be a JIT bug, reported as such. */
function wasmModule(wasm: Uint8Array): WebAssembly.Module {
  try {
    return new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new CompileError('INTERNAL', `generated Wasm was rejected by V8: ${(e as Error).message}`);
  }
}

type RunExport = (r1: bigint, inputLen: number, ctxLen: number, budget: number) => bigint;

/**
 * JIT-compile an eBPF program to WebAssembly and instantiate it.
 *
 *   const prog = jit(bytes);
 *   const r0 = prog(packet);          // bigint, unsigned 64-bit
 */
export function jit(program: Uint8Array | readonly Insn[], jitOptions?: JitOptions): JitProgram {
  const options = checkLoadArguments('jit', program, jitOptions);
  const optLevel = checkOptLevel(options.optLevel);
  if (options.checkEveryAccess !== undefined && typeof options.checkEveryAccess !== 'boolean') {
    throw new TypeError(`jit: options.checkEveryAccess must be a boolean, got ${typeof options.checkEveryAccess}`);
  }
  const runtime = options.runtime ?? new Runtime();
  const prepared = prepareProgram(program, {
    runtime, helpers: options.helpers, maps: options.maps, budget: options.budget, programType: options.programType,
    verify: options.verify,
  });
  const { insns, helpers, budget, type } = prepared;
  const { wasm, helperIds, checkedAccesses } = compileModule({ program: prepared, optLevel, ignoreProofs: options.checkEveryAccess === true });
  const instance = new WebAssembly.Instance(wasmModule(wasm), moduleImports(runtime, helpers, helperIds));
  const run = instance.exports.run as RunExport;

  /** One program of a (tail-call) chain: r1 given, its context in place. */
  const enter = (r1: bigint): bigint => {
    try {
      return BigInt.asUintN(64, run(r1, runtime.inputLength, runtime.contextLength, budget));
    } catch (e) {
      throw fromWasmTrap(e);
    }
  };
  const runs = programRuns({ runtime, type, enter, writesMemory: writesMemory(insns) });
  const prog = runs.call as JitProgram;
  const extra = {
    engine: 'jit' as const,
    type,
    insns,
    runtime,
    wasm,
    run: runs.run,
    wat: () => {
      const mod = binaryen.readBinary(wasm);
      try {
        mod.setFeatures(binaryen.Features.All);
        return mod.emitText();
      } finally {
        mod.dispose();
      }
    },
    input: runs.input,
    runInput: runs.runInput,
    fastLoopEntries: () => (instance.exports[NAMES.fastLoops] as WebAssembly.Global).value as number,
    checkedAccesses,
    [ENTER]: enter,
  };
  return Object.assign(prog, extra);
}
