import binaryen from './binaryen.js';
import type { Layout } from '../abi/layout.js';
import type { SkbHeaders } from '../abi/program-types.js';
import { REG_COUNT } from '../abi/registers.js';
import type { FunctionAnalysis } from '../analysis/program-analysis.js';
import type { Region } from '../abi/layout.js';
import type { Insn } from '../decode/insn.js';
import type { HelperDef } from '../helpers/registry.js';

/**
 * A thin typed layer over binaryen.js (in the spirit of AssemblyScript's module.ts):
 * register access, constants and temporaries for the function being emitted. The
 * zero-extension rule of 32-bit ALU results lives here, in `setReg32`, and nowhere else.
 */

export type Expr = binaryen.ExpressionRef;

const { i32, i64 } = binaryen;

/**
 * Every eBPF function becomes a Wasm function whose first eleven params are the
 * registers: r0..r9 at local indices 0..9 and r10 (the frame pointer) at 10. Passing
 * all of them keeps a callee's view of the registers identical to the interpreter's.
 * (The entry function, when nothing calls it, is emitted into the exported $run instead,
 * its registers locals after run's params: entry.ts.)
 */
export const FUNC_PARAMS = binaryen.createType(new Array(REG_COUNT).fill(i64));

/** Names shared between the module builder and the emitters. */
export const NAMES = {
  memory: 'mem',
  heapEnd: 'heap_end',
  inputLen: 'input_len',
  ctxLen: 'ctx_len',
  /** Per-run `max(len - size + 1, 0)` for the input and context regions, by access size. */
  inputLimit: (size: number) => `input_lim${size}`,
  ctxLimit: (size: number) => `ctx_lim${size}`,
  budget: 'budget',
  /** may_goto's allowance left in this run (set to MAY_GOTO_LOOPS by run). */
  mayGoto: 'may_goto',
  /** Times a counted loop's guard passed and its fast copy ran (exported: JitProgram.fastLoopEntries). */
  fastLoops: 'fast_loops',
  trapOob: 'trap_oob',
  valueAccessible: 'value_accessible',
  trap: 'trap',
  abortWith: 'abort_with',
  callx: 'callx',
  bpfLoop: 'bpf_loop',
  run: 'run',
  func: (index: number) => `f${index}`,
  helper: (id: number) => `h${id}`,
} as const;

/** Codes passed to the `trap` import; the runtime turns them into `RuntimeTrap`s. */
export const TRAP = { BUDGET_EXHAUSTED: 1, CALL_DEPTH_EXCEEDED: 2, BAD_CALL_TARGET: 3 } as const;

export interface ModuleInfo {
  readonly m: binaryen.Module;
  readonly layout: Layout;
  readonly insns: readonly Insn[];
  /** Function index of each function entry pc. */
  readonly functionAt: ReadonlyMap<number, number>;
  /** The helper registered under `id` at compile time, if any. */
  helper(id: number): HelperDef | undefined;
  /** Record that the program calls helper `id` (its import, or intrinsic, gets declared). */
  useHelper(id: number): void;
  /** The value an lddw loads, as the load stage resolved it (constants, code pointers, map addresses). */
  lddwValue(insn: Insn): bigint;
  /** Per-run globals the code reads (NAMES.budget, input_lim4...): the entry sets only these. */
  readonly usedGlobals: Set<string>;
  /** Whether stores may reach the context (abi/program-types.ts). */
  readonly contextWritable: boolean;
  /**
   * Every access is checked (JitOptions.checkEveryAccess): a store may then reach a writable
   * context, whose fields the verifier checked, where otherwise only proven stores do.
   */
  readonly checkEveryAccess: boolean;
  /** skb programs: where LD_ABS/LD_IND's negative offsets read (abi/program-types.ts). */
  readonly skbHeaders: SkbHeaders | undefined;
}

export function i64Const(m: binaryen.Module, value: bigint | number): Expr {
  return m.i64.const(BigInt.asIntN(64, BigInt(value)));
}

export interface Temp {
  readonly index: number;
  readonly type: binaryen.Type;
  get(): Expr;
  set(value: Expr): Expr;
}

/** The locals of the Wasm function being emitted after its registers. */
class Locals {
  /** Their types, in local index order from `first`. */
  readonly types: binaryen.Type[] = [];

  constructor(private readonly m: binaryen.Module, private readonly first: number) {}

  add(type: 'i32' | 'i64'): Temp {
    const t = type === 'i64' ? i64 : i32;
    this.types.push(t);
    const index = this.first + this.types.length - 1;
    const m = this.m;
    return {
      index,
      type: t,
      get: () => m.local.get(index, t),
      set: (value: Expr) => m.local.set(index, value),
    };
  }
}

/**
 * What differs between the copies of code emitted for one function: registers read from
 * and written to other locals (speculated code, emit-speculation.ts), and accesses emitted
 * without a check (a counted loop's fast copy, whose guard checked them).
 */
interface Scope {
  readonly shadows: ReadonlyMap<number, number>;
  readonly unchecked: ReadonlySet<number>;
}

const PLAIN: Scope = { shadows: new Map(), unchecked: new Set() };

export class FunctionContext {
  readonly m: binaryen.Module;

  /** The function's local copy of the instruction budget, if it has loops. */
  readonly fuel: Temp | undefined;

  private constructor(
    readonly module: ModuleInfo,
    /** What the analyses found (analysis/program-analysis.ts): read, never recomputed. */
    readonly analysis: FunctionAnalysis,
    /** Local index of r0: 0 when the registers are the params, else after the params (`create`). */
    readonly firstRegister: number,
    private readonly locals: Locals,
    private readonly scope: Scope,
    fuel: Temp | undefined,
  ) {
    this.m = module.m;
    this.fuel = fuel;
  }

  /**
   * The context of a new Wasm function for the analysed eBPF function. Its registers are
   * its eleven params, or with `firstRegister` > 0 the locals from there on (the entry
   * function emitted as `$run` itself, after run's own params: see entry.ts).
   */
  static create(module: ModuleInfo, analysis: FunctionAnalysis, firstRegister = 0): FunctionContext {
    const locals = new Locals(module.m, firstRegister + REG_COUNT);
    const fuel = analysis.hasLoops ? locals.add('i64') : undefined;
    if (analysis.hasLoops) module.usedGlobals.add(NAMES.budget);
    return new FunctionContext(module, analysis, firstRegister, locals, PLAIN, fuel);
  }

  /** This function, emitting with accesses `pcs` unchecked (a counted loop's fast copy). */
  withUnchecked(pcs: ReadonlySet<number>): FunctionContext {
    return new FunctionContext(this.module, this.analysis, this.firstRegister, this.locals, { ...this.scope, unchecked: pcs }, this.fuel);
  }

  /** This function, emitting with some registers in other locals (`shadows`: register -> local). */
  withShadows(shadows: ReadonlyMap<number, number>): FunctionContext {
    return new FunctionContext(this.module, this.analysis, this.firstRegister, this.locals, { ...this.scope, shadows }, this.fuel);
  }

  /** Types of the locals after the registers. */
  get vars(): readonly binaryen.Type[] {
    return this.locals.types;
  }

  /** Whether the access at `pc` needs no range check: proven by the analyses, or by a loop guard. */
  isUnchecked(pc: number): boolean {
    return this.analysis.proven.has(pc) || this.scope.unchecked.has(pc);
  }

  /** The region the access at `pc` touches, as the verifier placed it (program-analysis.ts); the stack if nothing is known. */
  regionGuess(pc: number): Region {
    return this.analysis.regionGuess.get(pc) ?? 'stack';
  }

  /** (global.get $name), recording that the entry must set the global for each run. */
  global(name: string, type: binaryen.Type): Expr {
    this.module.usedGlobals.add(name);
    return this.m.global.get(name, type);
  }

  /** The function's prologue: load the budget into $fuel if the function has loops. */
  prologue(): Expr[] {
    return this.fuel ? [this.loadFuel()] : [];
  }

  /** (local.set $fuel (global.get $budget)), or a nop for loop-free functions. */
  loadFuel(): Expr {
    return this.fuel ? this.fuel.set(this.m.global.get(NAMES.budget, i64)) : this.m.nop();
  }

  /** (global.set $budget (local.get $fuel)): before calls and returns, so callees see it. */
  storeFuel(): Expr {
    return this.fuel ? this.m.global.set(NAMES.budget, this.fuel.get()) : this.m.nop();
  }

  /** Wrap a call that may run eBPF code (local call, callx) with a fuel store and reload. */
  aroundCall(call: Expr): Expr {
    return this.fuel ? this.m.block(null, [this.storeFuel(), call, this.loadFuel()]) : call;
  }

  /** `local.get $rN` (i64). */
  reg(r: number): Expr {
    return this.m.local.get(this.scope.shadows.get(r) ?? this.firstRegister + r, i64);
  }

  /** `local.set $rN value` for an i64 value. */
  setReg(r: number, value: Expr): Expr {
    return this.m.local.set(this.scope.shadows.get(r) ?? this.firstRegister + r, value);
  }

  /** The low 32 bits of a register: `i32.wrap_i64 (local.get $rN)`. */
  reg32(r: number): Expr {
    return this.m.i32.wrap(this.reg(r));
  }

  /** Write a 32-bit result, zeroing the upper half: `local.set $rN (i64.extend_i32_u value)`. */
  setReg32(r: number, value32: Expr): Expr {
    return this.setReg(r, this.m.i64.extend_u(value32));
  }

  i64(value: bigint | number): Expr {
    return i64Const(this.m, value);
  }

  i32(value: number): Expr {
    return this.m.i32.const(value | 0);
  }

  /** A fresh local of `type`; binaryen's optimiser coalesces temporaries afterwards. */
  temp(type: 'i32' | 'i64'): Temp {
    return this.locals.add(type);
  }

  /** `call $trap (code, pc)` followed by `unreachable` (the import always throws). */
  trap(code: number, pc: number): Expr {
    return this.m.block(null, [this.m.call(NAMES.trap, [this.i32(code), this.i32(pc)], binaryen.none), this.m.unreachable()]);
  }
}

/** binaryen.js has `Function.setLocalName` at run time but its typings do not expose it. */
export function setLocalName(func: binaryen.FunctionRef, index: number, name: string): void {
  (binaryen as unknown as { Function: { setLocalName(f: number, i: number, n: string): void } }).Function.setLocalName(func, index, name);
}
