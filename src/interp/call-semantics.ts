import { RuntimeTrap } from '../errors.js';
import { helperResult, type HelperDef, type HelperEnv, type HelperRegistry } from '../helpers/registry.js';
import { codePointerPc } from '../abi/layout.js';
import type { Machine } from './machine.js';
import type { Op } from './op.js';

/**
 * `call local`: r1..r5 pass through untouched, the callee gets a fresh 512-byte frame,
 * and `exit` in the callee (handled by the run loop) restores r1..r9 and r10, so the
 * caller sees only r0 change.
 */
export function compileLocalCall(m: Machine, target: number, pc: number, next: number): Op {
  return () => { m.enterFrame(next, pc); return target; };
}

/**
 * Run a helper with r1..r5 and put its result in r0. r1..r5 are left as they are
 * (eBPF says they are clobbered, so nothing may depend on them). A helper may grow
 * memory, allocate heap or replace the input, so the machine re-syncs afterwards.
 * `ExitProgram` thrown by the helper propagates to the run loop.
 */
function invokeHelper(m: Machine, def: HelperDef, env: HelperEnv): void {
  const u64 = m.regs.u64;
  const result = def.impl(u64[1], u64[2], u64[3], u64[4], u64[5], env);
  u64[0] = helperResult(result);
  m.syncWithRuntime();
}

/** `call imm`: the helper was resolved when the program was loaded. */
export function compileHelperCall(m: Machine, def: HelperDef, pc: number, next: number): Op {
  const env: HelperEnv = { runtime: m.runtime, pc };
  return () => { invokeHelper(m, def, env); return next; };
}

const HELPER_ID_LIMIT = 0x1_0000_0000n;

/**
 * `callx dst`: a code pointer (`CODE_POINTER_TAG | pc`, from lddw func) to a function
 * entry makes a local call; a value below 2^32 naming a registered helper calls that
 * helper (ubpf's convention); anything else traps with BAD_CALL_TARGET.
 */
export function compileIndirectCall(
  m: Machine, helpers: HelperRegistry, functionEntries: ReadonlySet<number>, d: number, pc: number, next: number,
): Op {
  const u64 = m.regs.u64;
  const env: HelperEnv = { runtime: m.runtime, pc };
  return () => {
    const value = u64[d];
    const target = codePointerPc(value);
    if (target !== undefined && functionEntries.has(target)) {
      m.enterFrame(next, pc);
      return target;
    }
    const def = value < HELPER_ID_LIMIT ? helpers.get(Number(value)) : undefined;
    // Intrinsics (bpf_loop) exist only as direct calls, in both engines.
    if (def === undefined || def.intrinsic) {
      throw new RuntimeTrap('BAD_CALL_TARGET',
        `callx r${d} = 0x${value.toString(16)} is neither a function entry nor a registered helper`, pc);
    }
    invokeHelper(m, def, env);
    return next;
  };
}
