/**
 * The core of the conformance runner: run one `.data` test on one engine and judge the
 * outcome, or run it on both engines and also compare them (differential testing). The
 * command-line runner, the vitest suite and anything else that runs `.data` files use
 * this module, so they agree on what passing means.
 */

import { describeError } from '../src/cli/describe-error.js';
import { ENGINE_NAMES, loadProgram } from '../src/engine.js';
import { isEbpfError, RuntimeTrap, type EbpfError } from '../src/errors.js';
import { ubpfTestHelpers } from '../src/helpers/ubpf-test.js';
import type { EngineName } from '../src/runtime/program.js';
import { Runtime } from '../src/runtime/runtime.js';
import { programOf, readDataFile, type DataFile } from './data-file.js';

/** What one engine did with one test program. */
export interface EngineOutcome {
  readonly engine: EngineName;
  /** r0, when the program loaded and ran to its end. */
  readonly r0?: bigint;
  /** Whatever was thrown while loading or running (a typed error, unless something is broken). */
  readonly error?: unknown;
  /** Whether the program loaded (an error, if any, happened while it ran). */
  readonly loaded: boolean;
  /** The input memory after the run, as the program left it (also when it trapped). */
  readonly input: Uint8Array;
  /** The stack region after the run. */
  readonly stack: Uint8Array;
}

export type Verdict =
  | { readonly status: 'pass' }
  | { readonly status: 'fail' | 'skip'; readonly reason: string };

/** `jit`, `interp`, or `both` (each engine, plus a comparison of the two). */
export type EngineChoice = EngineName | 'both';

const PASS: Verdict = { status: 'pass' };
const fail = (reason: string): Verdict => ({ status: 'fail', reason });
const skip = (reason: string): Verdict => ({ status: 'skip', reason });

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** Run `program` (the bytes of `file`) on one engine with ubpf's test helpers and a fresh runtime. */
export function runOnEngine(file: DataFile, program: Uint8Array, engine: EngineName): EngineOutcome {
  const runtime = new Runtime({ helpers: ubpfTestHelpers() });
  const mem = file.mem.slice();
  let r0: bigint | undefined;
  let error: unknown;
  let loaded = false;
  try {
    const prog = loadProgram(program, { engine, runtime, budget: file.budget });
    loaded = true;
    r0 = prog(mem);
  } catch (e) {
    error = e;
  }
  // Read memory from the runtime itself: an engine may skip copying back into `mem` after a trap.
  const { inputBase, stackBase, stackTop } = runtime.layout;
  const bytes = runtime.bytes();
  return {
    engine,
    r0,
    error,
    loaded,
    input: bytes.slice(inputBase, inputBase + (loaded ? mem.length : 0)),
    stack: bytes.slice(stackBase, stackTop),
  };
}

function errorMatches(error: unknown, expected: string): boolean {
  if (!isEbpfError(error)) return false;
  const want = expected.toLowerCase();
  return error.code.toLowerCase().includes(want) || error.message.toLowerCase().includes(want);
}

function describeOutcome(outcome: EngineOutcome): string {
  if (outcome.error === undefined) return `r0 = ${hex(outcome.r0 ?? 0n)}`;
  if (!isEbpfError(outcome.error)) return `untyped error: ${String(outcome.error)}`;
  return describeError(outcome.error);
}

/**
 * Judge one engine's outcome against the file's expectation. A `-- error` expectation
 * wins over `-- result`: the program must fail (loading or running) with a typed error
 * whose code or message contains the expected text, case-insensitively.
 */
export function judge(file: DataFile, outcome: EngineOutcome): Verdict {
  if (outcome.error !== undefined && !isEbpfError(outcome.error)) {
    return fail(`${describeOutcome(outcome)} (programs must only raise typed errors)`);
  }
  if (file.error !== undefined) {
    return errorMatches(outcome.error, file.error)
      ? PASS
      : fail(`expected an error containing '${file.error}', got ${describeOutcome(outcome)}`);
  }
  const expected = file.result ?? 0n;
  if (outcome.error === undefined && outcome.r0 === expected) return PASS;
  return fail(`expected r0 = ${hex(expected)}, got ${describeOutcome(outcome)}`);
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * What must agree between engines about an error: its code, its pc and, for memory
 * faults, the address and size. Messages may differ. The pc of BUDGET_EXHAUSTED is left
 * out: the JIT charges its budget per loop iteration, the interpreter per instruction.
 */
function errorSummary(error: EbpfError): string {
  const pc = error.pc === undefined || error.code === 'BUDGET_EXHAUSTED' ? '' : ` at pc ${error.pc}`;
  const fault = error instanceof RuntimeTrap && error.address !== undefined ? ` (${error.size} bytes at ${hex(error.address)})` : '';
  return `error ${error.code}${pc}${fault}`;
}

/** Why two engines' outcomes differ (r0, error code, input memory, stack), or undefined. */
export function compareOutcomes(a: EngineOutcome, b: EngineOutcome): string | undefined {
  const summary = (o: EngineOutcome) => (isEbpfError(o.error) ? errorSummary(o.error) : describeOutcome(o));
  if (summary(a) !== summary(b)) return `${a.engine} gave ${summary(a)}, ${b.engine} gave ${summary(b)}`;
  const regions: [string, Uint8Array, Uint8Array, (offset: number) => string][] = [
    ['input memory', a.input, b.input, (i) => `byte ${i}`],
    ['stack', a.stack, b.stack, (i) => `byte ${i - a.stack.length} from the top`],
  ];
  for (const [name, x, y, where] of regions) {
    const at = firstDifference(x, y);
    if (at >= 0) {
      const show = (m: Uint8Array) => (at < m.length ? hex(BigInt(m[at])) : 'nothing');
      return `${name} differs at ${where(at)}: ${a.engine} ${show(x)}, ${b.engine} ${show(y)}`;
    }
  }
  return undefined;
}

/** Run a parsed test on one engine, or on both plus the differential comparison. */
export function runCase(file: DataFile, choice: EngineChoice): Verdict {
  if (file.asm === undefined && file.raw === undefined) return skip('no program (needs -- asm or -- raw)');
  if (file.result === undefined && file.error === undefined) return skip('no expectation (needs -- result or -- error)');
  let program: Uint8Array;
  try {
    program = programOf(file);
  } catch (e) {
    return fail(`test program does not assemble: ${e instanceof Error ? e.message : String(e)}`);
  }
  const engines = choice === 'both' ? ENGINE_NAMES : [choice];
  const outcomes = engines.map((engine) => runOnEngine(file, program, engine));
  const failures = outcomes.flatMap((outcome) => {
    const verdict = judge(file, outcome);
    return verdict.status === 'pass' ? [] : [choice === 'both' ? `[${outcome.engine}] ${verdict.reason}` : verdict.reason];
  });
  if (failures.length > 0) return fail(failures.join('; '));
  if (outcomes.length === 2) {
    const divergence = compareOutcomes(outcomes[0], outcomes[1]);
    if (divergence) return fail(`engines diverge: ${divergence}`);
  }
  return PASS;
}

/** Read, parse and run one `.data` file; a malformed file is a failure, not a crash. */
export function runDataFile(path: string, choice: EngineChoice): Verdict {
  let file: DataFile;
  try {
    file = readDataFile(path, { strict: false });
  } catch (e) {
    return fail(`cannot read test file: ${e instanceof Error ? e.message : String(e)}`);
  }
  return runCase(file, choice);
}
