/**
 * The JIT's optimisation levels, apart from module.ts so that what names them (load
 * options, `ebpf-wasm/core`'s types) does not import Binaryen.
 *
 * 0: no Binaryen optimisation. 1 (default): FAST_PASSES, a short pipeline that measured
 * as fast at run time as -O2 on every benchmark program at a fifth of the compile time
 * (binaryen.js runs its optimiser slowly: emscripten routes its C++ exceptions through
 * JS). 2 and 3: Binaryen's -O2 / -O3.
 */
export type OptLevel = 0 | 1 | 2 | 3;
export const DEFAULT_OPT_LEVEL: OptLevel = 1;

/** `optLevel` as given to jit(): 0-3, else a RangeError (Binaryen would take 7 as -O3 without a word). */
export function checkOptLevel(level: unknown): OptLevel {
  if (level === undefined) return DEFAULT_OPT_LEVEL;
  if (level !== 0 && level !== 1 && level !== 2 && level !== 3) {
    throw new RangeError(`optLevel must be 0, 1, 2 or 3, got ${typeof level === 'string' ? `'${level}'` : String(level)}`);
  }
  return level;
}
