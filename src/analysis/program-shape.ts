import type { Insn } from '../decode/insn.js';

/**
 * A program cut into its functions: what the load stage's structural checks
 * (verify/structure.ts) establish and every later pass (CFG, analyses, engines) relies on.
 */

/** A function of the program: the entry function at pc 0, or a `call local` / lddw func target. */
export interface Subprogram {
  /** Slot index of its first instruction. */
  readonly entry: number;
  /** Slot index one past its last instruction. */
  readonly end: number;
  /** Index into the instruction array of its first and one-past-last instruction. */
  readonly firstIndex: number;
  readonly endIndex: number;
}

export interface ProgramShape {
  readonly insns: readonly Insn[];
  /** Total number of 8-byte slots. */
  readonly slotCount: number;
  /**
   * Sorted by entry; `subprograms[0].entry === 0`. Every jump stays inside its function,
   * lands on an instruction, and every function ends in `exit` or `ja`.
   */
  readonly subprograms: readonly Subprogram[];
  /** Instruction index for each slot; -1 for the second slot of an lddw. */
  readonly indexOfPc: Int32Array;
}
