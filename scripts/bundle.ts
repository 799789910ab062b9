/**
 * The package's JavaScript, bundled: `dist/pkg/index.js` (ebpf-wasm), `dist/pkg/core.js`
 * (ebpf-wasm/core) and `dist/pkg/cli.js` (the ebpf-wasm command), with the code they
 * share in chunks, so each module exists once (a Runtime from one entry is a Runtime to
 * the other) and the dynamic imports (the JIT behind the CLI's --engine) stay lazy.
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
  await build({
    absWorkingDir: ROOT,
    entryPoints: { index: 'src/index.ts', core: 'src/core.ts', cli: 'src/cli/main.ts' },
    outdir: 'dist/pkg',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });
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
