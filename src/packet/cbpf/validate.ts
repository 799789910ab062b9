import { DecodeError, VerifierError } from '../../errors.js';
import type { CbpfInsn } from './insn.js';
import { ancillaryOf, CBPF_MAXINSNS, CBPF_MEMWORDS, CBPF_SPECS, isAncillaryRange, type CbpfSpec } from './opcodes.js';
import { checkScratch } from './scratch.js';

/**
 * The checks Linux makes before it attaches a classic socket filter (net/core/filter.c:
 * bpf_check_basics_ok, bpf_check_classic, check_load_and_stores), in its order, so the
 * first problem reported is the first one the kernel would stop at:
 *   - 1 to 4096 instructions;
 *   - per instruction: a known code (DecodeError CBPF_UNKNOWN_OPCODE); division and modulo
 *     by a constant 0; shifts by a constant of 32 or more; M[k] with k < 16; `ja` forward
 *     inside the program (k < len - pc - 1); both targets of a conditional jump inside it;
 *     LD_ABS at or above SKF_AD_OFF only for a known ancillary load;
 *   - the last instruction is `ret`;
 *   - each M[k] read is written first along every path (scratch.ts).
 * Every error but the unknown code is a VerifierError; `pc` is the instruction's index.
 * Returns the table row of each instruction.
 */
export function validateCbpf(insns: readonly CbpfInsn[]): CbpfSpec[] {
  if (insns.length === 0) throw new VerifierError('CBPF_EMPTY', 'a classic BPF program needs at least one instruction');
  if (insns.length > CBPF_MAXINSNS) {
    throw new VerifierError('CBPF_TOO_LONG', `a classic BPF program has at most ${CBPF_MAXINSNS} instructions, this one has ${insns.length}`);
  }
  const specs = insns.map((insn, pc) => {
    const spec = CBPF_SPECS.get(insn.code);
    if (!spec) throw new DecodeError('CBPF_UNKNOWN_OPCODE', `unknown classic BPF code 0x${insn.code.toString(16).padStart(2, '0')}`, pc);
    checkInsn(insn, spec, pc, insns.length);
    return spec;
  });
  const last = specs[specs.length - 1];
  if (last.sem.kind !== 'ret') {
    throw new VerifierError('CBPF_NO_RETURN', `the last instruction must be a ret, not ${last.mnemonic}`, insns.length - 1);
  }
  checkScratch(insns, specs);
  return specs;
}

function checkInsn(insn: CbpfInsn, spec: CbpfSpec, pc: number, length: number): void {
  const sem = spec.sem;
  const { k } = insn;
  switch (sem.kind) {
    case 'alu':
      if (sem.source === 'k' && (sem.op === 'div' || sem.op === 'mod') && k === 0) {
        throw new VerifierError('CBPF_DIV_BY_ZERO', `${sem.op} by the constant 0`, pc);
      }
      if (sem.source === 'k' && (sem.op === 'lsh' || sem.op === 'rsh') && k >= 32) {
        throw new VerifierError('CBPF_BAD_SHIFT', `${sem.op} by the constant ${k} (at most 31)`, pc);
      }
      return;
    case 'ld':
      if (sem.source === 'mem') checkCell(k, pc);
      if (sem.source === 'abs' && isAncillaryRange(k) && !ancillaryOf(k)) {
        throw new VerifierError('CBPF_UNKNOWN_ANCILLARY', `unknown ancillary load SKF_AD_OFF+${(k | 0) + 0x1000}`, pc);
      }
      return;
    case 'st':
      checkCell(k, pc);
      return;
    case 'ja':
      // Unsigned, as the kernel compares: a "negative" k is a huge forward jump.
      if (k >= length - pc - 1) {
        throw new VerifierError('CBPF_JUMP_OUT_OF_RANGE', `ja +${k} lands at ${pc + 1 + k}, past the last instruction (${length - 1})`, pc);
      }
      return;
    case 'jmp':
      for (const [name, off] of [['jt', insn.jt], ['jf', insn.jf]] as const) {
        if (pc + off + 1 >= length) {
          throw new VerifierError('CBPF_JUMP_OUT_OF_RANGE', `${name} +${off} lands at ${pc + 1 + off}, past the last instruction (${length - 1})`, pc);
        }
      }
      return;
    default:
      return;
  }
}

function checkCell(k: number, pc: number): void {
  if (k >= CBPF_MEMWORDS) {
    throw new VerifierError('CBPF_BAD_SCRATCH', `scratch cell M[${k}] does not exist (M[0] to M[${CBPF_MEMWORDS - 1}])`, pc);
  }
}
