/**
 * Small linear expressions over the registers' values on entry to a loop,
 * `c + k1 * P[r1] + k2 * P[r2] + ...`, for the counted-loop analysis: the loop's guard
 * evaluates them once, before the first iteration, when every register still holds
 * its entry value P[r]. The guard evaluates them with wrapping i64 arithmetic, which
 * gives exactly the bits the program's own adds, subtracts and multiplies produce.
 * Sizes are capped (a few terms, small coefficients and constants) to keep guards short.
 */
export interface Lin {
  readonly c: bigint;
  /** Coefficient by register, none zero, in register order. */
  readonly terms: ReadonlyMap<number, bigint>;
}

export const MAX_TERMS = 4;
export const MAX_COEFFICIENT = 1n << 16n;
export const MAX_CONSTANT = 1n << 40n;

const fits = (v: bigint, max: bigint) => v < max && v > -max;

function make(c: bigint, terms: Map<number, bigint>): Lin | undefined {
  if (!fits(c, MAX_CONSTANT) || terms.size > MAX_TERMS) return undefined;
  for (const k of terms.values()) if (!fits(k, MAX_COEFFICIENT)) return undefined;
  return { c, terms: new Map([...terms].sort(([a], [b]) => a - b)) };
}

export const ZERO: Lin = { c: 0n, terms: new Map() };

export function linConst(c: bigint): Lin | undefined {
  return make(c, new Map());
}

/** P[r]: register r's value on entry to the loop. */
export function linReg(r: number): Lin {
  return { c: 0n, terms: new Map([[r, 1n]]) };
}

/** a + sign * b. */
export function linAdd(a: Lin, b: Lin, sign: 1n | -1n = 1n): Lin | undefined {
  const terms = new Map(a.terms);
  for (const [r, k] of b.terms) {
    const sum = (terms.get(r) ?? 0n) + sign * k;
    if (sum === 0n) terms.delete(r);
    else terms.set(r, sum);
  }
  return make(a.c + sign * b.c, terms);
}

export function linScale(a: Lin, k: bigint): Lin | undefined {
  if (k === 0n) return ZERO;
  return make(a.c * k, new Map([...a.terms].map(([r, v]) => [r, v * k])));
}

/** The constant, if `a` has no register terms. */
export function linConstant(a: Lin): bigint | undefined {
  return a.terms.size === 0 ? a.c : undefined;
}

export function linEqual(a: Lin, b: Lin): boolean {
  if (a.c !== b.c || a.terms.size !== b.terms.size) return false;
  for (const [r, k] of a.terms) if (b.terms.get(r) !== k) return false;
  return true;
}
