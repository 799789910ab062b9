import type { ProgramType } from '../abi/program-types.js';
import type { Enterable } from '../abi/signals.js';
import type { Insn } from '../decode/insn.js';
import type { Runtime } from './runtime.js';

export interface RunResult {
  /** r0 at exit, as an unsigned 64-bit value. */
  readonly r0: bigint;
  /**
   * The array the run was given. A raw program runs over it in place, so it holds what the
   * program wrote; for other types it is left as it was.
   */
  readonly memory: Uint8Array;
  /** Packet programs: the packet after the run, as the kernel's test run returns it (data_out). */
  readonly dataOut?: Uint8Array;
}

export type EngineName = 'interp' | 'jit';

/**
 * A loaded program, whichever engine runs it. Calling it runs the program over `input`,
 * presented as its type presents it (runtime/contexts): a raw program gets r1 = the
 * input's address and r2 = its length, and what it writes is copied back into `input`, as
 * ubpf runs a program over the caller's memory in place; a packet program gets its
 * context (__sk_buff, xdp_md) over the packet, as the kernel's BPF_PROG_TEST_RUN gives it;
 * a tracing program gets the bytes as its read-only context.
 */
export interface Program extends Enterable {
  (input?: Uint8Array): bigint;
  run(input?: Uint8Array): RunResult;
  /**
   * Zero-copy input: the bytes a run over `length` bytes reads (the packet where the
   * context will point, the raw input...). Write them, then call `runInput(length)`.
   */
  input(length: number): Uint8Array;
  /** Run over the `length` bytes already in `input(length)`; nothing is copied in or out. */
  runInput(length: number): bigint;
  readonly engine: EngineName;
  readonly type: ProgramType;
  readonly insns: readonly Insn[];
  readonly runtime: Runtime;
}
