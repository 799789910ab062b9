import type { Insn } from '../../decode/insn.js';
import type { CbpfInsn } from './insn.js';
import { parseCbpf } from './parse.js';
import { translateCbpf } from './translate.js';
import { validateCbpf } from './validate.js';

/** A classic program checked as Linux checks it and translated to eBPF. */
export interface CompiledCbpf {
  /** The classic instructions as given. */
  readonly cbpf: readonly CbpfInsn[];
  /** The eBPF program: a sched_cls program over the frame (translate.ts). */
  readonly insns: readonly Insn[];
  /** The eBPF pc where each classic instruction's code starts. */
  readonly starts: readonly number[];
}

/**
 * `tcpdump -dd` or `-ddd` text, `struct sock_filter` bytes or instructions, to eBPF:
 * parse (DecodeError), validate as the kernel does (VerifierError, DecodeError for an
 * unknown code), translate (CompileError for ancillary loads not supported here).
 */
export function compileCbpf(input: string | Uint8Array | readonly CbpfInsn[]): CompiledCbpf {
  const cbpf = parseCbpf(input);
  const specs = validateCbpf(cbpf);
  const { insns, starts } = translateCbpf(cbpf, specs);
  return { cbpf, insns, starts };
}
