import { isEbpfError } from '../errors.js';

/**
 * One line for an error: for typed errors the kind, the message (which already names
 * the pc, or the source line for assembler errors) and the stable code, e.g.
 * `decode error: unknown opcode 0xff at pc 2 (UNKNOWN_OPCODE)`. Anything else is shown
 * by its message alone.
 */
export function describeError(error: unknown): string {
  if (isEbpfError(error)) return `${error.kind} error: ${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
