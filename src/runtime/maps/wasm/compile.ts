import binaryen from 'binaryen';
import { arrayWat } from './array.js';
import { importsAndChecksWat } from './checks.js';
import { exportsWat } from './exports.js';
import { hashTableWat } from './hash-table.js';
import { keysWat } from './keys.js';
import { queueStackWat } from './queue-stack.js';
import { ringbufWat } from './ringbuf.js';
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

const FEATURES = binaryen.Features.MVP | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt
  | binaryen.Features.MutableGlobals | binaryen.Features.SignExt;

/**
 * Binaryen's inliner with generous limits: the text is written as small functions
 * ($map, $ptr, $hash, $hash_find, $copy...), and V8 (11.3) evidently does not inline
 * these calls itself. Measured with bench/maps.ts's counter (lookup + update per event): 57 ns per
 * event with Binaryen's default -O2, 44 ns with -O3, 33-35 ns with these limits, whether
 * followed by -O2 or by nothing else; TurboFan does the rest. Inlining alone keeps the
 * one-off compile at ~100 ms (-O3 with the same limits: ~800 ms).
 */
function inline(m: binaryen.Module): void {
  const saved = [binaryen.getAlwaysInlineMaxSize(), binaryen.getFlexibleInlineMaxSize()];
  binaryen.setAlwaysInlineMaxSize(100);
  binaryen.setFlexibleInlineMaxSize(400);
  binaryen.setAllowInliningFunctionsWithLoops(true);
  try {
    m.runPasses(['inlining']);
  } finally {
    binaryen.setAlwaysInlineMaxSize(saved[0]);
    binaryen.setFlexibleInlineMaxSize(saved[1]);
    binaryen.setAllowInliningFunctionsWithLoops(false);
  }
}

/**
 * Parse the text with Binaryen, inline, and compile the result with V8. Done once per
 * process and layout; each runtime then only instantiates the module (~15 µs).
 */
function compileMapsModule(layout: WatLayout): WebAssembly.Module {
  const m = binaryen.parseText(mapsModuleWat(layout));
  try {
    m.setFeatures(FEATURES);
    if (!m.validate()) throw new Error('maps module failed Binaryen validation');
    inline(m);
    return new WebAssembly.Module(m.emitBinary() as Uint8Array<ArrayBuffer>);
  } finally {
    m.dispose();
  }
}

const compiled = new Map<string, WebAssembly.Module>();

/** The compiled maps module for `layout`, compiled on first use. */
export function mapsWasmModule(layout: WatLayout): WebAssembly.Module {
  const key = watLayoutKey(layout);
  let module = compiled.get(key);
  if (module === undefined) {
    module = compileMapsModule(layout);
    compiled.set(key, module);
  }
  return module;
}
