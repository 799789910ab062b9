import { HelperRegistry } from '../helpers/registry.js';
import { checkInstance, checkInteger, checkOptions, describeValue } from '../arguments.js';

/**
 * The Runtime constructor's options (RuntimeOptions; typed structurally, as runtime.ts imports this file), checked before anything is allocated. `cpus`, `cpu`
 * and the layout's sizes are checked where they are used (runtime.ts, abi/layout.ts).
 * A seed used to go through `>>> 0`, which made 'x', 1.5 and NaN into seeds without a
 * word; it must now be a 32-bit unsigned integer, the generator's state.
 */
export function checkRuntimeOptions<T extends { seed?: number; helpers?: HelperRegistry; trace?: unknown }>(options: T | undefined): T {
  const checked = checkOptions('Runtime', options);
  if (checked.seed !== undefined) checkInteger('Runtime option seed', checked.seed, 0, 0xffff_ffff);
  checkInstance('Runtime option helpers', checked.helpers, HelperRegistry, 'HelperRegistry');
  if (checked.trace !== undefined && typeof checked.trace !== 'function') {
    throw new TypeError(`Runtime option trace must be a function (message: string) => void, got ${describeValue(checked.trace)}`);
  }
  return checked;
}
