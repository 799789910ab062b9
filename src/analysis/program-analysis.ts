import type { Region } from '../abi/layout.js';
import { FP } from '../abi/registers.js';
import { memoryAccess } from '../decode/insn.js';
import type { ProgramType } from '../abi/program-types.js';
import type { Insn } from '../decode/insn.js';
import { buildCfg, hasCycle, type FunctionCfg, type ProgramCfg } from './cfg.js';
import { countedLoops, type CountedLoop } from './counted-loops.js';
import { dominators } from './dominators.js';
import type { ProgramShape } from './program-shape.js';
import { findSpeculations, type Speculation } from './speculation.js';

/**
 * Everything the JIT knows about a program before it emits a line, computed once per
 * function, in this order:
 *
 *   1. the CFG (blocks, edges both ways), and whether the function has a cycle;
 *   2. regions:       the region each access touches, as the verifier placed its pointer
 *                     (where it could not: the stack through r10, else a raw program's input);
 *   3. proofs:        the accesses the verifier proved (verify/verifier.ts, run before the
 *                     JIT; a raw program's input accesses relative to its length too);
 *   4. counted loops: with a cycle, dominators and innermost natural loops, and the loops
 *                     whose trip count and accesses a guard can check on entry
 *                     (counted-loops.ts; reads 2 and 3);
 *   5. speculations:  branches on data around a few ALU instructions (speculation.ts).
 *
 * The emitters read the result and recompute nothing.
 */

export interface FunctionAnalysis {
  readonly fn: FunctionCfg;
  /** Whether the function has a cycle: it then keeps the budget in a local and charges it on retreating edges. */
  readonly hasLoops: boolean;
  /** The region each memory access touches (or most likely does), by pc. */
  readonly regionGuess: ReadonlyMap<number, Region>;
  /** Accesses that need no check, by pc: the verifier's proofs. */
  readonly proven: ReadonlySet<number>;
  /** Loops that get a guard and a fast copy. */
  readonly countedLoops: readonly CountedLoop[];
  /** Triangles to if-convert, by the id of their branching block. */
  readonly speculations: ReadonlyMap<number, Speculation>;
}

export interface ProgramAnalysis {
  readonly cfg: ProgramCfg;
  /** By function index (`cfg.functions` order). */
  readonly functions: readonly FunctionAnalysis[];
}

export interface AnalysisInput {
  readonly shape: ProgramShape;
  /** What r1 is at entry and what the context holds (abi/program-types.ts). */
  readonly programType: ProgramType;
  /**
   * Whether a call instruction may run eBPF code (a local call, callx, an intrinsic such as
   * bpf_loop): such code charges the budget itself, so a loop around it must too.
   */
  readonly callsBack: (insn: Insn) => boolean;
  /** Memory accesses the verifier proved inside their object on every path, by pc. */
  readonly verified: ReadonlySet<number>;
  /** The region the verifier placed each access in (on every path that reached it), by pc. */
  readonly regions: ReadonlyMap<number, Region>;
}

export function analyzeProgram(input: AnalysisInput): ProgramAnalysis {
  const cfg = buildCfg(input.shape);
  return { cfg, functions: cfg.functions.map((fn) => analyzeFunction(fn, input)) };
}

function analyzeFunction(fn: FunctionCfg, input: AnalysisInput): FunctionAnalysis {
  const { insns } = input.shape;
  const hasLoops = hasCycle(fn);
  const regionGuess = accessRegions(fn, insns, input);
  const proven = input.verified;
  const loops = hasLoops
    ? countedLoops(fn, insns, dominators(fn), { proven, regionGuess, callsBack: input.callsBack })
    : [];
  const speculations = findSpeculations(fn, insns);
  return { fn, hasLoops, regionGuess, proven, countedLoops: loops, speculations };
}

/**
 * The region of each access of the function: the verifier's, else the stack for r10 and
 * a raw program's input for anything else (a number the verifier could not place: the
 * run-time check tries every region, this one first).
 */
function accessRegions(fn: FunctionCfg, insns: AnalysisInput['shape']['insns'], input: AnalysisInput): Map<number, Region> {
  const regions = new Map<number, Region>();
  for (let i = fn.sub.firstIndex; i < fn.sub.endIndex; i++) {
    const insn = insns[i];
    const access = memoryAccess(insn);
    if (access === undefined) continue;
    const placed = input.regions.get(insn.pc);
    regions.set(insn.pc, placed ?? (access.base === FP ? 'stack' : input.programType === 'raw' ? 'input' : 'stack'));
  }
  return regions;
}
