import binaryen from 'binaryen';
import type { Insn } from '../decode/insn.js';
import type { HelperDef } from '../helpers/registry.js';
import type { Layout } from '../runtime/layout.js';
import type { Region } from './regions.js';

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
 */
export const REG_COUNT = 11;
export const FP = 10;
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
  trapOob: 'trap_oob',
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
  /** The value an lddw loads (map pseudo loads resolved; throws CompileError). */
  resolveLddw(insn: Insn): bigint;
  /** Per-run globals the code reads (NAMES.budget, input_lim4...): the entry sets only these. */
  readonly usedGlobals: Set<string>;
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

export class FunctionContext {
  readonly m: binaryen.Module;
  /** Types of the locals beyond the eleven register params. */
  readonly vars: binaryen.Type[] = [];

  /** The function's local copy of the instruction budget, if it has loops. */
  readonly fuel: Temp | undefined;

  /**
   * Accesses emitted without a check in the code being emitted now: set while the fast
   * copy of a counted loop is emitted, whose guard has checked them (counted-loops.ts).
   */
  unchecked: ReadonlySet<number> = new Set();

  constructor(
    readonly module: ModuleInfo,
    /** The region each memory access probably touches, by pc (see regions.ts). */
    readonly regionGuess: ReadonlyMap<number, Region> = new Map(),
    hasLoops = false,
    /** Accesses proven inside the input, by pc: no check (see input-bounds.ts). */
    readonly provenInput: ReadonlySet<number> = new Set(),
  ) {
    this.m = module.m;
    this.fuel = hasLoops ? this.temp('i64') : undefined;
    if (hasLoops) module.usedGlobals.add(NAMES.budget);
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

  /** Locals standing in for registers while speculated code is emitted (if-conversion.ts). */
  private shadowOf: ReadonlyMap<number, number> = new Map();

  /** Emit with some registers read from and written to other locals (`shadows`: register -> local). */
  withRegisters(shadows: ReadonlyMap<number, number>, emit: () => void): void {
    const saved = this.shadowOf;
    this.shadowOf = shadows;
    try { emit(); } finally { this.shadowOf = saved; }
  }

  /** `local.get $rN` (i64). */
  reg(r: number): Expr {
    return this.m.local.get(this.shadowOf.get(r) ?? r, i64);
  }

  /** `local.set $rN value` for an i64 value. */
  setReg(r: number, value: Expr): Expr {
    return this.m.local.set(this.shadowOf.get(r) ?? r, value);
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
    const t = type === 'i64' ? i64 : i32;
    this.vars.push(t);
    const index = REG_COUNT + this.vars.length - 1;
    const m = this.m;
    return {
      index,
      type: t,
      get: () => m.local.get(index, t),
      set: (value: Expr) => m.local.set(index, value),
    };
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
