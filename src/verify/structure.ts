import type { ProgramShape, Subprogram } from '../analysis/program-shape.js';
import { branchTarget, funcPointerTarget, type Insn } from '../decode/insn.js';
import { VerifierError } from '../errors.js';

function isUnconditionalExit(insn: Insn): boolean {
  const k = insn.spec.sem.kind;
  return k === 'exit' || k === 'ja';
}

/**
 * Structural checks every engine needs before running a program, and the subprogram
 * boundaries: jumps and calls land on instruction starts inside the program, jumps stay
 * inside their function, and no function can run off its end. Throws `VerifierError`.
 */
export function analyzeStructure(insns: readonly Insn[]): ProgramShape {
  if (insns.length === 0) throw new VerifierError('EMPTY_PROGRAM', 'program has no instructions');
  const last = insns[insns.length - 1];
  const slotCount = last.pc + last.spec.slots;
  const indexOfPc = new Int32Array(slotCount).fill(-1);
  insns.forEach((insn, i) => { indexOfPc[insn.pc] = i; });

  const checkTarget = (insn: Insn, target: number, code: string, what: string) => {
    if (target < 0 || target >= slotCount) {
      throw new VerifierError(code, `${what} target ${target} is outside the program (0..${slotCount - 1})`, insn.pc);
    }
    if (indexOfPc[target] < 0) {
      // Reported at the lddw, in the kernel's words.
      if (code === 'JUMP_OUT_OF_RANGE') throw new VerifierError('JUMP_INTO_LDDW', `jump into the middle of ldimm64 insn ${target - 1}`, target - 1);
      throw new VerifierError(code, `${what} target ${target} is the second slot of an lddw`, insn.pc);
    }
  };

  const entries = new Set<number>([0]);
  for (const insn of insns) {
    const sem = insn.spec.sem;
    if (sem.kind === 'jmp' || sem.kind === 'ja' || sem.kind === 'may_goto') {
      checkTarget(insn, branchTarget(insn), 'JUMP_OUT_OF_RANGE', 'jump');
    } else if (sem.kind === 'call' && sem.target === 'local') {
      const target = branchTarget(insn);
      checkTarget(insn, target, 'BAD_CALL_TARGET', 'call');
      entries.add(target);
    } else if (sem.kind === 'lddw' && sem.pseudo === 'func') {
      const target = funcPointerTarget(insn);
      checkTarget(insn, target, 'BAD_CALL_TARGET', 'function pointer');
      entries.add(target);
    }
  }

  const sorted = [...entries].sort((a, b) => a - b);
  const subprograms: Subprogram[] = sorted.map((entry, i) => {
    const end = i + 1 < sorted.length ? sorted[i + 1] : slotCount;
    const endIndex = i + 1 < sorted.length ? indexOfPc[sorted[i + 1]] : insns.length;
    return { entry, end, firstIndex: indexOfPc[entry], endIndex };
  });

  for (const sub of subprograms) {
    for (let i = sub.firstIndex; i < sub.endIndex; i++) {
      const insn = insns[i];
      const k = insn.spec.sem.kind;
      if (k === 'jmp' || k === 'ja' || k === 'may_goto') {
        const target = branchTarget(insn);
        if (target < sub.entry || target >= sub.end) {
          throw new VerifierError('JUMP_OUT_OF_FUNCTION',
            `jump to ${target} leaves the function spanning ${sub.entry}..${sub.end - 1}`, insn.pc);
        }
      }
    }
    const tail = insns[sub.endIndex - 1];
    if (!isUnconditionalExit(tail)) {
      throw new VerifierError('FALLS_OFF_END',
        `the function starting at ${sub.entry} can run past its last instruction (${tail.spec.mnemonic})`, tail.pc);
    }
  }
  return { insns, slotCount, subprograms, indexOfPc };
}
