import type { VerifierEnv } from './env.js';
import type { Reg } from './registers.js';
import { constantOf } from './scalar.js';
import { tnumAdd, tnumConst, tnumIsAligned, tnumString } from './tnum.js';

/**
 * The kernel's check_ptr_alignment on x86-64, which has efficient unaligned access: a
 * load or store need not be aligned, except on the stack (the spill tracking relies on
 * aligned slots) and for atomics (`strict`, the kernel's strict_alignment_once). Then
 * every value the offset can take, the variable part included, must be a multiple of the
 * size: fp-8 + (x & 3) is refused for a 2-byte load although x = 0 and x = 2 would be fine.
 * Packets are never strict here (NET_IP_ALIGN is 0) and atomics on them are refused anyway.
 */

/** The kernel's pointer_desc per kind ('' for kinds it does not name). */
const DESCRIPTIONS: Partial<Record<Reg['kind'], string>> = { stack: 'stack ', map_value: 'value ', ctx: 'context ', sock: 'sock_common ' };

const PLACED = new Set<Reg['kind']>(['stack', 'map_value', 'mem', 'ctx', 'sock']);

export function checkAlignment(env: VerifierEnv, r: Reg, off: number, size: number, strict: boolean, pc: number): void {
  // Only pointers the verifier places: a number (checked mode's raw input) is left to the run-time check.
  if (!PLACED.has(r.kind)) return;
  if (!(strict || r.kind === 'stack') || size === 1) return;
  const offsets = tnumAdd(r.var.tnum, tnumConst(BigInt(r.off + off)));
  if (tnumIsAligned(offsets, size)) return;
  // The log prints a known variable part as a number, an unknown one as its tnum.
  const known = constantOf(r.var);
  const varPart = known === undefined ? tnumString(r.var.tnum) : `${known}`;
  const code = r.kind === 'stack' ? 'MISALIGNED_STACK' : 'MISALIGNED_ACCESS';
  env.fail(code, `misaligned ${DESCRIPTIONS[r.kind] ?? ''}access off ${varPart}+${r.off}+${off} size ${size}`, pc);
}
