import { branchTarget, funcPointerTarget, makeInsn, type Insn } from '../src/decode/insn.js';
import { OPCODES } from '../src/decode/opcodes.js';
import { disassemble } from '../src/decode/disasm.js';
import type { Outcome } from './differential.js';

const JA = OPCODES.find((s) => s.sem.kind === 'ja' && !s.sem.wide)!;

/** `ja +0` in every slot the instruction occupied, so no other offset moves. */
function nops(insn: Insn): Insn[] {
  return Array.from({ length: insn.spec.slots }, (_, k) => makeInsn(JA, { off: 0 }, insn.pc + k));
}

function isNop(insn: Insn): boolean {
  return insn.spec === JA && insn.off === 0;
}

/** Whether an instruction's offset field names a target (jumps, local calls, func pointers). */
function targetOf(insn: Insn): number | undefined {
  const s = insn.spec.sem;
  if (s.kind === 'jmp' || s.kind === 'ja' || (s.kind === 'call' && s.target === 'local')) return branchTarget(insn);
  if (s.kind === 'lddw' && s.pseudo === 'func') return funcPointerTarget(insn);
  return undefined;
}

/** Drop the `ja +0` fillers, re-pointing every jump and call at its old target's new place. */
function withoutNops(insns: readonly Insn[]): Insn[] {
  const kept = insns.filter((i) => !isNop(i));
  const newPc = new Map<number, number>();
  let pc = 0;
  // An old pc that held a filler maps to the next kept instruction.
  const pending: number[] = [];
  for (const insn of insns) {
    if (isNop(insn)) { pending.push(insn.pc); continue; }
    for (const p of pending.splice(0)) newPc.set(p, pc);
    newPc.set(insn.pc, pc);
    pc += insn.spec.slots;
  }
  for (const p of pending) newPc.set(p, pc);
  return kept.map((insn) => {
    const at = newPc.get(insn.pc)!;
    const target = targetOf(insn);
    if (target === undefined) return { ...insn, pc: at };
    const offset = newPc.get(target)! - at - 1;
    const s = insn.spec.sem;
    const inImm = (s.kind === 'ja' && s.wide) || s.kind === 'call' || s.kind === 'lddw';
    return { ...insn, pc: at, imm: inImm ? offset : insn.imm, off: inImm ? insn.off : offset };
  });
}

/**
 * Shrink a diverging program: replace instructions by no-ops while the divergence
 * persists, then remove the no-ops. `diverges` re-runs both engines.
 */
export function minimize(insns: readonly Insn[], diverges: (p: readonly Insn[]) => boolean): Insn[] {
  let current = [...insns];
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = current.length - 1; i >= 0; i--) {
      const kind = current[i].spec.sem.kind;
      if (isNop(current[i]) || kind === 'exit') continue;
      const candidate = [...current.slice(0, i), ...nops(current[i]), ...current.slice(i + 1)];
      let ok = false;
      try { ok = diverges(candidate); } catch { ok = false; }
      if (ok) { current = candidate; changed = true; }
    }
  }
  const compact = withoutNops(current);
  try {
    if (diverges(compact)) return compact;
  } catch { /* keep the padded version */ }
  return current;
}

function hexBytes(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 8) {
    lines.push([...bytes.subarray(i, i + 8)].map((b) => b.toString(16).padStart(2, '0')).join(' '));
  }
  return lines.join('\n');
}

/** A `.data` file reproducing a divergence; the expected result is the interpreter's. */
export function toDataFile(insns: readonly Insn[], input: Uint8Array, reference: Outcome, title: string): string {
  const expected = reference.error
    ? `-- error\n${reference.error.code}\n`
    : `-- result\n0x${reference.r0!.toString(16)}\n`;
  return `# ${title}\n-- asm\n${disassemble(insns)}\n-- mem\n${hexBytes(input)}\n${expected}`;
}
