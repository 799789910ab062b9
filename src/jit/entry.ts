import binaryen from 'binaryen';
import type { Layout } from '../runtime/layout.js';
import { i64Const, NAMES, type Expr } from './context.js';

/**
 * The module's exported entry points: `run` (one input, already in the input area) and
 * `run_batch` (many inputs staged in linear memory, one JS-to-Wasm call for all).
 * Both start each program run the same way (`startRun`): set the per-run globals, then
 * call function 0 with r1, r2 = input length and r10 at the top of the stack. The stack
 * is not cleared: a 4 KiB memory.fill costs ~100 ns, more than a whole packet filter;
 * its contents are unspecified at entry (zero in a fresh runtime), as in ubpf.
 */

const { i32, i64, f64, none } = binaryen;

export const ACCESS_SIZES = [1, 2, 4, 8] as const;

/** Names of run_batch's own pieces. */
export const BATCH = {
  export: 'run_batch',
  /** The index of the input being run: JS reads it when a run throws. */
  at: 'batch_at',
  copy: 'batch_copy',
} as const;

/** Inputs up to this many bytes are copied by a Wasm loop rather than memory.copy. */
const SMALL_COPY = 256;

/**
 * $batch_copy (dst i32, src i32, len i32): exact copy. V8 compiles memory.copy to a call
 * into C++, which costs more than a whole packet filter for a 64-byte packet; small
 * copies are an i64 loop and a byte loop instead:
 *   (if (i32.gt_u $len 256) (then (memory.copy $dst $src $len) (return)))
 *   (local.set $end (i32.add $src (i32.and $len -8)))
 *   (loop (if (i32.lt_u $src $end) (then (i64.store $dst (i64.load $src)) <dst, src += 8> (br 1))))
 *   (local.set $end (i32.add $src (i32.and $len 7)))
 *   (loop (if (i32.lt_u $src $end) (then (i32.store8 $dst (i32.load8_u $src)) <dst, src += 1> (br 1))))
 */
function addBatchCopy(m: binaryen.Module): void {
  const [dst, src, len, end] = [0, 1, 2, 3];
  const get = (local: number) => m.local.get(local, i32);
  const bump = (local: number, by: number) => m.local.set(local, m.i32.add(get(local), m.i32.const(by)));
  const chunks = (label: string, step: number, move: Expr) => m.loop(label, m.if(m.i32.lt_u(get(src), get(end)), m.block(null, [
    move, bump(dst, step), bump(src, step), m.br(label),
  ])));
  m.addFunction(BATCH.copy, binaryen.createType([i32, i32, i32]), none, [i32], m.block(null, [
    m.if(m.i32.gt_u(get(len), m.i32.const(SMALL_COPY)), m.block(null, [m.memory.copy(get(dst), get(src), get(len)), m.return()])),
    m.local.set(end, m.i32.add(get(src), m.i32.and(get(len), m.i32.const(-8)))),
    chunks('words', 8, m.i64.store(0, 1, get(dst), m.i64.load(0, 1, get(src)))),
    m.local.set(end, m.i32.add(get(src), m.i32.and(get(len), m.i32.const(7)))),
    chunks('bytes', 1, m.i32.store8(0, 1, get(dst), m.i32.load8_u(0, 1, get(src)))),
  ]));
}

/** (global.set $lim (select (i64.sub len size-1) 0 (i32.ge_u len size))): the one-compare range limit. */
function setLimit(m: binaryen.Module, name: string, length: () => Expr, size: number): Expr {
  return m.global.set(name, m.select(
    m.i32.ge_u(length(), m.i32.const(size)),
    m.i64.sub(m.i64.extend_u(length()), i64Const(m, size - 1)),
    i64Const(m, 0),
  ));
}

/**
 * One program run over the input in the input area:
 *   (global.set $input_len len) (global.set $ctx_len ctx_len) <the eight range limits>
 *   (global.set $budget (i64.trunc_sat_f64_u budget))
 *   (call $f0 (i64.const 0) r1 (i64.extend_i32_u len) 0 ... 0 (i64.const stackTop))
 */
function startRun(m: binaryen.Module, layout: Layout, r1: Expr, len: () => Expr, ctxLen: () => Expr, budget: () => Expr): Expr[] {
  const zero = () => i64Const(m, 0);
  const regs = [zero(), r1, m.i64.extend_u(len()), ...Array.from({ length: 7 }, zero), i64Const(m, layout.stackTop)];
  return [
    m.global.set(NAMES.inputLen, len()),
    m.global.set(NAMES.ctxLen, ctxLen()),
    ...ACCESS_SIZES.flatMap((size) => [setLimit(m, NAMES.inputLimit(size), len, size), setLimit(m, NAMES.ctxLimit(size), ctxLen, size)]),
    m.global.set(NAMES.budget, m.i64.trunc_u_sat.f64(budget())),
    m.call(NAMES.func(0), regs, i64),
  ];
}

/**
 * run (r1 i64, input_len i32, ctx_len i32, budget f64) -> i64. r1 is a full i64 because
 * a tail call passes whatever ctx value the caller had.
 */
export function addRun(m: binaryen.Module, layout: Layout): void {
  const p = (i: number, type = i32) => () => m.local.get(i, type);
  const run = startRun(m, layout, m.local.get(0, i64), p(1), p(2), p(3, f64));
  m.addFunction(NAMES.run, binaryen.createType([i64, i32, i32, f64]), i64, [], m.block(null, [
    ...run.slice(0, -1),
    m.return(run[run.length - 1]),
  ], i64));
  m.addFunctionExport(NAMES.run, NAMES.run);
}

/**
 * run_batch (descs i32, results i32, from i32, count i32, ctx_len i32, budget f64, copy_back i32):
 * for i in from..count, descriptor i = (u32 address, u32 length) at descs + 8i names an
 * input staged in linear memory; copy it into the input area, run, store r0 at
 * results + 8i and, if the program writes memory, copy the input back:
 *   (loop $next
 *     (br_if $done (i32.ge_u $i $count))
 *     (global.set $batch_at $i)
 *     (if (i32.gt_u $len maxInputSize) (unreachable))
 *     (call $batch_copy (inputBase) $src $len)
 *     (i64.store (results + 8i) <startRun>)
 *     (if $copy_back (call $batch_copy $src (inputBase) $len))
 *     (local.set $i (i32.add $i 1)) (br $next))
 * A run that throws (a trap, or a helper ending the program) unwinds the whole loop;
 * the JS side reads $batch_at, settles that input, and calls again from the next one.
 */
export function addRunBatch(m: binaryen.Module, layout: Layout): void {
  const [descs, results, from, count, ctxLen, budget, copyBack] = [0, 1, 2, 3, 4, 5, 6];
  const [index, src, len] = [7, 8, 9];
  const get = (local: number, type = i32) => m.local.get(local, type);
  const input = () => m.i32.const(layout.inputBase);
  const desc = () => m.i32.add(get(descs), m.i32.shl(get(index), m.i32.const(3)));
  const run = startRun(m, layout, i64Const(m, layout.inputBase), () => get(len), () => get(ctxLen), () => get(budget, f64));
  m.addGlobal(BATCH.at, i32, true, m.i32.const(0));
  addBatchCopy(m);
  const body = m.block(null, [
    m.local.set(index, get(from)),
    m.block('done', [m.loop('next', m.block(null, [
      m.br('done', m.i32.ge_u(get(index), get(count))),
      m.global.set(BATCH.at, get(index)),
      m.local.set(src, m.i32.load(0, 4, desc())),
      m.local.set(len, m.i32.load(4, 4, desc())),
      // The batch checks lengths when inputs are added; descriptors live in program-
      // writable memory, so check again rather than copy past the input area.
      m.if(m.i32.gt_u(get(len), m.i32.const(layout.maxInputSize)), m.unreachable()),
      m.call(BATCH.copy, [input(), get(src), get(len)], none),
      ...run.slice(0, -1),
      m.i64.store(0, 8, m.i32.add(get(results), m.i32.shl(get(index), m.i32.const(3))), run[run.length - 1]),
      m.if(get(copyBack), m.call(BATCH.copy, [get(src), input(), get(len)], none)),
      m.local.set(index, m.i32.add(get(index), m.i32.const(1))),
      m.br('next'),
    ]))]),
  ]);
  m.addFunction(BATCH.export, binaryen.createType([i32, i32, i32, i32, i32, f64, i32]), none, [i32, i32, i32], body);
  m.addFunctionExport(BATCH.export, BATCH.export);
  m.addGlobalExport(BATCH.at, BATCH.at);
}
