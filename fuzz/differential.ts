import { isEbpfError, RuntimeTrap } from '../src/errors.js';
import type { Insn } from '../src/decode/insn.js';
import { BPF_LOOP } from '../src/helpers/loop.js';
import { HelperRegistry } from '../src/helpers/registry.js';
import { jit } from '../src/jit/jit.js';
import { interpreter } from '../src/interp/interpreter.js';
import type { EngineName } from '../src/runtime/program.js';
import { Runtime } from '../src/runtime/runtime.js';
import { FUZZ_HELPER_ID } from './generator.js';

/** What one engine did with one program: r0 or a typed error, and memory afterwards. */
export interface Outcome {
  readonly r0?: bigint;
  readonly error?: { kind: string; code: string; pc?: number; address?: bigint; size?: number; message: string };
  /** The stack region followed by the input, after the run. */
  readonly memory: Uint8Array;
}

/** A deterministic helper that mixes its arguments, registered in both engines. */
export function fuzzHelpers(): HelperRegistry {
  return new HelperRegistry([BPF_LOOP]).define(FUZZ_HELPER_ID, (a, b, c, d, e) =>
    BigInt.asUintN(64, (a * 0x9e3779b97f4a7c15n) ^ (b << 7n) ^ (c >> 3n) ^ (d + e)), 'fuzz_mix');
}

export interface RunOptions {
  /** Binaryen optimisation level for the JIT (default: the JIT's default). */
  optLevel?: 0 | 1 | 2 | 3;
  budget?: number;
}

/**
 * The fuzz runs' instruction budget: generated loops either end within a few thousand
 * instructions or run (nearly) forever, and 5 million ends those in ~50 ms in the
 * interpreter. The engines count differently (see `compareEngines`): where both run
 * out they agree, where one does it runs again with more. The budget stays far above
 * what finite programs use (a bpf_loop of 65,535 calls charged 1.6 million in the JIT).
 */
export const FUZZ_BUDGET = 5_000_000;

export function runEngine(engine: EngineName, insns: readonly Insn[], input: Uint8Array, options: RunOptions = {}): Outcome {
  const runtime = new Runtime({ helpers: fuzzHelpers(), maxInputSize: 4096 });
  const mem = input.slice();
  let r0: bigint | undefined;
  let error: Outcome['error'];
  try {
    const prog = engine === 'jit'
      ? jit(insns, { runtime, optLevel: options.optLevel, budget: options.budget ?? FUZZ_BUDGET })
      : interpreter(insns, { runtime, budget: options.budget ?? FUZZ_BUDGET });
    r0 = prog(mem);
  } catch (e) {
    if (!isEbpfError(e)) throw e;
    error = {
      kind: e.kind,
      code: e.code,
      pc: e.pc,
      address: e instanceof RuntimeTrap ? e.address : undefined,
      size: e instanceof RuntimeTrap ? e.size : undefined,
      message: e.message,
    };
  }
  const { stackBase, stackTop, inputBase } = runtime.layout;
  const bytes = runtime.bytes();
  const memory = new Uint8Array(stackTop - stackBase + input.length);
  memory.set(bytes.subarray(stackBase, stackTop));
  memory.set(bytes.subarray(inputBase, inputBase + input.length), stackTop - stackBase);
  return { r0, error, memory };
}

/** How much more budget an engine that alone ran out of it gets for its second run. */
export const RERUN_FACTOR = 16;

export interface Comparison {
  readonly interp: Outcome;
  readonly jit: Outcome;
  /** Why they differ, or undefined when they agree. */
  readonly why?: string;
}

const exhausted = (o: Outcome) => o.error?.code === 'BUDGET_EXHAUSTED';

/**
 * Run a program in both engines and compare. The budget is counted differently (the
 * interpreter counts every instruction it runs; the JIT charges the static length of a
 * loop body at its back edge and of a whole callback per bpf_loop call, and nothing for
 * straight-line code), so a program near the budget may run out in one engine only.
 * That engine then runs again with RERUN_FACTOR times the budget and must agree: a
 * real divergence (a loop the JIT never leaves) still shows.
 */
export function compareEngines(insns: readonly Insn[], input: Uint8Array, options: RunOptions = {}): Comparison {
  let interp = runEngine('interp', insns, input, options);
  let jitted = runEngine('jit', insns, input, options);
  if (exhausted(interp) !== exhausted(jitted)) {
    const more = { ...options, budget: (options.budget ?? FUZZ_BUDGET) * RERUN_FACTOR };
    if (exhausted(interp)) interp = runEngine('interp', insns, input, more);
    else jitted = runEngine('jit', insns, input, more);
  }
  return { interp, jit: jitted, why: divergence(interp, jitted) };
}

/** Why two outcomes differ, or undefined when they agree. */
export function divergence(a: Outcome, b: Outcome): string | undefined {
  if (a.error?.code === 'BUDGET_EXHAUSTED' && b.error?.code === 'BUDGET_EXHAUSTED') return undefined; // where and after how much differs
  if (a.error || b.error) {
    if (!a.error || !b.error) return `one engine failed: ${a.error?.message ?? `r0=${a.r0}`} vs ${b.error?.message ?? `r0=${b.r0}`}`;
    const keys = ['code', 'pc', 'address', 'size'] as const;
    for (const k of keys) if (a.error[k] !== b.error[k]) return `errors differ in ${k}: ${a.error.message} vs ${b.error.message}`;
  } else if (a.r0 !== b.r0) {
    return `r0 differs: 0x${a.r0!.toString(16)} vs 0x${b.r0!.toString(16)}`;
  }
  for (let i = 0; i < a.memory.length; i++) {
    if (a.memory[i] !== b.memory[i]) return `memory differs at byte ${i} of stack+input: ${a.memory[i]} vs ${b.memory[i]}`;
  }
  return undefined;
}
