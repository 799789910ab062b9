import { arrayWat } from './array.js';
import { importsAndChecksWat } from './checks.js';
import { encodeModule } from './encode.js';
import { exportsWat } from './exports.js';
import { hashTableWat } from './hash-table.js';
import { inlineModule } from './inline.js';
import { keysWat } from './keys.js';
import { parseModule } from './module-ast.js';
import { queueStackWat } from './queue-stack.js';
import { ringbufWat } from './ringbuf.js';
import { parseSexprs } from './sexpr.js';
import { watLayoutKey, type WatLayout } from './wat-layout.js';

/** The whole maps module as WebAssembly text (readable source; see the files it joins). */
export function mapsModuleWat(layout: WatLayout): string {
  return `(module\n${[
    importsAndChecksWat(layout),
    keysWat(),
    arrayWat(),
    hashTableWat(),
    queueStackWat(),
    ringbufWat(),
    exportsWat(),
  ].join('')})\n`;
}

/**
 * Functions left as calls: the cold trap paths. Every other call to a function of the
 * module is inlined (inline.ts).
 */
const NOT_INLINED: ReadonlySet<string> = new Set(['$bad_type', '$corrupt']);

/**
 * The module's binary: text -> S-expressions -> inlined -> encoded. Our own encoder
 * rather than Binaryen: Binaryen takes ~0.4 s to load, which processes that never JIT
 * (the CLI's asm/disasm/interp paths, the conformance plugin) must not pay just because
 * the runtime supports maps; the whole path here takes a few milliseconds.
 */
export function mapsModuleBinary(layout: WatLayout): Uint8Array {
  const [module] = parseSexprs(mapsModuleWat(layout));
  return encodeModule(inlineModule(parseModule(module), NOT_INLINED));
}

const compiled = new Map<string, WebAssembly.Module>();

/** The compiled maps module for `layout`, compiled on first use (once per process and layout). */
export function mapsWasmModule(layout: WatLayout): WebAssembly.Module {
  const key = watLayoutKey(layout);
  let module = compiled.get(key);
  if (module === undefined) {
    module = new WebAssembly.Module(mapsModuleBinary(layout) as Uint8Array<ArrayBuffer>);
    compiled.set(key, module);
  }
  return module;
}
