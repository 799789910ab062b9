import { RuntimeTrap } from '../errors.js';
import { ExitProgram } from '../abi/signals.js';
import { helperResult, type HelperDef, type HelperEnv, type HelperRegistry } from '../helpers/registry.js';
import type { Runtime } from '../runtime/runtime.js';
import { TRAP } from './context.js';

const TRAP_MESSAGES: Record<number, [string, string]> = {
  [TRAP.BUDGET_EXHAUSTED]: ['BUDGET_EXHAUSTED', 'instruction budget exhausted'],
  [TRAP.CALL_DEPTH_EXCEEDED]: ['CALL_DEPTH_EXCEEDED', 'call depth exceeds 8 frames'],
  [TRAP.BAD_CALL_TARGET]: ['BAD_CALL_TARGET', 'callx target is neither a function nor a registered helper'],
};

const u64 = (v: bigint) => BigInt.asUintN(64, v);
/** i64 arguments arrive signed; most are small and non-negative, and need no conversion. */
const unsigned = (v: bigint) => (v >= 0n ? v : BigInt.asUintN(64, v));

type Env = { runtime: Runtime; pc: number };

/**
 * The import for one helper, taking exactly its prototype's arguments and then the pc:
 * V8 turns each i64 argument into a BigInt, so unused ones are not passed at all.
 * A bigint result goes back as is (Wasm wraps it to i64); numbers and void are normalised.
 */
function helperImport(def: HelperDef, env: Env): (...args: never[]) => bigint {
  const impl = def.impl;
  const e = env as HelperEnv;
  const done = (r: bigint | number | void) => (typeof r === 'bigint' ? r : helperResult(r));
  switch (Math.min(5, def.proto.args.length)) {
    case 0: return ((pc: number) => { env.pc = pc; return done(impl(0n, 0n, 0n, 0n, 0n, e)); }) as never;
    case 1: return ((a: bigint, pc: number) => { env.pc = pc; return done(impl(unsigned(a), 0n, 0n, 0n, 0n, e)); }) as never;
    case 2: return ((a: bigint, b: bigint, pc: number) => { env.pc = pc; return done(impl(unsigned(a), unsigned(b), 0n, 0n, 0n, e)); }) as never;
    case 3: return ((a: bigint, b: bigint, c: bigint, pc: number) => {
      env.pc = pc;
      return done(impl(unsigned(a), unsigned(b), unsigned(c), 0n, 0n, e));
    }) as never;
    case 4: return ((a: bigint, b: bigint, c: bigint, d: bigint, pc: number) => {
      env.pc = pc;
      return done(impl(unsigned(a), unsigned(b), unsigned(c), unsigned(d), 0n, e));
    }) as never;
    default: return ((a: bigint, b: bigint, c: bigint, d: bigint, f: bigint, pc: number) => {
      env.pc = pc;
      return done(impl(unsigned(a), unsigned(b), unsigned(c), unsigned(d), unsigned(f), e));
    }) as never;
  }
}

/**
 * The JS side of a compiled module's imports. Traps throw typed errors (unwinding the
 * Wasm frames); helpers receive unsigned 64-bit bigints, as the registry promises.
 */
export function moduleImports(runtime: Runtime, registry: HelperRegistry, helperIds: readonly number[]): WebAssembly.Imports {
  const helpers: Record<string, (...args: never[]) => bigint> = {};
  // One env object, its pc updated per call: a helper call is on the hot path of
  // helper-heavy programs (~25 ns for the JS<->Wasm crossing alone), so allocate nothing.
  const env: Env = { runtime, pc: 0 };
  for (const id of helperIds) {
    const def = registry.get(id);
    if (!def) throw new Error(`helper ${id} disappeared from the registry`);
    // A helper implemented in Wasm is imported as is: a Wasm-to-Wasm call.
    helpers[`h${id}`] = (def.wasm?.(runtime) as ((...args: never[]) => bigint) | undefined) ?? helperImport(def, env);
  }
  return {
    env: {
      memory: runtime.memory,
      heap_end: runtime.heapEndGlobal,
      input_len: runtime.inputLenGlobal,
      ctx_len: runtime.ctxLenGlobal,
      trap_oob: (pc: number, addr: bigint, size: number) => {
        const a = u64(addr);
        throw new RuntimeTrap('OUT_OF_BOUNDS', `access of ${size} bytes at 0x${a.toString(16)} is outside program memory`, pc, a, size);
      },
      trap: (code: number, pc: number) => {
        const [name, message] = TRAP_MESSAGES[code] ?? ['INTERNAL', `unknown trap ${code}`];
        throw new RuntimeTrap(name, message, pc);
      },
      value_accessible: (addr: bigint, size: number, write: number) => (runtime.valueAccessible(Number(u64(addr)), size, write !== 0) ? 1 : 0),
      abort_with: (r0: bigint) => {
        throw new ExitProgram(u64(r0));
      },
    },
    helpers,
  };
}
