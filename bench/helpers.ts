import type { HelperRegistry } from '../src/helpers/registry.js';
import { encodeModule } from '../src/maps/wasm/encode.js';
import { parseModule } from '../src/maps/wasm/module-ast.js';
import { parseSexprs } from '../src/maps/wasm/sexpr.js';
import type { BenchProgram } from './suite.js';

/**
 * Register a benchmark program's helpers: JS functions with `define`, WebAssembly ones
 * (module text exporting `helper`, encoded by the maps module's small WAT encoder, which
 * needs no Binaryen: cold-compile.ts calls this before its clock starts) with `defineWasm`.
 */
export function registerHelpers(registry: HelperRegistry, program: BenchProgram): HelperRegistry {
  for (const [id, impl] of Object.entries(program.helpers ?? {})) registry.define(Number(id), impl);
  for (const [id, wat] of Object.entries(program.wasmHelpers ?? {})) {
    const binary = encodeModule(parseModule(parseSexprs(wat)[0])) as Uint8Array<ArrayBuffer>;
    const { helper } = new WebAssembly.Instance(new WebAssembly.Module(binary)).exports;
    registry.defineWasm(Number(id), helper as (...args: never[]) => unknown);
  }
  return registry;
}
