import { VerifierError, type EbpfError } from '../errors.js';
import { branchTarget, type Insn } from '../decode/insn.js';

/** A function of the program: the entry function at pc 0, or a `call local` / lddw func target. */
export interface Subprogram {
  /** Slot index of its first instruction. */
  readonly entry: number;
  /** Slot index one past its last instruction. */
  readonly end: number;
  /** Index into the instruction array of its first and one-past-last instruction. */
  readonly firstIndex: number;
  readonly endIndex: number;
}

export interface ProgramShape {
  readonly insns: readonly Insn[];
  /** Total number of 8-byte slots. */
  readonly slotCount: number;
  /** Sorted by entry; `subprograms[0].entry === 0`. */
  readonly subprograms: readonly Subprogram[];
  /** Instruction index for each slot; -1 for the second slot of an lddw. */
  readonly indexOfPc: Int32Array;
}

type ErrorClass = new (code: string, message: string, pc?: number) => EbpfError;

/** Target slot of an lddw that loads a code pointer (BPF_PSEUDO_FUNC). */
export function funcPointerTarget(insn: Insn): number {
  return insn.pc + 1 + insn.imm;
}

function isUnconditionalExit(insn: Insn): boolean {
  const k = insn.spec.sem.kind;
  return k === 'exit' || k === 'ja';
}

/**
 * Structural checks every engine needs before running a program, and the subprogram
 * boundaries: jumps and calls land on instruction starts inside the program, jumps stay
 * inside their function, and no function can run off its end. `Err` selects the error
 * class (`VerifierError` for the interpreter, `CompileError` from the JIT).
 */
export function analyzeStructure(insns: readonly Insn[], Err: ErrorClass = VerifierError): ProgramShape {
  if (insns.length === 0) throw new Err('EMPTY_PROGRAM', 'program has no instructions');
  const last = insns[insns.length - 1];
  const slotCount = last.pc + last.spec.slots;
  const indexOfPc = new Int32Array(slotCount).fill(-1);
  insns.forEach((insn, i) => { indexOfPc[insn.pc] = i; });

  const checkTarget = (insn: Insn, target: number, code: string, what: string) => {
    if (target < 0 || target >= slotCount) {
      throw new Err(code, `${what} target ${target} is outside the program (0..${slotCount - 1})`, insn.pc);
    }
    if (indexOfPc[target] < 0) {
      throw new Err(code === 'JUMP_OUT_OF_RANGE' ? 'JUMP_INTO_LDDW' : code,
        `${what} target ${target} is the second slot of an lddw`, insn.pc);
    }
  };

  const entries = new Set<number>([0]);
  for (const insn of insns) {
    const sem = insn.spec.sem;
    if (sem.kind === 'jmp' || sem.kind === 'ja') {
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
      if (k === 'jmp' || k === 'ja') {
        const target = branchTarget(insn);
        if (target < sub.entry || target >= sub.end) {
          throw new Err('JUMP_OUT_OF_FUNCTION',
            `jump to ${target} leaves the function spanning ${sub.entry}..${sub.end - 1}`, insn.pc);
        }
      }
    }
    const tail = insns[sub.endIndex - 1];
    if (!isUnconditionalExit(tail)) {
      throw new Err('FALLS_OFF_END',
        `the function starting at ${sub.entry} can run past its last instruction (${tail.spec.mnemonic})`, tail.pc);
    }
  }
  return { insns, slotCount, subprograms, indexOfPc };
}
