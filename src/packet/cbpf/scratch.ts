import { VerifierError } from '../../errors.js';
import type { CbpfInsn } from './insn.js';
import type { CbpfSpec } from './opcodes.js';

/**
 * Scratch memory M[0..15] must be written before it is read along every path: the
 * kernel's check_load_and_stores, step for step. Jumps only go forward, so one pass in
 * program order is a complete dataflow: `valid` holds the cells written on the way in
 * (one bit each), a jump ANDs it into the masks of its targets, and each instruction
 * starts from `valid & mask`. After a jump, fall-through is impossible, so `valid` becomes
 * all ones and the instruction after it sees only what its jumps brought.
 *
 * As in the kernel, `ret` does not reset `valid`: an instruction after a `ret` that jumps
 * reach also keeps the cells valid before the `ret`, and one no jump reaches (dead code)
 * is checked as if the `ret` fell through. Copying this keeps the accept/refuse verdicts
 * identical to Linux.
 *
 * Call it after validate.ts's per-instruction checks (cells < 16, targets in range).
 */
export function checkScratch(insns: readonly CbpfInsn[], specs: readonly CbpfSpec[]): void {
  const ALL = 0xffff;
  const masks = new Uint16Array(insns.length).fill(ALL);
  let valid = 0;
  for (let pc = 0; pc < insns.length; pc++) {
    valid &= masks[pc];
    const insn = insns[pc];
    const sem = specs[pc].sem;
    if (sem.kind === 'st') {
      valid |= 1 << insn.k;
    } else if (sem.kind === 'ld' && sem.source === 'mem') {
      if (!(valid & (1 << insn.k))) {
        throw new VerifierError('CBPF_SCRATCH_UNINIT', `M[${insn.k}] is read before it is written on some path`, pc);
      }
    } else if (sem.kind === 'ja') {
      masks[pc + 1 + insn.k] &= valid;
      valid = ALL;
    } else if (sem.kind === 'jmp') {
      masks[pc + 1 + insn.jt] &= valid;
      masks[pc + 1 + insn.jf] &= valid;
      valid = ALL;
    }
  }
}
