/**
 * The library in a browser (issue 14): the core is type-checked without Node's types,
 * bundled for browsers with esbuild, and both bundles (ebpf-wasm/core, and ebpf-wasm with
 * Binaryen) are loaded as modules by a page in headless Chromium, which runs the
 * interpreter, the JIT, a map and the host-reading helpers (test/support/browser-smoke.mjs).
 *
 * The browser is the system's (`chromium` or `chromium-browser` on PATH, or $CHROME_PATH;
 * `.ci/run` installs Debian's). Without one the Chromium part is skipped, saying so in its
 * name, so that `npm test` passes on a fresh machine; EBPF_WASM_REQUIRE_BROWSER=1 (which
 * `.ci/run` sets once Chromium is there) makes a missing one a failure instead, and
 * EBPF_WASM_SKIP_BROWSER=1 skips the part on purpose.
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, findChromium, launchChromium } from './support/chromium.js';
import { REPO, spawn } from './support/spawn.js';

// Made in beforeAll, not at import: vitest runs no hook when every test of the file is
// skipped, and a directory made at import would then be left behind.
let out = '';
afterAll(() => { if (out) rmSync(out, { recursive: true, force: true }); });

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'ebpf-wasm-browser-'));
  for (const entry of ['core', 'index']) {
    await build({
      absWorkingDir: REPO, entryPoints: [`src/${entry}.ts`], outfile: join(out, `${entry}.js`),
      bundle: true, format: 'esm', platform: 'browser', external: ['node:*'], logLevel: 'error',
    });
  }
}, 60_000);

describe('bundled for browsers', () => {
  it('src/index.ts and src/core.ts type-check without Node\'s types (no process, Buffer or node: imports)', () => {
    const tsc = spawn(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.browser.json']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('ebpf-wasm/core bundles for browsers without Binaryen', () => {
    const core = readFileSync(join(out, 'core.js'), 'utf8');
    expect(core).not.toContain('The Binaryen Authors');
    // ~370 KB unminified here; Binaryen alone is 15 MB.
    expect(statSync(join(out, 'core.js')).size).toBeLessThan(1_000_000);
    expect(readFileSync(join(out, 'index.js'), 'utf8')).toContain('The Binaryen Authors');
  });
});

/** The page: imports the smoke checks and one bundle, and leaves the lines (or the error) in `smoke`. */
const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
globalThis.smoke = (async () => {
  const { smoke } = await import('/browser-smoke.mjs');
  return smoke(await import('/' + new URLSearchParams(location.search).get('bundle')));
})().catch((e) => ['error ' + (e && e.stack || e)]);
</script>`;

/** Serves the page, the smoke checks and the bundles on 127.0.0.1 (modules need http:, not file:). */
function serve(): Promise<Server> {
  const files: Record<string, string> = {
    '/browser-smoke.mjs': join(REPO, 'test', 'support', 'browser-smoke.mjs'),
    '/core.js': join(out, 'core.js'),
    '/index.js': join(out, 'index.js'),
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    } else if (files[path]) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(files[path]));
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const chromiumPath = findChromium();
const required = process.env.EBPF_WASM_REQUIRE_BROWSER === '1';
const skipped = process.env.EBPF_WASM_SKIP_BROWSER === '1' || (chromiumPath === undefined && !required);
const title = chromiumPath === undefined && !required ? 'in headless Chromium (none found: apt-get install chromium, or set CHROME_PATH)' : 'in headless Chromium';

describe.skipIf(skipped)(title, () => {
  let browser: Browser | undefined;
  let server: Server | undefined;
  beforeAll(async () => {
    const chromium = chromiumPath;
    if (!chromium) {
      throw new Error('no Chromium: install it (apt-get install chromium), or set CHROME_PATH to a Chromium or Chrome; '
        + 'EBPF_WASM_SKIP_BROWSER=1 skips these tests');
    }
    server = await serve();
    browser = await launchChromium(chromium);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it.each(['core.js', 'index.js'])('%s runs programs, maps and host helpers', async (bundle) => {
    const { port } = server!.address() as AddressInfo;
    const lines = await browser!.evaluateOnPage(`http://127.0.0.1:${port}/?bundle=${bundle}`, 'globalThis.smoke');
    expect(lines).toEqual([
      'interp 42',
      ...(bundle === 'index.js' ? ['jit 7'] : []),
      'map 9',
      'ktime bigint true',        // performance.now() in nanoseconds
      'pid 0',                    // no process: 0
      'trace hi',                 // bpf_trace_printk to the runtime's sink
      'default-sink ["lo"]',      // the default sink: console.error
    ]);
  });
});
