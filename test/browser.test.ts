/**
 * The library outside Node (issue 14): the core is type-checked without Node's types,
 * bundled for browsers with esbuild, and both bundles (ebpf-wasm/core, and ebpf-wasm with
 * Binaryen) run the interpreter, the JIT, a map and the host-reading helpers in a V8
 * context without Node's globals (test/support/browser-context.mjs). A real browser is
 * not started: no headless browser installs with `npm install` alone.
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, spawn } from './support/spawn.js';

const out = mkdtempSync(join(tmpdir(), 'ebpf-wasm-browser-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

beforeAll(async () => {
  for (const entry of ['core', 'index']) {
    await build({
      absWorkingDir: REPO, entryPoints: [`src/${entry}.ts`], outfile: join(out, `${entry}.js`),
      bundle: true, format: 'esm', platform: 'browser', external: ['node:*'], logLevel: 'error',
    });
  }
}, 60_000);

const runInContext = (bundle: string) => spawn(process.execPath,
  ['--no-warnings', '--experimental-vm-modules', join(REPO, 'test', 'support', 'browser-context.mjs'), join(out, bundle)]);

describe('outside Node', () => {
  it('src/index.ts and src/core.ts type-check without Node\'s types (no process, Buffer or node: imports)', () => {
    const tsc = spawn(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.browser.json']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('ebpf-wasm/core bundles for browsers without Binaryen', () => {
    const core = readFileSync(join(out, 'core.js'), 'utf8');
    expect(core).not.toContain('The Binaryen Authors');
    // ~260 KB unminified here; Binaryen alone is 15 MB.
    expect(statSync(join(out, 'core.js')).size).toBeLessThan(1_000_000);
    expect(readFileSync(join(out, 'index.js'), 'utf8')).toContain('The Binaryen Authors');
  });

  it.each(['core.js', 'index.js'])('%s runs programs, maps and host helpers with no Node global', (bundle) => {
    const result = runInContext(bundle);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      'globals undefined undefined undefined',
      'interp 42',
      ...(bundle === 'index.js' ? ['jit 7'] : []),
      'map 9',
      'ktime bigint true',       // performance.now() in nanoseconds
      'pid 0',                   // no process: 0
      'trace hi',                // bpf_trace_printk to the runtime's sink
      'stderr-sink ["lo"]',      // the default sink: console.error
    ]);
  });
});
