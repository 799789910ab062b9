/**
 * The README's examples, run as written: the library examples (each `console.log(...)`
 * line's trailing comment is its expected output) and every ```sh block not marked
 * `<!-- not run by test/readme.test.ts ... -->`, with `ebpf-wasm` on the PATH.
 */

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conformanceTestsDir } from '../conformance/data-file.js';
import { REPO, spawn } from './support/spawn.js';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

interface Block {
  lang: string;
  code: string;
  skipped: boolean;
}

function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /(<!-- not run by test\/readme\.test\.ts[^>]*-->\n)?```(\w*)\n([\s\S]*?)```/g;
  for (const m of markdown.matchAll(fence)) blocks.push({ lang: m[2], code: m[3], skipped: m[1] !== undefined });
  return blocks;
}

const blocks = codeBlocks(README);
const bin = mkdtempSync(join(tmpdir(), 'ebpf-wasm-readme-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));
writeFileSync(join(bin, 'ebpf-wasm'), `#!/bin/sh\nexec "${process.execPath}" "${join(REPO, 'dist', 'src', 'cli', 'main.js')}" "$@"\n`);
chmodSync(join(bin, 'ebpf-wasm'), 0o755);

describe('README', () => {
  it('has the library examples and shell blocks', () => {
    expect(blocks.filter((b) => b.lang === 'js').length).toBeGreaterThanOrEqual(2);
    expect(blocks.filter((b) => b.lang === 'sh').length).toBeGreaterThanOrEqual(3);
  });

  blocks.filter((b) => b.lang === 'js').forEach(({ code }, i) => {
    it(`library example ${i} prints what its comments say`, () => {
      const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((m) => m[1].trim());
      expect(expected.length).toBeGreaterThan(0);
      // Inside the package directory, so `import ... from 'ebpf-wasm'` resolves to this package.
      const dir = join(REPO, 'dist', 'readme-test');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `example${i}.mjs`), code);
      const { status, stdout, stderr } = spawn(process.execPath, [join(dir, `example${i}.mjs`)]);
      expect(stderr).toBe('');
      expect(stdout.trimEnd().split('\n')).toEqual(expected);
      expect(status).toBe(0);
    });
  });

  const shell = blocks.filter((b) => b.lang === 'sh' && !b.skipped && !/^npm (install|test)\b/m.test(b.code));
  const needsSuite = (code: string) => /^npm run conformance(?! -- conformance\/tests)/m.test(code);
  shell.forEach(({ code }, i) => {
    const first = code.split('\n').find((l) => /^(ebpf-wasm|npm) /.test(l)) ?? '';
    // Without the shared suite (CI), blocks that run it are skipped, visibly.
    it.skipIf(needsSuite(code) && !existsSync(conformanceTestsDir()))(`shell block ${i} (${first.slice(0, 50)}...) runs without error`, () => {
      const { status, stdout, stderr } = spawn('bash', ['-c', `set -euo pipefail\nexport PATH="${bin}:$PATH"\n${code}`]);
      expect(stderr.replace(/^npm warn .*\n/gm, '')).toBe('');
      expect(status).toBe(0);
      // The README says what `run` prints.
      if (code.includes('ebpf-wasm run')) expect(stdout).toMatch(/^2048$/m);
    });
  });
});
