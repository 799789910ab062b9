import type { Region } from '../abi/layout.js';
import type { ProgramType } from '../abi/program-types.js';
import type { HelperDef } from '../helpers/registry.js';

/**
 * What the instruction checks (check-*.ts) need of the verifier running them: the
 * program, a way to fail with the kernel's message, fresh ids, and a record of the
 * proofs the JIT compiles on.
 */
export interface VerifierEnv {
  readonly type: ProgramType;
  /** The helper registered under `id` (the load stage checked it exists and may be called). */
  helper(id: number): HelperDef | undefined;
  /** Stop: the program is rejected at `pc` with a stable code and the kernel's message. */
  fail(code: string, message: string, pc: number): never;
  /** A fresh id for a pointer that may be NULL, a packet pointer with a new variable offset, a reference. */
  newId(): number;
  /**
   * Record how a memory access at `pc` went on this path: proven inside its object, or
   * (checked mode) left to the run-time check. An access proven on every path needs no check.
   * `region`: where the pointer points, which the JIT checks first when a check stays.
   */
  noteAccess(pc: number, proven: boolean, region?: Region): void;
  /** A conditional jump at `pc` went one way only, decided by its scalar operands' values (they must be precise). */
  noteDecidedBranch(pc: number): void;
  /** Bytes from a raw program's input start within which no other region lies (the input area and the gap before the heap). */
  readonly inputSpan: number;
  /** Whether the verifier rejects only what cannot run safely at all (raw programs), keeping run-time checks. */
  readonly checked: boolean;
}
