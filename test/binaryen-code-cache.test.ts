/**
 * Binaryen through a V8 code cache (src/jit/binaryen-code-cache.ts): the package's module
 * source rewritten as a script, and the cache a new process writes, then reads. Each
 * process imports the built package (dist/pkg) and JIT-compiles a program.
 */
import * as fs from 'node:fs';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asScript, pruneCaches } from '../src/jit/binaryen-code-cache.js';
import { REPO, spawn } from './support/spawn.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temporary = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-wasm-cache-test-'));
  dirs.push(dir);
  return dir;
};

/** A new process: import the package, JIT-compile a program and print its result. */
function firstJit(cacheSetting: string) {
  const script = `const { jit, assemble } = await import(${JSON.stringify(join(REPO, 'dist', 'pkg', 'index.js'))});
    console.log(String(jit(assemble('mov %r0, 42\\nexit'))()));`;
  return spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, EBPF_WASM_COMPILE_CACHE: cacheSetting } });
}

describe('the module source as a script', () => {
  it('rewrites import.meta.url, import("node:module") and export default into an async factory', () => {
    const script = asScript('async function f(){const m=await import("node:module");return import.meta.url}var x=await f();export{x as default};')!;
    expect(script).toContain('__ebpfWasmImport("node:module")');
    expect(script).not.toContain('import.meta');
    expect(script).toMatch(/return x;\n\}\)$/);
    expect(script).toMatch(/^\(async function \(__ebpfWasmUrl, __ebpfWasmImport\) \{'use strict';/);
  });

  it('refuses shapes it cannot rewrite, so the package is imported as a module', () => {
    expect(asScript('import a from "a";var x=a;export{x as default};')).toBeUndefined();
    expect(asScript('var x=await import("./other.js");export{x as default};')).toBeUndefined();
    expect(asScript('var x=import.meta.dirname;export{x as default};')).toBeUndefined();
    expect(asScript('export default 1;')).toBeUndefined();
  });

  it('rewrites the binaryen package this repository has', () => {
    const source = readFileSync(join(REPO, 'node_modules', 'binaryen', 'index.js'), 'latin1');
    expect(asScript(source)).toBeDefined();
  });
});

describe('the cache on disk', () => {
  it('a first process writes it, a second uses it, both JIT-compile right', () => {
    const dir = temporary();
    for (let run = 0; run < 2; run++) {
      const result = firstJit(dir);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('42\n');
      const files = readdirSync(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^binaryen-\d+-\d+-.+\.v8cache$/);
    }
  }, 60_000);

  it('a cache V8 rejects (here: garbage) is replaced, and the JIT still compiles right', () => {
    const dir = temporary();
    expect(firstJit(dir).stdout).toBe('42\n');
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file), new Uint8Array(1000).fill(7));
    const result = firstJit(dir);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('42\n');
    expect(readdirSync(dir)).toEqual([file]);
    expect(statSync(join(dir, file)).size).toBeGreaterThan(1_000_000);
  }, 60_000);

  it('writing a cache deletes the caches of other keys and crashed writers\' temporary files, nothing else', () => {
    const dir = temporary();
    const stale = ['binaryen-15000000-1700000000000-11.3.244.8-node.19-x64.v8cache', 'binaryen-1-2-12.4.254.21-node.33-arm64.v8cache',
      'binaryen-1-2-12.4.254.21-node.33-x64.v8cache.4242.tmp'];
    const others = ['notes.txt', 'binaryen.v8cache', 'binaryen-x-y-z.v8cache', 'other-1-2-3-x64.v8cache', 'binaryen-1-2-12.4-x64.v8cache.bak'];
    for (const name of [...stale, ...others]) writeFileSync(join(dir, name), 'x');
    mkdirSync(join(dir, 'binaryen-3-4-12.4-x64.v8cache'));
    // A temporary file younger than ten minutes may be a concurrent writer's: it stays.
    const writing = 'binaryen-5-6-12.4-x64.v8cache.77.tmp';
    writeFileSync(join(dir, writing), 'x');
    const old = (Date.now() - 3_600_000) / 1000;
    utimesSync(join(dir, stale[2]), old, old);
    const result = firstJit(dir);
    expect(result.stdout).toBe('42\n');
    const kept = readdirSync(dir).filter((n) => /^binaryen-\d+-\d+-.+\.v8cache$/.test(n) && statSync(join(dir, n)).isFile());
    expect(kept).toHaveLength(1);
    expect(statSync(join(dir, kept[0])).size).toBeGreaterThan(1_000_000);
    expect(readdirSync(dir).sort()).toEqual([...others, 'binaryen-3-4-12.4-x64.v8cache', writing, kept[0]].sort());
    // Direct: a directory that cannot be read, or a file that vanished, is no error.
    expect(() => pruneCaches(fs, join(dir, 'missing'), 'x')).not.toThrow();
    expect(() => pruneCaches({ ...fs, statSync: () => { throw new Error('ENOENT'); } } as never, dir, 'x')).not.toThrow();
  }, 60_000);

  it('EBPF_WASM_COMPILE_CACHE=0 writes none; a directory others may write is not used', () => {
    expect(firstJit('0').stdout).toBe('42\n');
    const open = temporary();
    chmodSync(open, 0o777);
    const result = firstJit(open);
    expect(result.stdout).toBe('42\n');
    expect(readdirSync(open)).toEqual([]);
  }, 60_000);
});
