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
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function bundle(): Promise<void> {
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
}

await bundle();
