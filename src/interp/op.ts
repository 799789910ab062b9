/**
 * A compiled instruction: a closure with its registers, constants and targets bound,
 * returning the slot index of the next instruction, or one of the control codes below.
 */
export type Op = () => number;

/** `exit`: return from the current function (ends the program in the entry function). */
export const EXIT = -1;
/** End the whole program at once, whatever the call depth; r0 is already set. */
export const HALT = -2;
