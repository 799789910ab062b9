import binaryen from './binaryen.js';
import { FP, REG_COUNT } from '../abi/registers.js';
import { CODE_POINTER_TAG, STACK_FRAME_SIZE, type Layout } from '../abi/layout.js';
import { PROGRAM_TYPE_INFO } from '../abi/program-types.js';
import { analyzeProgram } from '../analysis/program-analysis.js';
import { branchTarget, memoryAccess, type Insn } from '../decode/insn.js';
import type { HelperDef, HelperRegistry } from '../helpers/registry.js';
import type { PreparedProgram } from '../verify/load-stage.js';
import { i64Const, NAMES, TRAP, type Expr, type ModuleInfo } from './context.js';
import { helperArgs, helperArity } from './emit-call.js';
import { ACCESS_SIZES, addRun, RUN_PARAMS } from './entry.js';
import { addBpfLoop } from './loop.js';
import { addFunction, emitFunction, type EmittedFunction } from './emit-function.js';
import { DEFAULT_OPT_LEVEL, type OptLevel } from './opt-level.js';

export { checkOptLevel, DEFAULT_OPT_LEVEL, type OptLevel } from './opt-level.js';

/**
 * One pass: optimize-instructions folds the 64-bit patterns of eBPF code (shift/mask
 * pairs, compares of extended values: checksum 1.48 -> 0.78 us). Measured on the nine
 * benchmark programs, adding remove-unused-brs, merge-blocks, simplify-locals, vacuum
 * or coalesce-locals changed no run time (V8 builds its own SSA and register
 * allocation) while each cost ~0.5 ms of compile time on a 200-instruction program;
 * inlining (which saves port_filter's call from $run to $f0, as addRun now does itself)
 * cost 0.2-0.6 ms.
 */
const FAST_PASSES = ['optimize-instructions'];

function optimize(m: binaryen.Module, level: OptLevel, passes?: readonly string[]): void {
  if (level === 0 && !passes) return;
  binaryen.setOptimizeLevel(level === 3 ? 3 : 2);
  binaryen.setShrinkLevel(0);
  if (passes || level === 1) m.runPasses([...(passes ?? FAST_PASSES)]);
  else m.optimize();
}

export interface CompileInput {
  /** A program the load stage has checked, for its runtime (verify/load-stage.ts). */
  readonly program: PreparedProgram;
  /** Optimisation level (default 1, see OptLevel). */
  readonly optLevel?: OptLevel;
  /** Explicit Binaryen pass list, run instead of the level's pipeline (for experiments). */
  readonly passes?: readonly string[];
  /** Check every memory access at run time, whatever the verifier proved (JitOptions.checkEveryAccess). */
  readonly ignoreProofs?: boolean;
}

export interface CompiledModule {
  readonly wasm: Uint8Array;
  /** Helper ids the module imports as `helpers.h<id>`. */
  readonly helperIds: readonly number[];
  /**
   * The pcs of the loads, stores and atomics compiled with a run-time range check: those
   * the verifier did not prove (a counted loop's fast copy
   * may still run them unchecked).
   */
  readonly checkedAccesses: readonly number[];
}

const { i32, i64, none } = binaryen;
const FEATURES = binaryen.Features.MVP | binaryen.Features.SignExt | binaryen.Features.BulkMemory
  | binaryen.Features.BulkMemoryOpt
  | binaryen.Features.MutableGlobals | binaryen.Features.NontrappingFPToInt;

/** Import signature of a helper: its `arity` argument registers and the call's pc, returning r0. */
function helperParams(arity: number): binaryen.Type {
  return binaryen.createType([...new Array(arity).fill(i64), i32]);
}

/** The memory and globals: declared before any function body refers to them. */
function declareMemoryAndGlobals(m: binaryen.Module): void {
  m.addMemoryImport(NAMES.memory, 'env', 'memory');
  m.addGlobalImport(NAMES.heapEnd, 'env', 'heap_end', i32, true);
  m.addGlobal(NAMES.budget, i64, true, i64Const(m, 0));
  m.addGlobal(NAMES.fastLoops, i32, true, m.i32.const(0));
  m.addGlobalExport(NAMES.fastLoops, NAMES.fastLoops);
  // The runtime's: helpers implemented in Wasm (maps) check pointers against them.
  m.addGlobalImport(NAMES.inputLen, 'env', 'input_len', i32, true);
  m.addGlobalImport(NAMES.ctxLen, 'env', 'ctx_len', i32, true);
  for (const size of ACCESS_SIZES) {
    m.addGlobal(NAMES.inputLimit(size), i64, true, i64Const(m, 0));
    m.addGlobal(NAMES.ctxLimit(size), i64, true, i64Const(m, 0));
  }
}

/** Function imports; helpers are known only once every function has been emitted. */
function declareFunctionImports(m: binaryen.Module, helpers: readonly HelperDef[]): void {
  m.addFunctionImport(NAMES.trapOob, 'env', 'trap_oob', binaryen.createType([i32, i64, i32]), none);
  m.addFunctionImport(NAMES.valueAccessible, 'env', 'value_accessible', binaryen.createType([i64, i32, i32]), i32);
  m.addFunctionImport(NAMES.trap, 'env', 'trap', binaryen.createType([i32, i32]), none);
  m.addFunctionImport(NAMES.abortWith, 'env', 'abort_with', i64, none);
  for (const def of helpers) {
    m.addFunctionImport(NAMES.helper(def.id), 'helpers', NAMES.helper(def.id), helperParams(helperArity(def)), i64);
  }
}

/**
 * $callx (target i64, pc i32, r0..r9, r10) -> i64. The possible targets are few and known
 * at compile time (function entries, registered helpers), so dispatch is a chain of
 * compares ending in direct calls, which V8 handles better than call_indirect:
 *   (if (i64.eq $target <TAG|entry>) (then <depth check> (return (call $fK $r0..$r9 (i64.sub $r10 512)))))
 *   (if (i64.eq $target <helper id>) (then (return (call $hN $r1..$r5 $pc))))
 *   (call $trap BAD_CALL_TARGET $pc) (unreachable)
 */
function addCallx(m: binaryen.Module, layout: Layout, entries: readonly number[], helpers: readonly HelperDef[]): void {
  const target = () => m.local.get(0, i64);
  const pc = () => m.local.get(1, i32);
  const reg = (r: number) => m.local.get(2 + r, i64);
  const trap = (code: number) => m.block(null, [m.call(NAMES.trap, [m.i32.const(code), pc()], none), m.unreachable()]);
  const calleeFp = () => m.i64.sub(reg(FP), i64Const(m, STACK_FRAME_SIZE));
  const body: Expr[] = [];
  entries.forEach((entry, index) => {
    const args = [...Array.from({ length: REG_COUNT - 1 }, (_, r) => reg(r)), calleeFp()];
    body.push(m.if(m.i64.eq(target(), i64Const(m, CODE_POINTER_TAG | BigInt(entry))), m.block(null, [
      m.if(m.i64.lt_u(calleeFp(), i64Const(m, layout.stackBase + STACK_FRAME_SIZE)), trap(TRAP.CALL_DEPTH_EXCEEDED)),
      m.return(m.call(NAMES.func(index), args, i64)),
    ])));
  });
  for (const def of helpers) {
    const args = helperArgs(helperArity(def)).map(reg);
    body.push(m.if(m.i64.eq(target(), i64Const(m, def.id)), m.return(m.call(NAMES.helper(def.id), [...args, pc()], i64))));
  }
  body.push(trap(TRAP.BAD_CALL_TARGET));
  const params = binaryen.createType([i64, i32, ...new Array(REG_COUNT).fill(i64)]);
  m.addFunction(NAMES.callx, params, i64, [], m.block(null, body));
}

/** Whether a call may run eBPF code, which charges the budget through the global itself. */
function callsBack(helpers: HelperRegistry, insn: Insn): boolean {
  const sem = insn.spec.sem;
  return sem.kind === 'call' && (sem.target !== 'helper' || helpers.get(insn.imm)?.intrinsic !== undefined);
}

/**
 * Whether `insn` may call the entry function (index 0): a local call to it, or bpf_loop,
 * whose dispatch (loop.ts) calls every function. (callx may too: see the caller.)
 */
function callsEntry(insn: Insn, helpers: HelperRegistry, functionAt: ReadonlyMap<number, number>): boolean {
  const sem = insn.spec.sem;
  if (sem.kind !== 'call') return false;
  if (sem.target === 'local') return functionAt.get(branchTarget(insn)) === 0;
  return sem.target === 'helper' && helpers.get(insn.imm)?.intrinsic === 'loop';
}

/** Compile a program to a Wasm module (see the README for the imports it expects). */
export function compileModule(input: CompileInput): CompiledModule {
  const { program } = input;
  const { helpers, insns, subprograms } = program;
  const { layout } = program.runtime;
  const analysis = analyzeProgram({ shape: program, programType: program.type, callsBack: (insn) => callsBack(helpers, insn), verified: input.ignoreProofs ? new Set() : program.verification.proven, regions: program.verification.regions,
  });
  const m = new binaryen.Module();
  try {
    m.setFeatures(FEATURES);
    const used = new Set<number>();
    const usesCallx = insns.some((i) => i.spec.sem.kind === 'call' && i.spec.sem.target === 'reg');
    const info: ModuleInfo = {
      m,
      layout,
      insns,
      functionAt: analysis.cfg.functionAt,
      helper: (id) => helpers.get(id),
      useHelper: (id) => { used.add(id); },
      lddwValue: (insn) => program.lddwValues.get(insn.pc)!,
      usedGlobals: new Set(),
      contextWritable: PROGRAM_TYPE_INFO[program.type].contextWritable,
      checkEveryAccess: input.ignoreProofs === true,
      skbHeaders: PROGRAM_TYPE_INFO[program.type].skbHeaders,
    };
    declareMemoryAndGlobals(m);
    // The entry function becomes $run itself unless something calls it (entry.ts).
    const entryCalled = usesCallx || insns.some((i) => callsEntry(i, helpers, analysis.cfg.functionAt));
    let entry: EmittedFunction | undefined;
    for (const fn of analysis.functions) {
      if (fn.fn.index === 0 && !entryCalled) entry = emitFunction(info, fn, RUN_PARAMS);
      else addFunction(m, fn.fn.index, emitFunction(info, fn));
    }
    // Only programs with may_goto get its allowance (run sets it; see entry.ts).
    if (info.usedGlobals.has(NAMES.mayGoto)) m.addGlobal(NAMES.mayGoto, i64, true, i64Const(m, 0));
    // Helpers callx can reach: every registered one except intrinsics, which only
    // exist as direct calls (in the interpreter too).
    const callable = helpers.ids().map((id) => helpers.get(id)!).filter((d) => !d.intrinsic);
    if (usesCallx) for (const def of callable) used.add(def.id);
    const usedDefs = [...used].sort((a, b) => a - b).map((id) => helpers.get(id)!);
    const imported = usedDefs.filter((d) => !d.intrinsic);
    declareFunctionImports(m, imported);
    const entries = subprograms.map((s) => s.entry);
    if (usesCallx) addCallx(m, layout, entries, callable);
    if (usedDefs.some((d) => d.intrinsic === 'loop')) {
      addBpfLoop(m, layout, entries, subprograms.map((s) => s.endIndex - s.firstIndex));
      info.usedGlobals.add(NAMES.budget);
    }
    const helperIds = imported.map((d) => d.id);
    // Helpers in Wasm (the maps module) check pointers against the runtime's length globals.
    if (imported.some((d) => d.wasm)) for (const name of [NAMES.inputLen, NAMES.ctxLen]) info.usedGlobals.add(name);
    addRun(m, layout, info.usedGlobals, entry);
    // No m.validate() here: V8 validates the binary anyway (see jit.ts), and Binaryen's
    // validator costs ~1 ms a module. Tests validate every golden module with wabt.
    // Keep function and local names in the binary so prog.wat() stays readable ($f0, $r1...).
    binaryen.setDebugInfo(true);
    optimize(m, input.optLevel ?? DEFAULT_OPT_LEVEL, input.passes);
    const checkedAccesses = analysis.functions.flatMap((fn) => insns.slice(fn.fn.sub.firstIndex, fn.fn.sub.endIndex)
      .filter((i) => memoryAccess(i) !== undefined && !fn.proven.has(i.pc)).map((i) => i.pc));
    return { wasm: m.emitBinary(), helperIds, checkedAccesses };
  } finally {
    m.dispose();
  }
}
