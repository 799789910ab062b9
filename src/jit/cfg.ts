import { CompileError } from '../errors.js';
import { branchTarget, type Insn } from '../decode/insn.js';
import { analyzeStructure, type ProgramShape, type Subprogram } from '../verify/structure.js';

/**
 * Pass one of the JIT (after rbpf's `build_cfg` / sbpf's static analysis): find the
 * leaders, cut each function into basic blocks and record the edges. Emission (pass
 * two) then works block by block. Every block ends in an explicit terminator.
 */

export type Terminator =
  /** Conditional jump: `taken` if the condition holds, else `fallthrough`. */
  | { kind: 'branch'; insn: Insn; taken: number; fallthrough: number }
  /** Unconditional jump (ja/ja32) or plain fall into the next block. */
  | { kind: 'goto'; target: number; insn?: Insn }
  | { kind: 'exit'; insn: Insn };

export interface BasicBlock {
  readonly id: number;
  /** Index into the program's instructions of the first instruction. */
  readonly first: number;
  /** One past the last instruction index; the terminator's own insn is inside the range. */
  readonly end: number;
  readonly startPc: number;
  terminator: Terminator;
}

export interface FunctionCfg {
  readonly sub: Subprogram;
  /** Position of the function in `ProgramCfg.functions` (0 = entry). */
  readonly index: number;
  /** In program order; `blocks[0]` is the entry block. */
  readonly blocks: readonly BasicBlock[];
}

export interface ProgramCfg {
  readonly shape: ProgramShape;
  readonly functions: readonly FunctionCfg[];
  /** Function index by entry pc. */
  readonly functionAt: ReadonlyMap<number, number>;
}

/** The blocks a block's terminator can continue in. */
export function successors(block: BasicBlock): number[] {
  const t = block.terminator;
  return t.kind === 'branch' ? [t.taken, t.fallthrough] : t.kind === 'goto' ? [t.target] : [];
}

function endsBlock(insn: Insn): boolean {
  const k = insn.spec.sem.kind;
  return k === 'jmp' || k === 'ja' || k === 'exit';
}

function buildFunction(shape: ProgramShape, sub: Subprogram, index: number): FunctionCfg {
  const { insns } = shape;
  const leaders = new Set<number>([sub.firstIndex]);
  for (let i = sub.firstIndex; i < sub.endIndex; i++) {
    const insn = insns[i];
    if (insn.spec.sem.kind === 'jmp' || insn.spec.sem.kind === 'ja') {
      leaders.add(shape.indexOfPc[branchTarget(insn)]);
    }
    if (endsBlock(insn) && i + 1 < sub.endIndex) leaders.add(i + 1);
  }
  const starts = [...leaders].sort((a, b) => a - b);
  const blockOfIndex = new Map<number, number>(starts.map((first, id) => [first, id]));
  const blockAtPc = (pc: number): number => {
    const id = blockOfIndex.get(shape.indexOfPc[pc]);
    if (id === undefined) throw new CompileError('INTERNAL', `no block starts at pc ${pc}`, pc);
    return id;
  };

  const blocks: BasicBlock[] = starts.map((first, id) => {
    const end = id + 1 < starts.length ? starts[id + 1] : sub.endIndex;
    const last = insns[end - 1];
    const sem = last.spec.sem;
    let terminator: Terminator;
    if (sem.kind === 'exit') {
      terminator = { kind: 'exit', insn: last };
    } else if (sem.kind === 'ja') {
      terminator = { kind: 'goto', target: blockAtPc(branchTarget(last)), insn: last };
    } else if (sem.kind === 'jmp') {
      terminator = { kind: 'branch', insn: last, taken: blockAtPc(branchTarget(last)), fallthrough: id + 1 };
    } else {
      // analyzeStructure guarantees a function ends in exit/ja, so a next block exists.
      terminator = { kind: 'goto', target: id + 1 };
    }
    return { id, first, end, startPc: insns[first].pc, terminator };
  });
  return { sub, index, blocks };
}

/** Build the CFG of every function; malformed control flow raises `CompileError`. */
export function buildCfg(insns: readonly Insn[]): ProgramCfg {
  const shape = analyzeStructure(insns, CompileError);
  const functions = shape.subprograms.map((sub, i) => buildFunction(shape, sub, i));
  const functionAt = new Map(shape.subprograms.map((sub, i) => [sub.entry, i]));
  return { shape, functions, functionAt };
}
