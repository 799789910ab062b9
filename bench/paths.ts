import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, found by walking up to package.json, so the same code works from
 * bench/*.ts (vitest) and from dist/bench/*.js (npm run bench).
 */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bench: cannot find the repository root (package.json)');
    dir = parent;
  }
  return dir;
})();

export const programsDir = join(repoRoot, 'bench', 'programs');
export const nativeDir = join(repoRoot, 'bench', 'native');
export const nativeBuildDir = join(nativeDir, 'build');

/** The checked-in eBPF instructions of a benchmark program. */
export function programBinPath(name: string): string {
  return join(programsDir, `${name}.bin`);
}

export function programSourcePath(name: string): string {
  return join(programsDir, `${name}.c`);
}
