import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HelperRegistry, type HelperImpl } from '../helpers/registry.js';
import { CliError } from './command.js';

/**
 * Helpers from a user's JS module (`--helpers m.js`): its default export, or else its
 * `helpers` export, maps helper ids to functions `(r1, r2, r3, r4, r5, env) => bigint | number`
 * (a plain object `{ 1: fn }` or a `Map`). Each is registered under its id in `registry`
 * (by default an empty one), replacing a helper it already has under that id.
 */
export async function loadHelpersModule(path: string, registry = new HelperRegistry()): Promise<HelperRegistry> {
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(resolve(path)).href) as Record<string, unknown>;
  } catch (e) {
    throw new CliError(`--helpers ${path}: cannot load module (${(e as Error).message})`);
  }
  const table = module.default ?? module.helpers;
  if (table === null || typeof table !== 'object') {
    throw new CliError(`--helpers ${path}: expected a default export (or an export named 'helpers') mapping helper ids to functions`);
  }
  const entries = table instanceof Map ? [...table.entries()] : Object.entries(table);
  for (const [key, impl] of entries) {
    const id = Number(key);
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
      throw new CliError(`--helpers ${path}: '${String(key)}' is not a helper id (a non-negative 32-bit integer)`);
    }
    if (typeof impl !== 'function') throw new CliError(`--helpers ${path}: helper ${id} is not a function`);
    registry.define(id, impl as HelperImpl);
  }
  return registry;
}
