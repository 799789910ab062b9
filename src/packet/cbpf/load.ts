import { loadProgram, type LoadOptions } from '../../engine.js';
import type { Program } from '../../runtime/program.js';
import { compileCbpf } from './compile.js';
import type { CbpfInsn } from './insn.js';

/** Options of loadCbpf: an engine's, less the program type, which a classic filter fixes. */
export type CbpfLoadOptions = Omit<LoadOptions, 'programType' | 'maps'>;

/**
 * A classic filter, loaded with an engine as a `sched_cls` program: its packet is an
 * Ethernet frame that starts at LD_ABS offset 0, as tcpdump's filters expect (a
 * `socket_filter` would start after the Ethernet header). A run returns the filter's
 * verdict: the accepted length as a u32, 0 to drop.
 */
export function loadCbpf(input: string | Uint8Array | readonly CbpfInsn[], options: CbpfLoadOptions = {}): Program {
  const { insns } = compileCbpf(input);
  // The kernel checks a classic filter with its own rules (compileCbpf did) and never runs
  // the eBPF verifier on its conversion, which may keep code no path reaches: checked mode
  // by default, as for a raw program.
  return loadProgram(insns, { verify: 'checked', ...options, programType: 'sched_cls' });
}
