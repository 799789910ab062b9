import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import type { Spawned } from './spawn.js';

/** A failed command: exit 1, nothing on stdout, exactly one `error:` line on stderr. */
export function expectOneErrorLine(result: Spawned, pattern: RegExp): void {
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^error: [^\n]*\n$/);
  expect(result.stderr).toMatch(pattern);
}

export interface Scratch {
  readonly dir: string;
  /** Write a file into the directory and return its path. */
  file(name: string, content: string | Uint8Array): string;
}

/** A scratch directory for a test file, removed after its tests. */
export function scratchDir(prefix: string): Scratch {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
  };
}
