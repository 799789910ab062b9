/**
 * Binaryen through a V8 code cache kept on disk (Node only).
 *
 * The binaryen package is one 15 MB ES module, nearly all of it a Wasm binary in a string
 * literal: V8 spends ~1.1 s of CPU parsing it at every start-up, most of the JIT's first
 * result. Node 20 keeps no compile cache for ES modules (module.enableCompileCache is
 * Node 22.1+), but node:vm's Script takes and produces V8 code caches. So this compiles
 * the package's source as a classic script (the module syntax it uses rewritten: its
 * `import.meta.url`, its one `import("node:module")`, its `export default`), with the
 * cache of an earlier start when there is one; V8 then deserializes instead of parsing.
 *
 * The cache lives in $EBPF_WASM_COMPILE_CACHE, else `<tmpdir>/ebpf-wasm-compile-cache-<uid>`
 * (the convention of v8-compile-cache and Node 22's compile cache); a directory another
 * user could write is not used, as a cache is code. EBPF_WASM_COMPILE_CACHE=0 turns it
 * off. Anything unexpected (no node:vm, a package whose source has another shape, a cache
 * V8 rejects, a read-only disk) returns undefined or rewrites the cache: the caller then
 * imports the package as usual.
 */
import type Binaryen from 'binaryen';

/** The parts of node:vm, node:fs, node:os and node:buffer used here (typed structurally: the library type-checks without Node's types). */
interface Vm {
  Script: new (source: string, options: { filename: string; cachedData?: Uint8Array }) => {
    runInThisContext(): unknown;
    readonly cachedDataRejected?: boolean;
    createCachedData(): Uint8Array;
  };
}
interface Fs {
  readFileSync(path: string): Uint8Array & { toString(encoding: string): string };
  writeFileSync(path: string, data: Uint8Array, options: { mode: number }): void;
  renameSync(from: string, to: string): void;
  mkdirSync(path: string, options: { recursive: boolean; mode: number }): void;
  statSync(path: string): { size: number; mtimeMs: number; uid: number; mode: number; isDirectory(): boolean };
  existsSync(path: string): boolean;
  rmSync(path: string, options: { force: boolean }): void;
  readdirSync(path: string): string[];
}
interface NodeProcess {
  env: Record<string, string | undefined>;
  pid: number;
  arch: string;
  versions: { v8: string };
  getuid?: () => number;
  getBuiltinModule?: (id: string) => unknown;
}

type Factory = (url: string, load: (specifier: string) => Promise<unknown>) => Promise<typeof Binaryen>;

/** Binaryen loaded through the code cache, or undefined where that cannot be done. */
export async function loadCachedBinaryen(): Promise<typeof Binaryen | undefined> {
  const node = (globalThis as { process?: NodeProcess }).process;
  const builtin = node?.getBuiltinModule;
  const setting = node?.env.EBPF_WASM_COMPILE_CACHE;
  const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
  if (!node || !builtin || setting === '0' || typeof resolve !== 'function') return undefined;
  const vm = builtin('node:vm') as Vm;
  const fs = builtin('node:fs') as Fs;
  const { isAscii } = builtin('node:buffer') as { isAscii?: (b: Uint8Array) => boolean };
  const url = resolve('binaryen');
  if (!url.startsWith('file:')) return undefined;
  const path = decodeURIComponent(new URL(url).pathname);
  const bytes = fs.readFileSync(path);
  const script = asScript(bytes.toString(isAscii?.(bytes) ? 'latin1' : 'utf8'));
  if (script === undefined) return undefined;

  const dir = cacheDir(node, fs, setting || `${(builtin('node:os') as { tmpdir(): string }).tmpdir()}/ebpf-wasm-compile-cache-${node.getuid?.() ?? 'user'}`);
  const { size, mtimeMs } = fs.statSync(path);
  const file = dir && `${dir}/binaryen-${size}-${Math.floor(mtimeMs)}-${node.versions.v8}-${node.arch}.v8cache`;
  let cachedData: Uint8Array | undefined;
  try {
    if (file && fs.existsSync(file)) cachedData = fs.readFileSync(file);
  } catch { /* unreadable: compile without it */ }

  let compiled: InstanceType<Vm['Script']>;
  try {
    compiled = new vm.Script(script, { filename: path, cachedData });
  } catch {
    return undefined;   // module syntax asScript did not see (it looks at the head and the tail only)
  }
  const binaryen = await (compiled.runInThisContext() as Factory)(url, (specifier) => import(specifier));
  // After the run, so the functions Binaryen's start-up compiled lazily are in it too.
  if (file && (cachedData === undefined || compiled.cachedDataRejected)) {
    const temporary = `${file}.${node.pid}.tmp`;
    try {
      fs.writeFileSync(temporary, compiled.createCachedData(), { mode: 0o600 });
      fs.renameSync(temporary, file);   // atomic: a concurrent start reads a whole cache or none
      pruneCaches(fs, dir, file);
    } catch {
      // A read-only or full disk: no cache, same result; nor half a file left behind.
      try { fs.rmSync(temporary, { force: true }); } catch { /* nothing was written */ }
    }
  }
  return binaryen;
}

/** Our cache files (`binaryen-<size>-<mtime>-<v8 version>-<arch>.v8cache`), and the temporary files of their writes. */
const CACHE_FILE = /^binaryen-\d+-\d+-.+\.v8cache$/;
const TEMPORARY_FILE = /^binaryen-\d+-\d+-.+\.v8cache\.\d+\.tmp$/;
/** A temporary file older than this is a crashed writer's (a write takes well under a second). */
const STALE_TEMPORARY_MS = 10 * 60_000;

/**
 * Deletes the caches of other keys in `dir` (another Binaryen, Node or V8: each upgrade
 * left 10 MB behind) and crashed writers' temporary files, once `kept` is written. Only
 * files named as this module names them; anything else in the directory is left alone.
 * Two installations with different keys sharing the directory replace each other's cache
 * at their starts: a cost only when they alternate, and the disk holds one cache.
 */
export function pruneCaches(fs: Pick<Fs, 'readdirSync' | 'statSync' | 'rmSync'>, dir: string, kept: string, now = Date.now()): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = `${dir}/${name}`;
    if (path === kept || !(CACHE_FILE.test(name) || TEMPORARY_FILE.test(name))) continue;
    try {
      const stat = fs.statSync(path);
      if (stat.isDirectory() || (TEMPORARY_FILE.test(name) && now - stat.mtimeMs < STALE_TEMPORARY_MS)) continue;
      fs.rmSync(path, { force: true });
    } catch { /* gone already, or not ours to delete: the next write tries again */ }
  }
}

/**
 * The package's module source as a classic script evaluating to an async factory, or
 * undefined if it has a shape this does not know (then it is imported as a module). The
 * factory's body is the module's, so its top-level await still works; `import.meta.url`
 * and `import()` become the factory's parameters.
 */
export function asScript(source: string): string | undefined {
  // Found from the end and counted with indexOf: a regular expression or split() over
  // the 15 MB source costs tens of milliseconds of a start-up this is meant to shorten.
  const at = source.lastIndexOf('export');
  const exported = at < 0 ? null : /^export\s*\{\s*([\w$]+)\s+as\s+default\s*\};?\s*$/.exec(source.slice(at));
  if (!exported) return undefined;
  const body = source.slice(0, at);
  // Any other module syntax (other import() calls, import.meta's other fields, a static import
  // at the head) cannot be rewritten here; a static import further down fails to compile as a script.
  if (count(body, 'import(') !== count(body, 'import("node:module")') || count(body, 'import.meta') !== count(body, 'import.meta.url')
    || /^\s*(import|export)\b/m.test(body.slice(0, 4096))) return undefined;
  const rewritten = body.replaceAll('import.meta.url', '__ebpfWasmUrl').replace('import("node:module")', '__ebpfWasmImport("node:module")');
  // 'use strict': a module's code is strict, a script's is not.
  return `(async function (__ebpfWasmUrl, __ebpfWasmImport) {'use strict';${rewritten}\nreturn ${exported[1]};\n})`;
}

function count(text: string, part: string): number {
  let n = 0;
  for (let i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length)) n++;
  return n;
}

/** `dir`, created private to this user; undefined if it is not (someone else could plant code in it). */
function cacheDir(node: NodeProcess, fs: Fs, dir: string): string | undefined {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.statSync(dir);
    const uid = node.getuid?.();
    if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}
