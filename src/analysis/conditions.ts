import type { JmpCond } from '../decode/opcodes.js';

/**
 * The algebra of jump conditions, for the dataflows that learn from branches and for
 * the fuzzer. jset tests bits, not an order, and has no entry.
 */

/** `!(a op b)` is `a NEGATED[op] b`. */
export const NEGATED: Partial<Record<JmpCond, JmpCond>> = {
  eq: 'ne', ne: 'eq', gt: 'le', ge: 'lt', lt: 'ge', le: 'gt', sgt: 'sle', sge: 'slt', slt: 'sge', sle: 'sgt',
};

/** `a op b` is `b SWAPPED[op] a`. */
export const SWAPPED: Partial<Record<JmpCond, JmpCond>> = {
  eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge', sgt: 'slt', sge: 'sle', slt: 'sgt', sle: 'sge',
};
