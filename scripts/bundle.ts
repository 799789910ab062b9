/**
 * The package's JavaScript, bundled: `dist/pkg/index.js` (ebpf-wasm) and
 * `dist/pkg/core.js` (ebpf-wasm/core), with the code they share in chunks, so each
 * module exists once (a Runtime from one entry is a Runtime to the other); and
 * `dist/pkg/cli.js` (the ebpf-wasm command), whose dynamic imports (the JIT behind
 * --engine) stay lazy in chunks of their own.
 *
 * Why bundle: Node 20 spends ~1 ms of start-up per module file, and the library is
 * about a hundred small files (README, "Start-up"): bundled, the interpreter's first
 * result in a new process comes ~100 ms sooner. Binaryen stays an external package, as
 * the JIT imports it. No source maps: the sources are not shipped, and the bundles are
 * plain, unminified JavaScript a stack trace can be read in. Types come from tsc's
 * declarations in dist/src.
 *
 * Run after tsc (`npm run build`): `node dist/scripts/bundle.js`.
 */
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function bundle(): Promise<void> {
  // Chunk names carry a hash of their content: without this, chunks of earlier builds
  // would stay and be packed.
  rmSync(new URL('dist/pkg', `file://${ROOT}`), { recursive: true, force: true });
  const common = {
    absWorkingDir: ROOT, outdir: 'dist/pkg', bundle: true, splitting: true, format: 'esm', platform: 'node',
    target: 'node20', packages: 'external', logLevel: 'warning',
    // No keepNames: it wraps every closure in a defineProperty call, some of them made on
    // every packet run. The one name that shows, an error's, errors.ts keeps itself.
  } as const;
  await build({ ...common, entryPoints: { index: 'src/index.ts', core: 'src/core.ts' }, chunkNames: 'chunks/[name]-[hash]' });
  // The command on its own: its chunks are only the lazily imported parts (each engine,
  // objects, C, map dumps), so `run --engine interp` loads 4 files instead of 15 (the
  // library's chunks are cut for two entries). It shares no object with a user's code:
  // --helpers modules hand it plain functions.
  await build({ ...common, entryPoints: { cli: 'src/cli/main.ts' }, chunkNames: 'cli-chunks/[name]-[hash]' });
  // What `require('ebpf-wasm')` finds (the "require" condition of package.json's exports):
  // without it Node's own error, 'No "exports" main defined', does not say what to do.
  writeFileSync(new URL('dist/pkg/require.cjs', `file://${ROOT}`), REQUIRE_STUB);
}

const REQUIRE_STUB = `// ebpf-wasm is an ES module: see dist/pkg/index.js.
const error = new Error("ebpf-wasm is an ES module (its JIT's Binaryen uses top-level await), so require() cannot load it: "
  + "from CommonJS, use const { jit } = await import('ebpf-wasm') (or 'ebpf-wasm/core')");
error.code = 'ERR_REQUIRE_ESM';
throw error;
`;

await bundle();
