/**
 * Binaryen, as the JIT's files import it: through the V8 code cache in Node
 * (binaryen-code-cache.ts: its 15 MB are parsed once, not at every start-up), else the
 * package itself. One instance either way: every file of the JIT imports it from here.
 */
import type BinaryenPackage from 'binaryen';
import { loadCachedBinaryen } from './binaryen-code-cache.js';

const binaryen: typeof BinaryenPackage = (await loadCachedBinaryen()) ?? (await import('binaryen')).default;

/** The package's types the JIT names, under the same name (`binaryen.Module` is a type and a value, as with the package). */
declare namespace binaryen {
  export type Module = BinaryenPackage.Module;
  export type Type = BinaryenPackage.Type;
  export type ExpressionRef = BinaryenPackage.ExpressionRef;
  export type FunctionRef = BinaryenPackage.FunctionRef;
  export type Relooper = BinaryenPackage.Relooper;
  export type RelooperBlockRef = BinaryenPackage.RelooperBlockRef;
  export type Features = BinaryenPackage.Features;
}

export default binaryen;
