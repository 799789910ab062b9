/**
 * The text of the Wasm function holding a module's entry eBPF function: `$f0`, or `$run`
 * itself when the JIT emitted the entry function into it (nothing calls it: src/jit/entry.ts).
 */
export function entryFunctionWat(wat: string): string {
  const f0 = wat.indexOf('(func $f0 (');
  const start = f0 !== -1 ? f0 : wat.indexOf('(func $run (');
  const next = wat.indexOf('(func', start + 1);
  return wat.slice(start, next === -1 ? undefined : next);
}
