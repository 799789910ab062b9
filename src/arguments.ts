/**
 * Checks of the arguments the public API takes from JavaScript, where TypeScript's types
 * no longer hold (plain JS callers, `as any`, values read from JSON or a command line).
 * A wrong type is a TypeError and a value out of range a RangeError, each naming the
 * argument, what it takes and what it got, so a mistake fails at the call that made it
 * instead of deep inside a run or, worse, as a silently wrong answer.
 */

/** How a value reads in a message: strings quoted, arrays and typed arrays by kind, objects by class. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `an Array of ${value.length}`;
  const rawName = (value as { constructor?: { name?: unknown } }).constructor?.name;
  // Without the '_' a bundler puts before self-referring classes (see errors.ts).
  const name = typeof rawName === 'string' ? rawName.replace(/^_(?=[A-Z])/, '') : rawName;
  if (typeof name !== 'string' || name === '' || name === 'Object') return 'a plain object';
  return `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`;   // 'a Uint8Array', 'an ArrayBuffer'
}

/**
 * A length or count: TypeError if not a number, RangeError if not a non-negative safe
 * integer. Its upper bound is the caller's to check, with a message naming the limit.
 */
export function checkCount(what: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number, got ${describeValue(value)}`);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
  return value;
}

/**
 * An integer count such as an input length: TypeError if not a number, RangeError if not
 * an integer from `min` to `max`. `what` names the argument ("runInput(length)").
 */
export function checkInteger(what: string, value: unknown, min: number, max: number, why = ''): number {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number, got ${describeValue(value)}`);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer from ${min} to ${max}${why}, got ${value}`);
  }
  return value;
}

/**
 * The input of a run: a Uint8Array (a Node Buffer is one) or nothing. Other typed arrays
 * and plain arrays are refused rather than converted: `Uint8Array.set` would silently
 * truncate a Uint16Array's elements to bytes, or read a string as an empty input.
 */
export function checkInputBytes(what: string, input: unknown): Uint8Array | undefined {
  if (input === undefined || input instanceof Uint8Array) return input;
  const hint = ArrayBuffer.isView(input) || input instanceof ArrayBuffer
    ? ' (wrap its bytes: new Uint8Array(x.buffer, x.byteOffset, x.byteLength))'
    : '';
  throw new TypeError(`${what} must be a Uint8Array, got ${describeValue(input)}${hint}`);
}

/** An options argument: absent, or an object (a `null` or a number is a mistake, not "no options"). */
export function checkOptions<T extends object>(what: string, options: T | undefined): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${what} options must be an object, got ${describeValue(options)}`);
  }
  return options;
}

/** An optional option that must be an instance of `type` (a Runtime, a HelperRegistry...). */
export function checkInstance(what: string, value: unknown, type: abstract new (...args: never[]) => unknown, typeName: string): void {
  if (value !== undefined && !(value instanceof type)) {
    throw new TypeError(`${what} must be a ${typeName}, got ${describeValue(value)}`);
  }
}

/**
 * Bytes of a fixed size (a map key or value): TypeError if not a Uint8Array, RangeError
 * if another length. `what` names the argument ("lookup on hash map 'm' (fd 1): key");
 * `detail` says how the size is made up, when that is not obvious.
 */
export function checkBytes(what: string, value: unknown, size: number, detail = ''): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${what} must be a Uint8Array of ${size} bytes${detail}, got ${describeValue(value)}`);
  }
  if (value.length !== size) throw new RangeError(`${what} must be ${size} bytes${detail}, got ${value.length}`);
  return value;
}

/** An array argument (of keys, values...): TypeError for anything else, iterables included. */
export function checkArray<T>(what: string, value: readonly T[]): readonly T[] {
  if (!Array.isArray(value)) throw new TypeError(`${what} must be an array, got ${describeValue(value)}`);
  return value;
}

/** A callback argument: TypeError before anything happens, not at its first call. */
export function checkFunction(what: string, value: unknown): void {
  if (typeof value !== 'function') throw new TypeError(`${what} must be a function, got ${describeValue(value)}`);
}

/** Text (an assembler or filter source): TypeError for anything but a string. */
export function checkString(what: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${describeValue(value)}`);
  return value;
}

/**
 * An array whose every element passes `isItem` (instructions...): TypeError naming the
 * argument, or the index of the first element that is not one. `kind` says what the
 * array holds, e.g. { items: 'instructions', item: 'an instruction' }.
 */
export function checkItems<T>(what: string, value: readonly T[], kind: { items: string; item: string }, isItem: (item: unknown) => boolean): readonly T[] {
  if (!Array.isArray(value)) throw new TypeError(`${what} must be an array of ${kind.items}, got ${describeValue(value)}`);
  const bad = value.findIndex((item) => !isItem(item));
  if (bad >= 0) throw new TypeError(`${what}[${bad}] must be ${kind.item}, got ${describeValue(value[bad])}`);
  return value;
}

/** Required bytes: as checkInputBytes, without its "nothing" case. */
export function checkUint8Array(what: string, value: unknown): Uint8Array {
  if (value === undefined) throw new TypeError(`${what} must be a Uint8Array, got undefined`);
  return checkInputBytes(what, value)!;
}

/** A bigint argument (a 64-bit value): TypeError for anything else, numbers included. */
export function checkBigInt(what: string, value: unknown): bigint {
  if (typeof value !== 'bigint') throw new TypeError(`${what} must be a bigint, got ${describeValue(value)}`);
  return value;
}

/** An integer (masked to a field's width by the callee): TypeError if not a number, RangeError if not an integer. */
export function checkWhole(what: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number, got ${describeValue(value)}`);
  if (!Number.isInteger(value)) throw new RangeError(`${what} must be an integer, got ${value}`);
  return value;
}

/** A required object argument (`takes` says which, e.g. "a Layout (from computeLayout())"). */
export function checkObject(what: string, value: unknown, takes: string): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${what} must be ${takes}, got ${describeValue(value)}`);
  return value;
}

/** Packets: an array of Uint8Arrays (one wrong element is named by its index). */
export function checkPackets(what: string, value: unknown): readonly Uint8Array[] {
  if (!Array.isArray(value)) throw new TypeError(`${what} must be an array of Uint8Arrays, got ${describeValue(value)}`);
  value.forEach((p, i) => { if (!(p instanceof Uint8Array)) throw new TypeError(`${what}[${i}] must be a Uint8Array, got ${describeValue(p)}`); });
  return value as readonly Uint8Array[];
}

/** Numbers by index (an Array or a typed array), such as packet offsets: TypeError for anything else. */
export function checkArrayLike(what: string, value: unknown): ArrayLike<number> {
  const isList = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!isList) throw new TypeError(`${what} must be an array or a typed array of numbers, got ${describeValue(value)}`);
  return value as ArrayLike<number>;
}

