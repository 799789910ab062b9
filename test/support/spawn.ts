import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The repository root (tests run from the TypeScript sources; spawned tools run from dist/). */
export const REPO = join(import.meta.dirname, '..', '..');

export interface Spawned {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  input?: string;
  cwd?: string;
  /** The environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** Run an executable (`npm test` builds dist/ first) and collect its output. */
export function spawn(command: string, args: readonly string[], options: SpawnOptions = {}): Spawned {
  const result = spawnSync(command, args, { cwd: options.cwd ?? REPO, input: options.input ?? '', env: options.env, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `node dist/<script>` with arguments. */
export function node(script: string, args: readonly string[], options?: SpawnOptions): Spawned {
  return spawn(process.execPath, [join(REPO, 'dist', script), ...args], options);
}
