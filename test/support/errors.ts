import { RuntimeTrap } from '../../src/errors.js';

/**
 * What a call throws, for tests that expect a failure: the error if it is an instance of
 * `type` (anything else thrown propagates, so the test fails on it), and a failure naming
 * the expected class if nothing was thrown.
 */
export function thrown<T>(fn: () => unknown, type: abstract new (...args: never[]) => T): T {
  try {
    fn();
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}

/** Whatever `fn` throws (it must throw). */
export function anyError(fn: () => unknown): Error {
  return thrown(fn, Error);
}

/** The RuntimeTrap a run ends in. */
export function trapOf(fn: () => unknown): RuntimeTrap {
  return thrown(fn, RuntimeTrap);
}
