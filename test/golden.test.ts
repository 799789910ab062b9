import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import wabtInit from 'wabt';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { HelperRegistry } from '../src/helpers/registry.js';
import { jit } from '../src/jit/jit.js';
import { Runtime } from '../src/runtime/runtime.js';

/**
 * Golden WAT: the optimised module the JIT emits for a few small programs, checked in
 * so changes to the generated code show up in review. Regenerate with
 *   UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
 */
const dir = join(import.meta.dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden WAT', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.s')).sort()) {
    it(file, async () => {
      const runtime = new Runtime({ helpers: new HelperRegistry().define(1, (a) => a + 1n, 'inc') });
      const prog = jit(assemble(readFileSync(join(dir, file), 'utf8')), { runtime });
      const wat = prog.wat();
      // An independent validator (wabt) must accept both the binary and its text.
      const wabt = await wabtInit();
      const features = { sign_extension: true, bulk_memory: true, mutable_globals: true, sat_float_to_int: true };
      const fromBinary = wabt.readWasm(prog.wasm, { readDebugNames: true, ...features });
      expect(() => fromBinary.validate()).not.toThrow();
      const fromText = wabt.parseWat(file, wat, features);
      expect(() => fromText.validate()).not.toThrow();
      const golden = join(dir, file.replace(/\.s$/, '.wat'));
      if (update) writeFileSync(golden, wat);
      // A missing golden file is a failure, not a fresh baseline: the reviewer must see it written.
      expect(existsSync(golden), `${golden} is missing; write it with UPDATE_GOLDEN=1`).toBe(true);
      expect(wat).toBe(readFileSync(golden, 'utf8'));
    });
  }
});
