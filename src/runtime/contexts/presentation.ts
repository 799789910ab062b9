import type { ProgramType } from '../../abi/program-types.js';
import type { Runtime } from '../runtime.js';

/**
 * How a run hands its input to a program of a given type: where the caller's bytes go
 * in the runtime's memory, what the context holds and what r1 is, and what comes back
 * besides r0. Each packet type presents the packet as the kernel's BPF_PROG_TEST_RUN
 * does for it (see skb.ts and xdp.ts); both engines run through these, so they see the
 * same memory.
 */
export interface Presentation {
  readonly type: ProgramType;
  /**
   * Where a run over `length` bytes of input reads them from: the caller writes the input
   * there (zero copy, `view`), or `place` copies it. RangeError if the type cannot take
   * `length` bytes.
   */
  inputAt(runtime: Runtime, length: number): number;
  /** Set up the context for a run over the `length` bytes in `view`; returns r1. */
  begin(runtime: Runtime, length: number): bigint;
  /** After a run: the packet as it is now (the kernel's data_out), for packet types. */
  dataOut?(runtime: Runtime): Uint8Array;
}

/** The bytes a run over `length` bytes of input reads. */
export function view(presentation: Presentation, runtime: Runtime, length: number): Uint8Array {
  const at = presentation.inputAt(runtime, length);
  return runtime.bytes().subarray(at, at + length);
}

/** Copy `input` to where a run over it reads it (no view allocated: this is on every copying run). */
export function place(presentation: Presentation, runtime: Runtime, input: Uint8Array): void {
  runtime.bytes().set(input, presentation.inputAt(runtime, input.length));
}
