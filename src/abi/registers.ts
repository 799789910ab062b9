/**
 * eBPF's registers: r0 (return value), r1-r5 (arguments, clobbered by calls), r6-r9
 * (callee-saved) and r10, the read-only frame pointer. Every part that names a register
 * by number takes it from here.
 */

/** r0..r10. */
export const REG_COUNT = 11;

/** r10, the frame pointer: read-only, the top of the current 512-byte stack frame. */
export const FP = 10;

/** The highest register number an instruction may name. */
export const MAX_REGISTER = FP;

/** r1..r5: the argument registers of helper and local calls. */
export const ARG_REGISTERS: readonly number[] = [1, 2, 3, 4, 5];
