import type { Layout } from '../abi/layout.js';
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
 * r10-derived values point into the stack, r1 at entry into the input, and pointer
 * +/- scalar keeps the pointer's region.
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

function transfer(state: State, insn: Insn, layout: Layout): void {
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
    // A loaded u64 may be a pointer (ctx->data); narrower loads are plain numbers.
    case 'load': state[insn.dst] = sem.size === 8 ? 'unknown' : 'scalar'; return;
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
function runBlock(block: BasicBlock, before: State, insns: readonly Insn[], layout: Layout, visit?: (insn: Insn, state: State) => void): State {
  const state = [...before];
  for (let i = block.first; i < block.end; i++) {
    visit?.(insns[i], state);
    transfer(state, insns[i], layout);
  }
  return state;
}

/** The region guess for each memory access of `fn`, by the access's pc. */
export function guessRegions(fn: FunctionCfg, insns: readonly Insn[], layout: Layout): Map<number, Region> {
  const entry: State = new Array(FP + 1).fill(fn.index === 0 ? 'scalar' : 'unknown');
  if (fn.index === 0) entry[1] = 'input';
  entry[FP] = 'stack';
  const states = solve<State>(fn, {
    direction: 'forward',
    boundary: entry,
    transfer: (block, before) => runBlock(block, before, insns, layout),
    join: (old, incoming) => old.map((p, r) => (p === incoming[r] ? p : 'unknown')),
    equal: (a, b) => a.every((p, r) => p === b[r]),
  });
  const guesses = new Map<number, Region>();
  fn.blocks.forEach((block, id) => {
    const state = states?.[id];
    if (state === undefined) return; // unreachable, or no fixpoint: no guess
    runBlock(block, state, insns, layout, (insn, before) => {
      const base = memoryAccess(insn)?.base;
      const p = base === undefined ? undefined : before[base];
      if (p !== undefined && isRegion(p)) guesses.set(insn.pc, p);
    });
  });
  return guesses;
}
