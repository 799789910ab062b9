import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
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
    it(file, () => {
      const runtime = new Runtime({ helpers: new HelperRegistry().define(1, (a) => a + 1n, 'inc') });
      const wat = jit(assemble(readFileSync(join(dir, file), 'utf8')), { runtime }).wat();
      const golden = join(dir, file.replace(/\.s$/, '.wat'));
      if (update || !existsSync(golden)) writeFileSync(golden, wat);
      expect(wat).toBe(readFileSync(golden, 'utf8'));
    });
  }
});
