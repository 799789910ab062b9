import { branchTarget, type Insn } from '../decode/insn.js';
import { CompileError } from '../errors.js';
import type { ProgramShape, Subprogram } from './program-shape.js';

/**
 * The control-flow graph of each function (after rbpf's `build_cfg` / sbpf's static
 * analysis): find the leaders, cut each function into basic blocks and record the
 * edges both ways. Every analysis and the JIT's emission work block by block on it.
 * Every block ends in an explicit terminator.
 */

export type Terminator =
  /** Conditional jump (or may_goto, taken once the run's loop allowance is spent): `taken` if the condition holds, else `fallthrough`. */
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
  readonly terminator: Terminator;
}

export interface FunctionCfg {
  readonly sub: Subprogram;
  /** Position of the function in `ProgramCfg.functions` (0 = entry). */
  readonly index: number;
  /** In program order; `blocks[0]` is the entry block. */
  readonly blocks: readonly BasicBlock[];
  /** The blocks with an edge into each block, each listed once, in block order. */
  readonly predecessors: readonly (readonly number[])[];
}

export interface ProgramCfg {
  readonly shape: ProgramShape;
  readonly functions: readonly FunctionCfg[];
  /** Function index by entry pc. */
  readonly functionAt: ReadonlyMap<number, number>;
}

/**
 * The blocks a block's terminator can continue in: [taken, fallthrough] for a branch
 * (the same block twice for `jeq r1, r2, +0`), [target] for a goto, none for exit.
 */
export function successors(block: BasicBlock): number[] {
  const t = block.terminator;
  return t.kind === 'branch' ? [t.taken, t.fallthrough] : t.kind === 'goto' ? [t.target] : [];
}

/**
 * Whether the edge from `from` to `to` is retreating: it enters a block that starts at or
 * before its source in program order. Every cycle of the CFG, reducible or not, has at
 * least one such edge, so charging the instruction budget on them bounds every loop.
 * (A natural loop's back edge, whose target dominates its source, is a different notion:
 * see natural-loops.ts; clang's layouts make most back edges retreating too.)
 */
export function isRetreating(from: BasicBlock, to: BasicBlock): boolean {
  return to.startPc <= from.startPc;
}

/** Whether the function has a cycle, i.e. a retreating edge. */
export function hasCycle(fn: FunctionCfg): boolean {
  return fn.blocks.some((b) => successors(b).some((s) => isRetreating(b, fn.blocks[s])));
}

function predecessorLists(blocks: readonly BasicBlock[]): number[][] {
  const preds: number[][] = blocks.map(() => []);
  for (const block of blocks) for (const s of new Set(successors(block))) preds[s].push(block.id);
  return preds;
}

function endsBlock(insn: Insn): boolean {
  const k = insn.spec.sem.kind;
  return k === 'jmp' || k === 'ja' || k === 'may_goto' || k === 'exit';
}

function buildFunction(shape: ProgramShape, sub: Subprogram, index: number): FunctionCfg {
  const { insns } = shape;
  const leaders = new Set<number>([sub.firstIndex]);
  for (let i = sub.firstIndex; i < sub.endIndex; i++) {
    const insn = insns[i];
    if (insn.spec.sem.kind === 'jmp' || insn.spec.sem.kind === 'ja' || insn.spec.sem.kind === 'may_goto') {
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
    } else if (sem.kind === 'jmp' || sem.kind === 'may_goto') {
      terminator = { kind: 'branch', insn: last, taken: blockAtPc(branchTarget(last)), fallthrough: id + 1 };
    } else {
      // The load stage guarantees a function ends in exit/ja, so a next block exists.
      terminator = { kind: 'goto', target: id + 1 };
    }
    return { id, first, end, startPc: insns[first].pc, terminator };
  });
  return { sub, index, blocks, predecessors: predecessorLists(blocks) };
}

/** Build the CFG of every function of a program whose structure the load stage has checked. */
export function buildCfg(shape: ProgramShape): ProgramCfg {
  const functions = shape.subprograms.map((sub, i) => buildFunction(shape, sub, i));
  const functionAt = new Map(shape.subprograms.map((sub, i) => [sub.entry, i]));
  return { shape, functions, functionAt };
}
