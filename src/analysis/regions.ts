import type { Layout } from '../abi/layout.js';
import { PROGRAM_TYPE_INFO, type ProgramType } from '../abi/program-types.js';
import { FP } from '../abi/registers.js';
import { lddwValue, memoryAccess, type Insn } from '../decode/insn.js';
import type { BasicBlock, FunctionCfg } from './cfg.js';
import { solve } from './dataflow.js';

/**
 * A guess, per memory access, of the region its base register points into, so the JIT
 * can emit one inline range check for that region and fall back to the full check
 * (`$mem_check`, every region, exact trap) only when the guess fails. The guess needs no
 * soundness: a wrong one costs a slow path, never a wrong answer. It is a forward
 * dataflow over the CFG tracking where each register's value came from: r10 and
 * r10-derived values point into the stack, r1 at entry into the input (raw programs) or
 * the context (the others), a u32 load of the context's data/data_end/data_meta into
 * the packet (which lies in the input area), and pointer +/- scalar keeps the pointer's
 * region. A store never guesses a read-only context: it may not reach it.
 */
export type Region = 'stack' | 'input' | 'ctx' | 'heap';
type Provenance = Region | 'scalar' | 'unknown';
type State = Provenance[];

const isRegion = (p: Provenance): p is Region => p !== 'scalar' && p !== 'unknown';

function classifyConstant(value: bigint, layout: Layout): Provenance {
  if (value >= BigInt(layout.stackBase) && value <= BigInt(layout.stackTop)) return 'stack';
  if (value >= BigInt(layout.inputBase) && value < BigInt(layout.inputBase + layout.maxInputSize)) return 'input';
  if (value >= BigInt(layout.contextBase) && value < BigInt(layout.contextBase + layout.contextSize)) return 'ctx';
  if (value >= BigInt(layout.heapBase) && value < 0x1_0000_0000n) return 'heap';
  return 'scalar';
}

/** What the guess knows of the program: the memory layout and its type's context. */
export interface RegionFacts {
  readonly layout: Layout;
  readonly programType: ProgramType;
}

function transfer(state: State, insn: Insn, facts: RegionFacts): void {
  const { layout } = facts;
  const sem = insn.spec.sem;
  switch (sem.kind) {
    case 'alu': {
      if (sem.width === 32) { state[insn.dst] = 'scalar'; return; }
      const dst = state[insn.dst];
      const src: Provenance = sem.source === 'reg' ? state[insn.src] : 'scalar';
      if (sem.op === 'mov') state[insn.dst] = src;
      else if (sem.op === 'add' || sem.op === 'sub') {
        if (isRegion(dst) && src === 'scalar') return;
        if (sem.op === 'add' && dst === 'scalar' && isRegion(src)) state[insn.dst] = src;
        else state[insn.dst] = dst === 'scalar' && src === 'scalar' ? 'scalar' : 'unknown';
      } else state[insn.dst] = dst === 'scalar' && src === 'scalar' ? 'scalar' : 'unknown';
      return;
    }
    case 'endian': state[insn.dst] = 'scalar'; return;
    case 'lddw':
      state[insn.dst] = sem.pseudo === 'imm64' ? classifyConstant(lddwValue(insn), layout)
        : sem.pseudo === 'func' || sem.pseudo === 'btf_id' ? 'scalar' : 'heap';
      return;
    // ctx->data and friends are u32 packet pointers; a loaded u64 may be a pointer; narrower loads are numbers.
    case 'load': {
      const packetPointer = state[insn.src] === 'ctx' && sem.size === 4
        && PROGRAM_TYPE_INFO[facts.programType].packetPointers.includes(insn.off);
      state[insn.dst] = packetPointer ? 'input' : sem.size === 8 ? 'unknown' : 'scalar';
      return;
    }
    case 'atomic':
      if (sem.op === 'cmpxchg') state[0] = 'unknown';
      else if (sem.fetch) state[insn.src] = 'unknown';
      return;
    case 'packet': state[0] = 'scalar'; return;
    case 'call': state[0] = 'unknown'; return; // helpers may return map values; r1-r9 are kept
    default: return;
  }
}

/** Run a block from `before`, calling `visit` with the state before each instruction. */
function runBlock(block: BasicBlock, before: State, insns: readonly Insn[], facts: RegionFacts, visit?: (insn: Insn, state: State) => void): State {
  const state = [...before];
  for (let i = block.first; i < block.end; i++) {
    visit?.(insns[i], state);
    transfer(state, insns[i], facts);
  }
  return state;
}

/** Whether an instruction stores into memory (stores and atomics). */
const stores = (insn: Insn) => insn.spec.sem.kind === 'store' || insn.spec.sem.kind === 'atomic';

/** The region guess for each memory access of `fn`, by the access's pc. */
export function guessRegions(fn: FunctionCfg, insns: readonly Insn[], facts: RegionFacts): Map<number, Region> {
  const entry: State = new Array(FP + 1).fill(fn.index === 0 ? 'scalar' : 'unknown');
  if (fn.index === 0) entry[1] = facts.programType === 'raw' ? 'input' : 'ctx';
  entry[FP] = 'stack';
  const contextWritable = PROGRAM_TYPE_INFO[facts.programType].contextWritable;
  const states = solve<State>(fn, {
    direction: 'forward',
    boundary: entry,
    transfer: (block, before) => runBlock(block, before, insns, facts),
    join: (old, incoming) => old.map((p, r) => (p === incoming[r] ? p : 'unknown')),
    equal: (a, b) => a.every((p, r) => p === b[r]),
  });
  const guesses = new Map<number, Region>();
  fn.blocks.forEach((block, id) => {
    const state = states?.[id];
    if (state === undefined) return; // unreachable, or no fixpoint: no guess
    runBlock(block, state, insns, facts, (insn, before) => {
      const base = memoryAccess(insn)?.base;
      const p = base === undefined ? undefined : before[base];
      if (p === undefined || !isRegion(p) || (p === 'ctx' && !contextWritable && stores(insn))) return;
      guesses.set(insn.pc, p);
    });
  });
  return guesses;
}
