/**
 * The package as a user installs it: `npm pack`, then `npm install` of the tarball in a
 * new project, then the library imported from ESM, CommonJS and TypeScript, and the
 * installed `ebpf-wasm` bin run. The install is offline, so the test needs no registry:
 * its one dependency, binaryen, is packed from this repository's node_modules and
 * installed from that tarball beside it (npm's cache holds binaryen's tarball after
 * `npm ci` but not its registry metadata). Slow (~20-40 s): it packs and installs.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, spawn, type Spawned } from './support/spawn.js';

const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
const work = mkdtempSync(join(tmpdir(), 'ebpf-wasm-package-'));
const project = join(work, 'project');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function ok(result: Spawned): string {
  if (result.status !== 0) throw new Error(`exit ${result.status}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const npm = (args: string[], cwd: string) => spawn('npm', args, { cwd });

let files: string[] = [];

beforeAll(() => {
  // `npm test` has built dist/ (tsc and the bundles): pack what is there.
  const packed = JSON.parse(ok(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], REPO))) as
    { filename: string; files: { path: string }[] }[];
  files = packed[0].files.map((f) => f.path);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true }));
  const binaryen = JSON.parse(ok(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work, join(REPO, 'node_modules', 'binaryen')], work))) as { filename: string }[];
  ok(npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, packed[0].filename), join(work, binaryen[0].filename)], project));
}, 120_000);

const run = (file: string, content: string) => {
  writeFileSync(join(project, file), content);
  return spawn(process.execPath, [join(project, file)], { cwd: project });
};

describe('the packed tarball', () => {
  it('holds the bundles, the declarations, README, LICENSE and package.json, and nothing else', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/pkg/index.js', 'dist/pkg/core.js', 'dist/pkg/cli.js',
      'dist/src/index.d.ts', 'dist/src/core.d.ts', 'dist/src/jit/jit.d.ts']) expect(files).toContain(f);
    const unexpected = files.filter((f) => !['LICENSE', 'README.md', 'package.json'].includes(f)
      && !/^dist\/pkg\/((cli-)?chunks\/)?[\w-]+\.js$/.test(f) && f !== 'dist/pkg/require.cjs' && !/^dist\/src\/.*\.d\.ts$/.test(f));
    expect(unexpected).toEqual([]);
    // No tests, fixtures, benchmarks, TypeScript sources or source maps pointing to them.
    expect(files.filter((f) => /^(test|bench|fuzz|conformance|examples|scripts|src)\//.test(f) || f.endsWith('.map'))).toEqual([]);
  });
});

describe('installed in another project', () => {
  const PROGRAM = "assemble('ldxb %r0, [%r1+1]\\nadd %r0, 1\\nexit')";

  it('runs from ESM: the JIT from ebpf-wasm, the interpreter from ebpf-wasm/core, one Runtime class for both', () => {
    const out = ok(run('esm.mjs', `
      import { jit, assemble, Runtime } from 'ebpf-wasm';
      import * as core from 'ebpf-wasm/core';
      const runtime = new core.Runtime();
      console.log(jit(${PROGRAM}, { runtime })(Uint8Array.of(5, 41)));
      console.log(core.interpreter(core.${PROGRAM})(Uint8Array.of(5, 41)), core.loadProgram(core.${PROGRAM}).engine);
      console.log(Runtime === core.Runtime, 'jit' in core);
      // Errors keep their class's name through the bundler (which renames MapError's class to _MapError).
      const map = runtime.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 4 });
      try { map.delete(new Uint8Array(4)); } catch (e) { console.log(e.name, e instanceof core.MapError); }
      try { jit(assemble('exit'), { helpers: runtime }); } catch (e) { console.log(e.message); }
    `));
    expect(out).toBe('42n\n42n interp\ntrue false\nMapError true\njit() option helpers must be a HelperRegistry, got a Runtime\n');
  });

  it('ebpf-wasm/core does not load binaryen; ebpf-wasm does', () => {
    // A loader hook that prints every module file the process loads.
    writeFileSync(join(project, 'hook.mjs'), `
      import { writeSync } from 'node:fs';
      export async function load(url, context, next) { writeSync(2, 'LOAD ' + url + '\\n'); return next(url, context); }
    `);
    const loads = (file: string, content: string, env: Record<string, string> = {}) => {
      writeFileSync(join(project, file), content);
      const result = spawn(process.execPath, ['--no-warnings', '--experimental-loader', './hook.mjs', file], { cwd: project, env: { ...process.env, ...env } });
      return { out: ok(result), loaded: result.stderr.split('\n').filter((l) => l.startsWith('LOAD file:')) };
    };
    const core = loads('core-only.mjs', "const { interpreter, assemble } = await import('ebpf-wasm/core'); console.log(interpreter(assemble('mov %r0, 7\\nexit'))());");
    expect(core.out).toBe('7n\n');
    expect(core.loaded.filter((l) => l.includes('/node_modules/binaryen/'))).toEqual([]);
    // The bundles: a handful of files, not the hundred of dist/src.
    expect(core.loaded.length).toBeLessThan(20);
    // Without the code cache, the package is imported as a module; with it (the default),
    // its source is compiled as a script (src/jit/binaryen-code-cache.ts), which no loader sees.
    const main = loads('main.mjs', "await import('ebpf-wasm');", { EBPF_WASM_COMPILE_CACHE: '0' });
    expect(main.loaded.filter((l) => l.includes('/node_modules/binaryen/'))).toHaveLength(1);
    const cached = loads('cached.mjs', "const { jit, assemble } = await import('ebpf-wasm'); console.log(jit(assemble('mov %r0, 8\\nexit'))());");
    expect(cached.out).toBe('8n\n');
    expect(cached.loaded.filter((l) => l.includes('/node_modules/binaryen/'))).toEqual([]);
  });

  it('is ESM only: require() fails, await import() from CommonJS works', () => {
    const failed = run('require.cjs', "require('ebpf-wasm');");
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain("ebpf-wasm is an ES module (its JIT's Binaryen uses top-level await), so require() cannot load it: from CommonJS, use const { jit } = await import('ebpf-wasm')");
    expect(run('require-core.cjs', "require('ebpf-wasm/core');").stderr).toContain('so require() cannot load it');
    expect(ok(run('import.cjs', `
      (async () => {
        const { jit, assemble } = await import('ebpf-wasm');
        console.log(jit(assemble('mov %r0, 3\\nexit'))());
      })();
    `))).toBe('3n\n');
  });

  it('refuses deep imports past its exports', () => {
    const result = run('deep.mjs', "await import('ebpf-wasm/dist/src/jit/jit.js');");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('type-checks a TypeScript user of both entries against the shipped declarations', () => {
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: [] },
      files: ['user.ts'],
    }));
    writeFileSync(join(project, 'user.ts'), `
      import { jit, assemble, type JitProgram } from 'ebpf-wasm';
      import { interpreter, type Program, Runtime } from 'ebpf-wasm/core';
      const p: JitProgram = jit(assemble('exit'), { runtime: new Runtime(), optLevel: 2 });
      const q: Program = interpreter(assemble('exit'));
      const r0: bigint = p() + q();
      // @ts-expect-error optLevel is 0-3
      jit(assemble('exit'), { optLevel: 7 });
      export { r0 };
    `);
    const tsc = spawn(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: project });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it("puts the ebpf-wasm command on the project's PATH", () => {
    const bin = join(project, 'node_modules', '.bin', 'ebpf-wasm');
    expect(ok(spawn(bin, ['--version'], { cwd: project }))).toBe(`${PKG.version}\n`);
    writeFileSync(join(project, 'tiny.s'), 'mov %r0, 42\nexit\n');
    expect(ok(spawn(bin, ['run', 'tiny.s', '--engine', 'interp'], { cwd: project }))).toBe('42\n');
    expect(ok(spawn(bin, ['run', 'tiny.s'], { cwd: project }))).toBe('42\n');
    const bad = spawn(bin, ['run', 'tiny.s', '--budget', '-5'], { cwd: project });
    expect(bad).toEqual({ status: 1, stdout: '', stderr: "error: --budget must be an integer from 0 to 9007199254740991, got '-5'\n" });
  });
});
