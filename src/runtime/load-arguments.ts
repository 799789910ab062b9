import { DecodeError } from '../errors.js';
import { HelperRegistry } from '../helpers/registry.js';
import { checkInstance, checkOptions, describeValue } from '../arguments.js';
import { Runtime } from './runtime.js';

/** The options every engine's loader shares (JitOptions and InterpreterOptions extend these). */
interface CommonLoadOptions {
  runtime?: Runtime;
  helpers?: HelperRegistry;
  maps?: readonly unknown[];
}

/**
 * The arguments of `jit()` / `interpreter()` before anything is built from them: the
 * options object and the objects it holds, and a program of the wrong type with a hint
 * (text goes through `assemble()` first). The program's content, the budget and the
 * program type are the load stage's to check (verify/load-stage.ts), the same for both
 * engines; the error for a program of the wrong type is the load stage's too
 * (`DecodeError` BAD_INPUT), only with a message saying what was given.
 */
export function checkLoadArguments<T extends CommonLoadOptions>(what: string, program: unknown, options: T | undefined): T {
  if (!(program instanceof Uint8Array) && !Array.isArray(program)) {
    const hint = typeof program === 'string' ? `: assemble text first, ${what}(assemble(text))` : '';
    throw new DecodeError('BAD_INPUT', `program must be a Uint8Array of bytecode or an array of instructions, got ${describeValue(program)}${hint}`);
  }
  const checked = checkOptions(`${what}()`, options);
  checkInstance(`${what}() option runtime`, checked.runtime, Runtime, 'Runtime');
  checkInstance(`${what}() option helpers`, checked.helpers, HelperRegistry, 'HelperRegistry');
  if (checked.maps !== undefined && !Array.isArray(checked.maps)) {
    throw new TypeError(`${what}() option maps must be an array of maps, got ${describeValue(checked.maps)}`);
  }
  return checked;
}
