import type { ProgramType } from '../abi/program-types.js';
import { fromWasmTrap } from '../errors.js';
import type { HelperHost } from './host.js';

/**
 * Argument kinds of helper prototypes, after the kernel's `enum bpf_arg_type`
 * (include/linux/bpf.h). The verifier checks calls against them.
 */
export type ArgKind =
  | 'anything'
  /** Passed on but not checked, not even initialised (bpf_trace_printk's variadic arguments: the kernel's ARG_DONTCARE). */
  | 'unchecked'
  | 'const_map_ptr'
  | 'ptr_to_map_key'
  | 'ptr_to_map_value'
  | 'ptr_to_uninit_map_value'
  | 'ptr_to_mem'
  | 'ptr_to_uninit_mem'
  | 'const_size'
  | 'const_size_or_zero'
  | 'ptr_to_ctx'
  | 'ptr_to_func'
  | 'ptr_to_stack'
  | 'const_alloc_size_or_zero'
  | 'ptr_to_alloc_mem'
  | 'ptr_to_const_str';

/** Return kinds, after the kernel's `enum bpf_return_type`. */
export type RetKind = 'integer' | 'void' | 'ptr_to_map_value_or_null' | 'ptr_to_alloc_mem_or_null';

export interface HelperProto {
  readonly args: readonly ArgKind[];
  readonly ret: RetKind;
}

/** What a helper implementation can reach besides its arguments. */
export interface HelperEnv {
  readonly runtime: HelperHost;
  /** Slot index of the call instruction. */
  readonly pc: number;
}

/**
 * A helper implementation. Arguments are r1..r5 as unsigned 64-bit bigints; the
 * result (r0) may be a bigint or a safe-integer number and is truncated to 64 bits.
 * Throw `ExitProgram` to end the program early with a given r0.
 */
export type HelperImpl = (
  r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint, env: HelperEnv,
) => bigint | number | void;

export interface HelperDef {
  readonly id: number;
  readonly name: string;
  readonly proto: HelperProto;
  readonly impl: HelperImpl;
  /**
   * Optional: the helper as a WebAssembly function of `runtime` with the JIT's helper
   * import signature, `(i64 r1, ..., i64 rN, i32 pc) -> i64` where N is the prototype's
   * argument count. JIT-compiled programs import it instead of a JS wrapper around
   * `impl`, so the call stays inside Wasm (no JS crossing, no BigInts); `impl` must
   * compute the same thing (the interpreter calls `impl`). The map helpers use this.
   */
  readonly wasm?: (runtime: HelperHost) => WasmHelper;
  /** The program types that may call it (the kernel's get_func_proto per type); all if absent. */
  readonly programTypes?: readonly ProgramType[];
  /**
   * Set for helpers the engines implement themselves because they call back into the
   * program (bpf_loop runs a callback function of the program); `impl` is then unused.
   */
  readonly intrinsic?: 'loop';
}

/** An exported WebAssembly function with the JIT's helper import signature. */
export type WasmHelper = (...args: never[]) => unknown;

/** Normalise a helper's return value to an unsigned 64-bit r0. */
export function helperResult(value: bigint | number | void): bigint {
  if (value === undefined) return 0n;
  return BigInt.asUintN(64, typeof value === 'bigint' ? value : BigInt(Math.trunc(value)));
}

/** The prototype of a user helper: `arity` arguments of any kind, an integer result. */
function anythingProto(arity: number): HelperProto {
  return { args: new Array<ArgKind>(arity).fill('anything'), ret: 'integer' };
}

/** Helpers by id. A runtime owns one; users register their own by id. */
export class HelperRegistry {
  private readonly byId = new Map<number, HelperDef>();

  constructor(defs: Iterable<HelperDef> = []) {
    for (const def of defs) this.register(def);
  }

  register(def: HelperDef): this {
    if (!Number.isInteger(def.id) || def.id < 0 || def.id > 0x7fffffff) {
      throw new RangeError(`helper id must be a non-negative 32-bit integer, got ${def.id}`);
    }
    this.byId.set(def.id, def);
    return this;
  }

  /**
   * Register a plain function under `id`. Its prototype takes as many `anything`
   * arguments as the function declares parameters (at most 5; all 5 if it declares
   * none, e.g. `(...args) =>`): the JIT passes only those, and each costs a BigInt.
   */
  define(id: number, impl: HelperImpl, name = `helper_${id}`): this {
    const arity = impl.length === 0 ? 5 : Math.min(5, impl.length);
    return this.register({ id, name, proto: anythingProto(arity), impl });
  }

  /**
   * Register a WebAssembly function, an export of a module you instantiated, under `id`:
   * `(func (param i64 ... i64) (param $pc i32) (result i64))` with 0-5 i64 arguments
   * (r1..rN; its `length` tells how many) and then the call's pc. JIT-compiled programs
   * import it directly, a Wasm-to-Wasm call without BigInts (a JS helper costs ~13 ns
   * a call); the interpreter calls the same function from JS. A helper that reads the
   * program's memory imports the runtime's `runtime.memory`.
   */
  defineWasm(id: number, fn: WasmHelper, name = `helper_${id}`): this {
    const arity = fn.length - 1;
    if (!Number.isInteger(arity) || arity < 0 || arity > 5) {
      throw new RangeError(`a Wasm helper takes 0-5 i64 arguments and the i32 pc, but ${name} takes ${fn.length} parameters`);
    }
    const call = fn as (...args: (bigint | number)[]) => bigint;
    const impl: HelperImpl = (r1, r2, r3, r4, r5, env) => {
      try {
        return call(...[r1, r2, r3, r4, r5].slice(0, arity), env.pc);
      } catch (e) {
        throw fromWasmTrap(e, env.pc);
      }
    };
    return this.register({ id, name, proto: anythingProto(arity), impl, wasm: () => fn });
  }

  get(id: number): HelperDef | undefined {
    return this.byId.get(id);
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  ids(): number[] {
    return [...this.byId.keys()].sort((a, b) => a - b);
  }

  clone(): HelperRegistry {
    return new HelperRegistry(this.byId.values());
  }
}
