import binaryen from './binaryen.js';
import type { Layout } from '../abi/layout.js';
import { MAY_GOTO_LOOPS } from '../abi/limits.js';
import { FP, REG_COUNT } from '../abi/registers.js';
import { i64Const, NAMES, type Expr } from './context.js';
import { nameRegisters, type EmittedFunction } from './emit-function.js';

/**
 * The module's exported entry point, `run`: set the per-run globals, then run function 0
 * with r1, r2 = input length and r10 at the top of the stack. The stack is not cleared:
 * a 4 KiB memory.fill costs ~100 ns, more than a whole packet filter; its contents are
 * unspecified at entry (zero in a fresh runtime), as in ubpf.
 */

const { i32, i64, f64 } = binaryen;

export const ACCESS_SIZES = [1, 2, 4, 8] as const;

/** (global.set $lim (select (i64.sub len size-1) 0 (i32.ge_u len size))): the one-compare range limit. */
function setLimit(m: binaryen.Module, name: string, length: () => Expr, size: number): Expr {
  return m.global.set(name, m.select(
    m.i32.ge_u(length(), m.i32.const(size)),
    m.i64.sub(m.i64.extend_u(length()), i64Const(m, size - 1)),
    i64Const(m, 0),
  ));
}

/**
 * One program run over the input in the input area, setting those of the per-run globals
 * the code reads (`used`; each costs a little on every run, which for a packet filter is
 * most of the run):
 *   (global.set $input_len len) (global.set $ctx_len ctx_len) <range limits: input_lim4 ...>
 *   (global.set $budget (i64.trunc_sat_f64_u budget))
 */
function runGlobals(m: binaryen.Module, used: ReadonlySet<string>, len: () => Expr, ctxLen: () => Expr, budget: () => Expr): Expr[] {
  const sets: [string, () => Expr][] = [
    [NAMES.inputLen, () => m.global.set(NAMES.inputLen, len())],
    [NAMES.ctxLen, () => m.global.set(NAMES.ctxLen, ctxLen())],
    ...ACCESS_SIZES.flatMap((size): [string, () => Expr][] => [
      [NAMES.inputLimit(size), () => setLimit(m, NAMES.inputLimit(size), len, size)],
      [NAMES.ctxLimit(size), () => setLimit(m, NAMES.ctxLimit(size), ctxLen, size)],
    ]),
    [NAMES.budget, () => m.global.set(NAMES.budget, m.i64.trunc_u_sat.f64(budget()))],
    [NAMES.mayGoto, () => m.global.set(NAMES.mayGoto, i64Const(m, MAY_GOTO_LOOPS))],
  ];
  return sets.filter(([name]) => used.has(name)).map(([, set]) => set());
}

const RUN_PARAM_TYPES = [i64, i32, i32, f64];
/** How many params $run has: with the entry function emitted into it, its registers are the locals after them. */
export const RUN_PARAMS = RUN_PARAM_TYPES.length;

/**
 * run (r1 i64, input_len i32, ctx_len i32, budget f64) -> i64. r1 is a full i64 because
 * a tail call passes whatever ctx value the caller had. The registers start as r1,
 * r2 = input_len, r10 = the top of the stack and 0 for the others.
 *
 * `entry` given (the entry function, when nothing calls it: module.ts), its code is
 * $run's own, its registers the locals after run's params, which Wasm starts at 0:
 *   <run globals> (local.set $r1 (local.get 0)) (local.set $r2 (i64.extend_i32_u len))
 *   (local.set $r10 (i64.const stackTop)) <the entry function's body>
 * This saves a Wasm call passing eleven i64s on every run (port_filter's Wasm 8.1 -> 7.1 ns),
 * which Binaryen's inlining pass also did, for 0.2-0.6 ms more compile time (a fifth to a third).
 * Otherwise $run calls it:
 *   <run globals> (call $f0 (i64.const 0) r1 (i64.extend_i32_u len) 0 ... 0 (i64.const stackTop))
 */
export function addRun(m: binaryen.Module, layout: Layout, used: ReadonlySet<string>, entry?: EmittedFunction): void {
  const p = (i: number, type = i32) => () => m.local.get(i, type);
  const len = p(1);
  const globals = runGlobals(m, used, len, p(2), p(3, f64));
  const r1 = m.local.get(0, i64);
  const r2 = () => m.i64.extend_u(len());
  const params = binaryen.createType(RUN_PARAM_TYPES);
  if (entry) {
    const reg = (r: number) => RUN_PARAMS + r;
    const start = [m.local.set(reg(1), r1), m.local.set(reg(2), r2()), m.local.set(reg(FP), i64Const(m, layout.stackTop))];
    const vars = [...new Array(REG_COUNT).fill(i64), ...entry.vars];
    nameRegisters(m.addFunction(NAMES.run, params, i64, vars, m.block(null, [...globals, ...start, entry.body])), RUN_PARAMS);
  } else {
    const zero = () => i64Const(m, 0);
    const regs = [zero(), r1, r2(), ...Array.from({ length: 7 }, zero), i64Const(m, layout.stackTop)];
    m.addFunction(NAMES.run, params, i64, [], m.block(null, [...globals, m.return(m.call(NAMES.func(0), regs, i64))], i64));
  }
  m.addFunctionExport(NAMES.run, NAMES.run);
}
